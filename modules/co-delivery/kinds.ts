/** Co-delivery's requirement kind: attainment recorded for every learner in the candidate's groups on every outcome. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { answerAll, count, distinct, type RequirementKind } from '../../server/modules/kit';
import { coDeliveryAttainment, coDeliveryGroups, coDeliveryLearners, coDeliveryOutcomes } from './schema';

const params = z.object({}).strict();

/** `co-delivery:attainment-recorded` {}: three queries for any number of stages and candidates. */
export const attainmentRecordedKind: RequirementKind<typeof params> = {
  params,
  describe: () => "Record every learner's attainment on every learning outcome in the groups you lead",
  form: { title: 'Learners’ attainment recorded' },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const stageIds = distinct(items, (i) => i.stage.id);
    const candidateIds = distinct(items, (i) => i.candidateIds);
    const [groups, outcomes, recorded] = await Promise.all([
      candidateIds.length
        ? db
            .select({ stageId: coDeliveryGroups.cohortStageId, candidateId: coDeliveryGroups.candidateId, groupId: coDeliveryGroups.id, learnerId: coDeliveryLearners.id })
            .from(coDeliveryGroups)
            .leftJoin(coDeliveryLearners, eq(coDeliveryLearners.groupId, coDeliveryGroups.id))
            .where(and(inArray(coDeliveryGroups.cohortStageId, stageIds), inArray(coDeliveryGroups.candidateId, candidateIds)))
        : Promise.resolve([]),
      db
        .select({ stageId: coDeliveryOutcomes.cohortStageId, n: sql<number>`count(*)::int` })
        .from(coDeliveryOutcomes)
        .where(inArray(coDeliveryOutcomes.cohortStageId, stageIds))
        .groupBy(coDeliveryOutcomes.cohortStageId),
      candidateIds.length
        ? db
            .select({ learnerId: coDeliveryAttainment.learnerId, n: sql<number>`count(distinct ${coDeliveryAttainment.outcomeId})::int` })
            .from(coDeliveryAttainment)
            .innerJoin(coDeliveryLearners, eq(coDeliveryLearners.id, coDeliveryAttainment.learnerId))
            .innerJoin(coDeliveryGroups, and(eq(coDeliveryGroups.id, coDeliveryLearners.groupId), eq(coDeliveryGroups.candidateId, coDeliveryAttainment.recorderId)))
            .innerJoin(coDeliveryOutcomes, and(eq(coDeliveryOutcomes.id, coDeliveryAttainment.outcomeId), eq(coDeliveryOutcomes.cohortStageId, coDeliveryGroups.cohortStageId)))
            .where(and(inArray(coDeliveryGroups.cohortStageId, stageIds), inArray(coDeliveryGroups.candidateId, candidateIds)))
            .groupBy(coDeliveryAttainment.learnerId)
        : Promise.resolve([]),
    ]);
    const outcomeCount = new Map(outcomes.map((o) => [o.stageId, o.n]));
    const recordedOf = new Map(recorded.map((r) => [r.learnerId, r.n]));
    const mine = new Map<string, { groups: Set<string>; learners: string[] }>();
    for (const g of groups) {
      const key = `${g.stageId}|${g.candidateId}`;
      const entry = mine.get(key) ?? { groups: new Set<string>(), learners: [] };
      entry.groups.add(g.groupId);
      if (g.learnerId) entry.learners.push(g.learnerId);
      mine.set(key, entry);
    }
    return answerAll(items, (item, c) => {
      const entry = mine.get(`${item.stage.id}|${c}`);
      const nOutcomes = outcomeCount.get(item.stage.id) ?? 0;
      if (!entry) return { met: false, reason: 'You have not been given a small group to lead yet — your mentor will set one up.', progress: { done: 0, of: 0 } };
      const total = entry.learners.length;
      if (!total) return { met: false, reason: `Your ${entry.groups.size === 1 ? 'group has' : 'groups have'} no learners on the roster yet.`, progress: { done: 0, of: 0 } };
      if (!nOutcomes) return { met: false, reason: 'No learning outcomes are set for this course yet — your mentor will add them.', progress: { done: 0, of: total } };
      const complete = entry.learners.filter((l) => (recordedOf.get(l) ?? 0) >= nOutcomes).length;
      const progress = { done: complete, of: total };
      const where = entry.groups.size === 1 ? 'your group' : `your ${entry.groups.size} groups`;
      if (complete === total) return { met: true, reason: `Attainment recorded for all ${count(total, 'learner')} in ${where} on all ${count(nOutcomes, 'outcome')}.`, progress };
      return { met: false, reason: `Record attainment for all ${count(total, 'learner')} in ${where} on every outcome — ${complete} complete, ${total - complete} still to do.`, progress };
    });
  },
};
