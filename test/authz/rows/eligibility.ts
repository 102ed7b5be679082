/** Matrix rows for eligibility (17.1): a candidate's evidence page and file (the candidate and the cohort's staff),
 * recording evidence (the candidate themself), a mentor's decision (the cohort's mentors, never on their own record),
 * the cohort overview (staff) and its setting (admins). */
import type { AuthzRows, RoleExpectations, RowContext } from '../support';
import { PNG } from '../../signoffs/support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const selfOnly: RoleExpectations = { admin: 403, lead: 403, mentor: 403, candidate: 'allow' };
const mentorOnly: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 403 };
const otherRecord: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
const staff: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 403 };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };

const candidate = (c: RowContext) => ({ cohortId: c.tenant.cohort.id, userId: c.tenant.candidate.id });
/** The tenant's candidate has recorded a qualification with a file, through HTTP (once per scope). */
const withEvidence = (c: RowContext) =>
  c.memo('eligibility-evidence', async () => {
    const agent = await c.app.loginAs(c.tenant.candidate.email);
    const path = `/cohorts/${c.tenant.cohort.id}/candidates/${c.tenant.candidate.id}/eligibility`;
    const token = await c.app.csrf(agent, path);
    const res = await agent.post(`${path}/qualification`).set('x-csrf-token', token).field('description', 'Level 3 Diploma in Health and Social Care').attach('files', PNG, { filename: 'diploma.png', contentType: 'image/png' });
    if (res.status !== 303) throw new Error(`eligibility evidence not recorded: ${res.status}`);
    return { ...candidate(c), requirement: 'qualification' };
  });

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /cohorts/:cohortId/candidates/:userId/eligibility': { params: candidate, own: everyone, other: otherTenant },
  'POST /cohorts/:cohortId/candidates/:userId/eligibility/:requirement': { params: (c) => ({ ...candidate(c), requirement: 'experience' }), body: () => ({ description: 'Support worker', sinceOn: '2022-01-10', document: 'A reference letter from my manager' }), own: selfOnly, other: otherRecord },
  'POST /cohorts/:cohortId/candidates/:userId/eligibility/:requirement/decision': { params: withEvidence, body: () => ({ decision: 'return', reason: 'Please attach the whole certificate.' }), own: mentorOnly, other: otherRecord },
  'GET /cohorts/:cohortId/candidates/:userId/eligibility/:requirement/file': { params: withEvidence, own: everyone, other: otherTenant },
  'GET /cohorts/:cohortId/eligibility': { params: (c) => ({ cohortId: c.tenant.cohort.id }), own: staff, other: { admin: 'allow', lead: 404, mentor: 404, candidate: 404 } },
  'POST /cohorts/:cohortId/eligibility/setting': { params: (c) => ({ cohortId: c.tenant.cohort.id }), body: () => ({}), own: adminOnly, other: { admin: 'allow', lead: 404, mentor: 404, candidate: 404 } },
};
