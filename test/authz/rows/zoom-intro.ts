/** Matrix rows for the Zoom introduction: stage page, invite, schedule, register, and the (unconfigured) webhook. */
import { and, eq } from 'drizzle-orm';
import { cohortStages } from '../../../server/db/tables';
import { scheduleMeeting } from '../../../modules/zoom-intro/commands';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const schedulers: RoleExpectations = { admin: 'allow', lead: 403, mentor: 'allow', candidate: 403 };
const mentorOnly: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 403 };
const mentorOnlyOther: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
const nobody: RoleExpectations = { admin: 404, lead: 404, mentor: 404, candidate: 404 };

const cohort = (c: RowContext) => ({ cohortId: c.tenant.cohort.id });
/** The tenant's intro stage with a meeting scheduled (so the invite exists). */
const withMeeting = async (c: RowContext) => {
  await c.memo('zoom-meeting', async () => {
    const [stage] = await c.db.select().from(cohortStages).where(and(eq(cohortStages.cohortId, c.tenant.cohort.id), eq(cohortStages.moduleKey, 'zoom-intro')));
    await scheduleMeeting(c.db, c.tenant.mentor.id, stage.id, { startsAt: new Date('2026-03-17T14:00:00Z'), durationMinutes: 60, timezone: 'Europe/London', joinUrl: 'https://zoom.us/j/81234567890' });
    return stage.id;
  });
  return cohort(c);
};
const meeting = { date: '2026-03-17', time: '14:00', timezone: 'Europe/London', durationMinutes: 60, joinUrl: 'https://zoom.us/j/81234567890' };

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /cohorts/:cohortId/stages/zoom-intro': { params: cohort, own: everyone, other: otherTenant },
  'GET /cohorts/:cohortId/stages/zoom-intro/invite.ics': { params: withMeeting, own: everyone, other: otherTenant },
  'GET /api/v1/cohorts/:cohortId/stages/zoom-intro/meeting': { params: cohort, own: everyone, other: otherTenant },
  'POST /cohorts/:cohortId/stages/zoom-intro/meeting': { params: cohort, body: () => meeting, own: schedulers, other: otherTenant },
  'PUT /api/v1/cohorts/:cohortId/stages/zoom-intro/meeting': { params: cohort, body: () => meeting, own: schedulers, other: otherTenant },
  'POST /cohorts/:cohortId/stages/zoom-intro/register': { params: cohort, body: () => ({}), own: mentorOnly, other: mentorOnlyOther },
  'POST /api/v1/cohorts/:cohortId/stages/zoom-intro/register': { params: cohort, body: () => ({ present: [] }), own: mentorOnly, other: mentorOnlyOther },
  // No ZOOM_WEBHOOK_SECRET in the matrix's app: the endpoint is off for everyone (signature cases: test/modules/zoom-intro).
  'POST /webhooks/zoom-intro': { body: () => ({ event: 'endpoint.url_validation' }), own: nobody, other: 'same', anonymous: 404 },
};
