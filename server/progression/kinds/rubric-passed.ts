/** "Rubric passed": the latest mentor assessment with a rubric in this stage is at or above the threshold,
 * with every must-pass criterion passed. */
import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { assessments, rubrics } from '../../db/tables';
import type { RequirementKind } from '../types';
import { answerAll, distinct } from './answers';

const params = z
  .object({
    rubric: z.string().min(1, 'name the rubric by its key'),
    threshold: z.number().min(0).max(100).optional(),
  })
  .strict();

/** Two queries for every item: the rubrics named, and each candidate's latest mentor assessment per stage. */
export const rubricPassed: RequirementKind<typeof params> = {
  params,
  describe: (p) => `Assessed with rubric '${p.rubric}' at ${p.threshold !== undefined ? `${p.threshold}%` : 'its pass mark'} or above, every must-pass criterion passed`,
  async evaluate({ db, items }) {
    const keys = distinct(items, (i) => i.params.rubric);
    const stageIds = items.map((i) => i.stage.id);
    if (!items.length) return new Map();
    const named = await db.select({ key: rubrics.key, name: rubrics.name, passThreshold: rubrics.passThreshold }).from(rubrics).where(inArray(rubrics.key, keys));
    const byKey = new Map(named.map((r) => [r.key as string, r]));
    const stageOf = sql<string>`coalesce(${assessments.cohortStageId}::text, ${assessments.contextId})`;
    const latest = await db
      .selectDistinctOn([stageOf, assessments.candidateId, rubrics.key], {
        stageId: stageOf,
        candidateId: assessments.candidateId,
        key: rubrics.key,
        percent: assessments.percent,
        mustPassFailed: assessments.mustPassFailed,
      })
      .from(assessments)
      .innerJoin(rubrics, eq(rubrics.id, assessments.rubricId))
      .where(
        and(
          eq(assessments.kind, 'mentor'),
          inArray(rubrics.key, keys),
          or(inArray(assessments.cohortStageId, stageIds), and(eq(assessments.contextType, 'stage'), inArray(assessments.contextId, stageIds))),
        ),
      )
      .orderBy(stageOf, assessments.candidateId, rubrics.key, desc(assessments.createdAt));
    const found = new Map(latest.map((a) => [`${a.stageId}|${a.candidateId}|${a.key}`, a]));
    return answerAll(items, (item, candidateId) => {
      const rubric = byKey.get(item.params.rubric);
      const name = rubric?.name ?? item.params.rubric;
      const threshold = item.params.threshold ?? rubric?.passThreshold ?? 100;
      const a = found.get(`${item.stage.id}|${candidateId}|${item.params.rubric}`);
      if (!a) return { met: false, reason: `Be assessed by a mentor on '${name}' at ${threshold}% or above — not assessed yet.`, progress: { done: 0, of: 100 } };
      const pct = Math.round(Number(a.percent));
      const progress = { done: pct, of: 100 };
      if (Number(a.percent) < threshold) return { met: false, reason: `Reach ${threshold}% on '${name}' — your latest assessment scored ${pct}%.`, progress };
      if (a.mustPassFailed) return { met: false, reason: `Pass every must-pass criterion of '${name}' — your latest assessment (${pct}%) missed at least one.`, progress };
      return { met: true, reason: `Passed '${name}' at ${pct}% (pass mark ${threshold}%).`, progress };
    });
  },
};
