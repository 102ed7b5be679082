/** Matrix rows for the remedial-workshop stage module. */
import { remedialWorkshopTopics } from '../../../modules/remedial-workshop/schema';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';
import { candidateOnly, everyone, mentorOnly, mentorOnlyOther, otherTenant, stageId } from './stage-support';

const P = '/cohorts/:cohortId/stages/remedial-workshop';
const A = '/api/v1/cohorts/:cohortId/stages/remedial-workshop';
const cohort = (c: RowContext) => ({ cohortId: c.tenant.cohort.id });
const candidateOther: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };

const topic = (c: RowContext) =>
  c.memo('rw-topic', async () => (await c.db.insert(remedialWorkshopTopics).values({ cohortStageId: await stageId(c, 'remedial-workshop'), candidateId: c.tenant.candidate.id, text: 'Floor-hold alternatives' }).returning())[0]);
const withTopic = async (c: RowContext) => ({ ...cohort(c), topicId: (await topic(c)).id });
const newTopic = (c: RowContext) => ({ text: `Deep dive ${c.uniq()}` });

export const rows: AuthzRows = {
  [`GET ${P}`]: { params: cohort, own: everyone, other: otherTenant },
  [`POST ${P}/topics`]: { params: cohort, body: newTopic, own: candidateOnly, other: candidateOther },
  [`POST ${P}/topics/:topicId/cover`]: { params: withTopic, body: () => ({ covered: 'true' }), own: mentorOnly, other: mentorOnlyOther },
  [`POST ${P}/checklist/:itemKey`]: { params: (c) => ({ ...cohort(c), itemKey: 'equipment' }), body: () => ({ as: 'mentor', ticked: 'true' }), own: mentorOnly, other: mentorOnlyOther },
  // The candidate's workshop is still locked (co-delivery not done): authorised, then exactly the gate's 409.
  [`POST ${P}/signoffs`]: { params: cohort, body: (c) => ({ candidateId: c.tenant.candidate.id }), own: { ...mentorOnly, mentor: 409 }, other: mentorOnlyOther },
  [`GET ${A}`]: { params: cohort, own: everyone, other: otherTenant },
  [`GET ${A}/agenda/:candidateId`]: { params: (c) => ({ ...cohort(c), candidateId: c.tenant.candidate.id }), own: everyone, other: otherTenant },
  [`POST ${A}/topics`]: { params: cohort, body: newTopic, own: candidateOnly, other: candidateOther },
  [`PUT ${A}/topics/:topicId/covered`]: { params: withTopic, body: () => ({ covered: true }), own: mentorOnly, other: mentorOnlyOther },
  [`PUT ${A}/checklist/:itemKey`]: { params: (c) => ({ ...cohort(c), itemKey: 'policies' }), body: () => ({ as: 'mentor', ticked: true }), own: mentorOnly, other: mentorOnlyOther },
  [`POST ${A}/signoffs`]: { params: cohort, body: (c) => ({ candidateId: c.tenant.candidate.id }), own: { ...mentorOnly, mentor: 409 }, other: mentorOnlyOther },
};
