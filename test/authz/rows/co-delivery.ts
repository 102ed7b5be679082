/** Matrix rows for the co-delivery stage module. */
import { coDeliveryGroups, coDeliveryLearners, coDeliveryOutcomes } from '../../../modules/co-delivery/schema';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';
import { adminMentor, alreadyThere, everyone, otherTenant, stageId } from './stage-support';

const P = '/cohorts/:cohortId/stages/co-delivery';
const A = '/api/v1/cohorts/:cohortId/stages/co-delivery';
const cohort = (c: RowContext) => ({ cohortId: c.tenant.cohort.id });
/** The leading candidate records; a mentor shadow-scores; nobody else. */
const leaderOrMentor: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 'allow' };
/** The candidate's co-delivery is still locked (projects week not done): they get exactly the gate's 409. */
const leaderOrMentorLocked: RoleExpectations = { ...leaderOrMentor, candidate: 409 };
const leaderOrMentorOther: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
const roster: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 403 };

const course = (c: RowContext) =>
  c.memo('cd-course', async () => {
    const stage = await stageId(c, 'co-delivery');
    const [outcome] = await c.db.insert(coDeliveryOutcomes).values({ cohortStageId: stage, position: 1, text: 'Performs a breakaway safely' }).returning();
    const [group] = await c.db.insert(coDeliveryGroups).values({ cohortStageId: stage, name: 'Group M', candidateId: c.tenant.candidate.id }).returning();
    const [learner] = await c.db.insert(coDeliveryLearners).values({ cohortStageId: stage, groupId: group.id, label: 'HC-99' }).returning();
    return { outcome, group, learner };
  });
const withGroup = async (c: RowContext) => ({ ...cohort(c), groupId: (await course(c)).group.id });
const session = { title: 'Day 1', location: 'Training suite' };

export const rows: AuthzRows = {
  [`GET ${P}`]: { params: cohort, own: everyone, other: otherTenant },
  [`POST ${P}/sessions`]: { params: cohort, body: () => ({ ...session, startsAt: '2026-03-01T09:00', endsAt: '2026-03-01T16:00' }), own: adminMentor, other: otherTenant },
  [`POST ${P}/outcomes`]: { params: cohort, body: (c) => ({ text: `Outcome ${c.uniq()}` }), own: adminMentor, other: otherTenant },
  // The course already has outcomes (the shared fixture's): authorised, then exactly the 409 that says so.
  [`POST ${P}/outcomes/standard`]: { params: cohort, own: alreadyThere, other: { ...otherTenant, admin: 409 } },
  [`POST ${P}/groups`]: { params: cohort, body: (c) => ({ name: `Group ${c.uniq()}`, candidateId: c.tenant.candidate.id }), own: adminMentor, other: otherTenant },
  [`POST ${P}/learners`]: { params: cohort, body: async (c) => ({ groupId: (await course(c)).group.id, labels: `HC-${c.uniq()}` }), own: roster, other: otherTenant },
  [`GET ${P}/groups/:groupId/attainment`]: { params: withGroup, own: leaderOrMentor, other: leaderOrMentorOther },
  [`POST ${P}/groups/:groupId/attainment`]: {
    params: withGroup,
    body: async (c) => {
      const { learner, outcome } = await course(c);
      return { [`a_${learner.id}_${outcome.id}`]: 'partly' };
    },
    own: leaderOrMentorLocked,
    other: leaderOrMentorOther,
  },
  [`GET ${A}`]: { params: cohort, own: everyone, other: otherTenant },
  [`POST ${A}/sessions`]: { params: cohort, body: () => ({ ...session, startsAt: '2026-03-01T09:00:00Z', endsAt: '2026-03-01T16:00:00Z' }), own: adminMentor, other: otherTenant },
  [`POST ${A}/outcomes`]: { params: cohort, body: (c) => ({ text: `Outcome ${c.uniq()}` }), own: adminMentor, other: otherTenant },
  [`POST ${A}/outcomes/standard`]: { params: cohort, body: () => ({}), own: alreadyThere, other: { ...otherTenant, admin: 409 } },
  [`POST ${A}/groups`]: { params: cohort, body: (c) => ({ name: `Group ${c.uniq()}`, candidateId: c.tenant.candidate.id }), own: adminMentor, other: otherTenant },
  [`POST ${A}/groups/:groupId/learners`]: { params: withGroup, body: (c) => ({ labels: [`HC-${c.uniq()}`] }), own: roster, other: otherTenant },
  [`GET ${A}/groups/:groupId/attainment`]: { params: withGroup, own: leaderOrMentor, other: leaderOrMentorOther },
  [`PUT ${A}/groups/:groupId/attainment`]: {
    params: withGroup,
    body: async (c) => {
      const { learner, outcome } = await course(c);
      return { entries: [{ learnerId: learner.id, outcomeId: outcome.id, level: 'achieved' }] };
    },
    own: leaderOrMentorLocked,
    other: leaderOrMentorOther,
  },
  [`GET ${A}/agreement`]: { params: cohort, own: everyone, other: otherTenant },
};
