/** Remedial-workshop requirement kinds: requested topics covered, and the mentor's final readiness sign-off. */
import { and, inArray, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { answerAll, count, distinct, type Db, type RequirementKind, type StageRow } from '../../server/modules/kit';
import { remedialWorkshopChecklist, remedialWorkshopSignoffs, remedialWorkshopTopics } from './schema';
import { checklistOf } from './checklist';

const params = z.object({}).strict();

/** `remedial-workshop:topics-covered` {}: every topic the candidate requested is marked covered. One query. */
export const topicsCoveredKind: RequirementKind<typeof params> = {
  params,
  describe: () => 'Have every deep-dive topic you requested covered in the workshop',
  form: { title: 'Requested topics covered' },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const candidateIds = distinct(items, (i) => i.candidateIds);
    const rows = candidateIds.length
      ? await db
          .select({
            stageId: remedialWorkshopTopics.cohortStageId,
            candidateId: remedialWorkshopTopics.candidateId,
            total: sql<number>`count(*)::int`,
            covered: sql<number>`count(${remedialWorkshopTopics.coveredAt})::int`,
          })
          .from(remedialWorkshopTopics)
          .where(and(inArray(remedialWorkshopTopics.cohortStageId, distinct(items, (i) => i.stage.id)), inArray(remedialWorkshopTopics.candidateId, candidateIds)))
          .groupBy(remedialWorkshopTopics.cohortStageId, remedialWorkshopTopics.candidateId)
      : [];
    const byKey = new Map(rows.map((r) => [`${r.stageId}|${r.candidateId}`, r]));
    return answerAll(items, (item, c) => {
      const r = byKey.get(`${item.stage.id}|${c}`);
      if (!r) return { met: true, reason: 'You requested no deep-dive topics, so there is nothing to cover.', progress: { done: 0, of: 0 } };
      const progress = { done: r.covered, of: r.total };
      if (r.covered === r.total) return { met: true, reason: `${r.total === 1 ? 'Your requested topic was' : `All ${r.total} of your requested topics were`} covered.`, progress };
      return { met: false, reason: `Have your ${count(r.total, 'requested topic')} covered in the workshop — ${r.covered} covered so far.`, progress };
    });
  },
};

/** Per stage: how many checklist items both the lead and the mentor have ticked. One query. */
export async function checklistDone(db: Db, stages: StageRow[]) {
  if (!stages.length) return new Map<string, { done: number; of: number }>();
  const rows = await db
    .select({ stageId: remedialWorkshopChecklist.cohortStageId, itemKey: remedialWorkshopChecklist.itemKey })
    .from(remedialWorkshopChecklist)
    .where(and(inArray(remedialWorkshopChecklist.cohortStageId, stages.map((s) => s.id)), isNotNull(remedialWorkshopChecklist.leadAt), isNotNull(remedialWorkshopChecklist.mentorAt)));
  return new Map(
    stages.map((s) => {
      const keys = new Set(checklistOf(s).map((i) => i.key));
      return [s.id, { done: rows.filter((r) => r.stageId === s.id && keys.has(r.itemKey)).length, of: keys.size }];
    }),
  );
}

/** `remedial-workshop:readiness-signed` {}: the mentor's final readiness sign-off exists. Two queries. */
export const readinessSignedKind: RequirementKind<typeof params> = {
  params,
  describe: () => "Your mentor's final readiness sign-off",
  form: { title: 'Final readiness signed off' },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const candidateIds = distinct(items, (i) => i.candidateIds);
    const stages = [...new Map(items.map((i) => [i.stage.id, i.stage])).values()];
    const [signed, checklist] = await Promise.all([
      candidateIds.length
        ? db
            .select({ stageId: remedialWorkshopSignoffs.cohortStageId, candidateId: remedialWorkshopSignoffs.candidateId, overrideReason: remedialWorkshopSignoffs.overrideReason })
            .from(remedialWorkshopSignoffs)
            .where(and(inArray(remedialWorkshopSignoffs.cohortStageId, stages.map((s) => s.id)), inArray(remedialWorkshopSignoffs.candidateId, candidateIds)))
        : Promise.resolve([]),
      checklistDone(db, stages),
    ]);
    const done = new Map(signed.map((s) => [`${s.stageId}|${s.candidateId}`, s]));
    return answerAll(items, (item, c) => {
      const row = done.get(`${item.stage.id}|${c}`);
      if (row) {
        const why = row.overrideReason ? ` It was an override of the readiness model: ${row.overrideReason}` : '';
        return { met: true, reason: `Your mentor signed you off as ready to roll out the training.${why}`, progress: { done: 1, of: 1 } };
      }
      const list = checklist.get(item.stage.id) ?? { done: 0, of: 0 };
      const state = list.done === list.of ? 'the rollout checklist is complete' : `the rollout checklist has ${list.done} of ${list.of} items ticked by both the lead and the mentor`;
      return { met: false, reason: `Wait for your mentor's final readiness sign-off — ${state}.`, progress: { done: 0, of: 1 } };
    });
  },
};
