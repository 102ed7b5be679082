/** Matrix rows for observation sampling: the provider's QA report and rates (admins), an organisation's sampling (its
 * lead and admins), observing a course (a mentor of the cohort, never its trainer) and picking one by hand (admins). */
import { randomBytes } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { impactCourses, rubricCriteria, rubrics } from '../../../server/db/tables';
import { createRubric } from '../../../server/rubrics/commands';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const admins: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const orgLeads: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 404, candidate: 403 };
const otherOrg: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const observers: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 403 };
const otherObservers: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
const pickers: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const otherPickers: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };

const org = (c: RowContext) => ({ organisationId: c.tenant.org.id });
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** The tenant's course delivered by its candidate (once per scope). */
function course(c: RowContext) {
  return c.memo('sampling-course', async () => {
    const [row] = await c.db
      .insert(impactCourses)
      .values({ organisationId: c.tenant.org.id, cohortId: c.tenant.cohort.id, trainerId: c.tenant.candidate.id, deliveredOn: yesterday(), venue: 'Matrix room', attendees: 6, registerMode: 'codes', durationMinutes: 120, questionnaireCode: randomBytes(16).toString('base64url'), createdBy: c.tenant.candidate.id })
      .returning();
    return row;
  });
}
const courseId = async (c: RowContext) => ({ courseId: (await course(c)).id });

/** A valid observation: a rubric made for the matrix, every criterion scored. */
async function observation(c: RowContext) {
  const key = await c.memo('sampling-rubric', async () => {
    const k = `matrix-observation-${randomBytes(4).toString('hex')}`;
    await createRubric(c.db, null, { key: k, name: 'Matrix observation', passThreshold: 50, levels: [{ label: 'Not yet', points: 0 }, { label: 'Secure', points: 1 }], criteria: [{ title: 'Safe practice', weight: 1, mustPass: false, passLevel: 1, descriptors: ['', ''] }] });
    return k;
  });
  const [crit] = await c.db.select({ id: rubricCriteria.id }).from(rubricCriteria).innerJoin(rubrics, eq(rubrics.id, rubricCriteria.rubricId)).where(eq(rubrics.key, key)).orderBy(asc(rubricCriteria.position));
  return { rubric: key, observedOn: yesterday(), notes: `Observed ${c.uniq()}`, [`level_${crit.id}`]: '1' };
}

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /sampling': { own: admins, other: 'same' },
  'GET /sampling.csv': { own: admins, other: 'same' },
  'POST /sampling/rates': { body: () => ({}), own: admins, other: 'same' },
  'GET /organisations/:organisationId/sampling': { params: org, own: orgLeads, other: otherOrg },
  'GET /organisations/:organisationId/sampling.csv': { params: org, own: orgLeads, other: otherOrg },
  'GET /courses/:courseId/observe': { params: courseId, own: observers, other: otherObservers },
  'POST /courses/:courseId/observations': { params: courseId, body: observation, own: observers, other: otherObservers },
  'POST /courses/:courseId/pick': { params: courseId, body: (c) => ({ reason: `Matrix pick ${c.uniq()}` }), own: pickers, other: otherPickers },
};
