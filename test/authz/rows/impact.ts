/** Matrix rows for impact: courses (trainers record and edit their own; the lead and admins see them), the public
 * questionnaire, incident data and the impact view (the organisation's lead and the provider's admins). */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { impactCourses } from '../../../server/db/tables';
import { cohortCurriculum } from '../../../server/impact/programme';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const trainers: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 'allow' };
const otherCohort: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
const courseViewers: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const otherCourse: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const courseTrainer: RoleExpectations = { admin: 403, lead: 403, mentor: 403, candidate: 'allow' };
// A mentor belongs to the provider, not the client organisation: its impact is outside their world (404).
const orgLeads: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 404, candidate: 403 };
const otherOrg: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const cohort = (c: RowContext) => ({ cohortId: c.tenant.cohort.id });
const org = (c: RowContext) => ({ organisationId: c.tenant.org.id });
/** A course as a trainer records it: it covered the first module the cohort's programme offers. */
const courseBody = async (c: RowContext) => {
  const curriculum = await cohortCurriculum(c.app.cadre.ctx, c.tenant.cohort.id);
  return { deliveredOn: yesterday(), venue: `Room ${c.uniq()}`, attendees: '5', durationHours: '2', register: '', coTrainerId: '', modules: [...curriculum.knowledge, ...curriculum.practical][0] ?? '' };
};
const HEADER = 'Month,Service,Incidents of aggression,Restraints,Prone or floor restraints,Seclusions,Injuries to staff,Injuries to people supported,Occupied bed days';

/** The tenant's course, delivered by its candidate (once per scope). */
function course(c: RowContext) {
  return c.memo('impact-course', async () => {
    const [row] = await c.db
      .insert(impactCourses)
      .values({ organisationId: c.tenant.org.id, cohortId: c.tenant.cohort.id, trainerId: c.tenant.candidate.id, deliveredOn: yesterday(), venue: 'Matrix room', attendees: 6, registerMode: 'codes', durationMinutes: 120, outcomes: ['Explains why restraint is a last resort'], questionnaireCode: randomBytes(16).toString('base64url'), createdBy: c.tenant.candidate.id })
      .returning();
    return row;
  });
}
/** An answer to every outcome the course asks about now (an edit of the course may have changed its outcomes). */
async function answerEveryOutcome(c: RowContext) {
  const [row] = await c.db.select({ outcomes: impactCourses.outcomes }).from(impactCourses).where(eq(impactCourses.id, (await course(c)).id));
  return { ...Object.fromEntries(row.outcomes.flatMap((_o, i) => [[`b${i + 1}`, '2'], [`a${i + 1}`, '4']])), safety: 'release' };
}
const courseId = async (c: RowContext) => ({ courseId: (await course(c)).id });
const code = async (c: RowContext) => ({ code: (await course(c)).questionnaireCode });

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /courses': { own: everyone, other: 'same' },
  'GET /cohorts/:cohortId/courses/new': { params: cohort, own: trainers, other: otherCohort },
  'POST /cohorts/:cohortId/courses': { params: cohort, body: courseBody, own: trainers, other: otherCohort },
  'GET /courses/:courseId': { params: courseId, own: courseViewers, other: otherCourse },
  'GET /courses/:courseId/edit': { params: courseId, own: courseTrainer, other: otherCohort },
  'POST /courses/:courseId': { params: courseId, body: courseBody, own: courseTrainer, other: otherCohort },
  'GET /courses/:courseId/qr.png': { params: courseId, own: courseTrainer, other: otherCohort },
  'GET /organisations/:organisationId/courses': { params: org, own: orgLeads, other: otherOrg },
  'GET /q/:code': { params: code, own: everyone, other: 'same', anonymous: 'allow' },
  'POST /q/:code': { params: code, body: answerEveryOutcome, own: everyone, other: 'same', anonymous: 'allow' },
  'GET /impact': { own: { admin: 'allow', lead: 'allow', mentor: 403, candidate: 403 }, other: 'same' },
  'GET /organisations/:organisationId/impact': { params: org, own: orgLeads, other: otherOrg },
  'GET /organisations/:organisationId/impact.csv': { params: org, own: orgLeads, other: otherOrg },
  'POST /organisations/:organisationId/impact/settings': { params: org, body: () => ({ registerMode: 'codes' }), own: orgLeads, other: otherOrg },
  'GET /organisations/:organisationId/impact/incidents': { params: org, own: orgLeads, other: otherOrg },
  'POST /organisations/:organisationId/impact/incidents': {
    params: org,
    body: () => ({ month: '2025-01', newService: 'Matrix House', aggression: '1', restraints: '1', proneRestraints: '0', seclusions: '0', staffInjuries: '0', personInjuries: '0', occupiedBedDays: '' }),
    own: orgLeads,
    other: otherOrg,
  },
  'GET /organisations/:organisationId/impact/incidents/template.csv': { params: org, own: orgLeads, other: otherOrg },
  'POST /organisations/:organisationId/impact/incidents/import': {
    params: org,
    request: (req) => req.attach('file', Buffer.from(`${HEADER}\n2025-02,Matrix House,1,1,0,0,0,0,\n`), { filename: 'counts.csv', contentType: 'text/csv' }),
    own: orgLeads,
    other: otherOrg,
  },
  'POST /organisations/:organisationId/impact/incidents/import/confirm': { params: org, body: () => ({ csv: `${HEADER}\n2025-03,Matrix House,1,1,0,0,0,0,\n` }), own: orgLeads, other: otherOrg },
};
