/** Matrix rows for readiness: cohort readiness pages and exports, the lead/mentor/admin dashboards, notifications. */
import { notifications } from '../../../server/db/tables';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const staff: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 403 };
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const leads: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 403, candidate: 403 };
const mentors: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 403 };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };

const cohort = (c: RowContext) => ({ cohortId: c.tenant.cohort.id });
/** A fresh notification of the acting user (the candidate's when anonymous), so marking it read always has one. */
async function ownNotification(c: RowContext) {
  const [n] = await c.db.insert(notifications).values({ userId: c.actor?.id ?? c.tenant.candidate.id, kind: 'matrix', title: `Matrix ${c.uniq()}` }).returning();
  return { notificationId: n.id };
}

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /cohorts/:cohortId/readiness': { params: cohort, own: staff, other: otherTenant },
  'GET /cohorts/:cohortId/readiness.csv': { params: cohort, own: staff, other: otherTenant },
  'GET /cohorts/:cohortId/signoffs.csv': { params: cohort, own: staff, other: otherTenant },
  'GET /cohorts/:cohortId/report.pdf': { params: cohort, own: staff, other: otherTenant },
  'GET /api/v1/cohorts/:cohortId/readiness': { params: cohort, own: staff, other: otherTenant },
  'GET /api/v1/cohorts/:cohortId/readiness.csv': { params: cohort, own: staff, other: otherTenant },
  'GET /api/v1/cohorts/:cohortId/signoffs.csv': { params: cohort, own: staff, other: otherTenant },
  'GET /api/v1/cohorts/:cohortId/report.pdf': { params: cohort, own: staff, other: otherTenant },
  'GET /lead': { own: leads, other: 'same' },
  'GET /mentor': { own: mentors, other: 'same' },
  'GET /admin/overview': { own: adminOnly, other: 'same' },
  'GET /api/v1/dashboards/lead': { own: leads, other: 'same' },
  'GET /api/v1/dashboards/mentor': { own: mentors, other: 'same' },
  'GET /api/v1/dashboards/admin': { own: adminOnly, other: 'same' },
  'GET /notifications': { own: everyone, other: 'same' },
  'POST /notifications/:notificationId/read': { params: ownNotification, own: everyone, other: 'same' },
  'POST /notifications/read-all': { own: everyone, other: 'same' },
  'GET /api/v1/notifications': { own: everyone, other: 'same' },
  'GET /api/v1/notifications/unread-count': { own: everyone, other: 'same' },
  'POST /api/v1/notifications/read': { body: () => ({}), own: everyone, other: 'same' },
};
