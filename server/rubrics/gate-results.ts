/** What a rubric-passed gate judges, read once for many stages: the rubrics named and every mentor assessment with them,
 * combined by the gate's rule (combine.ts). The gate's evaluator and the LTI grade sync both read it, so the gradebook
 * is told the very result the gate judges. */
import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { assessments, rubrics, users } from '../db/tables';
import { DEFAULT_COMBINE, combineAssessments, type CombineRule, type Combined, type RatedAssessment } from './combine';

/** One gate as its requirement names it. */
export type RubricGate = { stageId: string; rubric: string; threshold?: number; combine?: CombineRule };

/** The gate's judgement for one candidate: the rubric's name, the pass mark and rule applied, and the combined result
 * (null when no mentor has assessed yet). */
export type GateResult = { name: string; threshold: number; rule: CombineRule; combined: Combined | null };

/** The rubrics and assessments a set of gates reads (two statements). */
export type GateAssessments = { judge(gate: RubricGate, candidateId: string): GateResult };

type Scored = RatedAssessment & { versionThreshold: number };

/** Loads every mentor assessment of `keys` in `stageIds` (two statements) and returns a judge for any of those gates. */
export async function loadGateAssessments(db: Db, stageIds: string[], keys: string[]): Promise<GateAssessments> {
  const found = new Map<string, Scored[]>();
  const byKey = new Map<string, { name: string; passThreshold: number }>();
  if (stageIds.length && keys.length) {
    // Versions share a key: the current one (highest version, read last) names the gate; each assessment keeps its own
    // version's pass mark.
    const named = await db.select({ key: rubrics.key, name: rubrics.name, passThreshold: rubrics.passThreshold }).from(rubrics).where(inArray(rubrics.key, keys)).orderBy(asc(rubrics.version));
    for (const r of named) byKey.set(r.key as string, { name: r.name, passThreshold: Number(r.passThreshold) });
    const stageOf = sql<string>`coalesce(${assessments.cohortStageId}::text, ${assessments.contextId})`;
    const rows = await db
      .select({
        stageId: stageOf,
        candidateId: assessments.candidateId,
        key: rubrics.key,
        assessorId: assessments.assessorId,
        assessorName: users.name,
        percent: assessments.percent,
        mustPassFailed: assessments.mustPassFailed,
        createdAt: assessments.createdAt,
        versionThreshold: rubrics.passThreshold,
      })
      .from(assessments)
      .innerJoin(rubrics, eq(rubrics.id, assessments.rubricId))
      .innerJoin(users, eq(users.id, assessments.assessorId))
      .where(and(eq(assessments.kind, 'mentor'), inArray(rubrics.key, keys), or(inArray(assessments.cohortStageId, stageIds), and(eq(assessments.contextType, 'stage'), inArray(assessments.contextId, stageIds)))));
    for (const r of rows) {
      const k = `${r.stageId}|${r.candidateId}|${r.key}`;
      found.set(k, [...(found.get(k) ?? []), { assessorId: r.assessorId, assessorName: r.assessorName, percent: Number(r.percent), mustPassFailed: r.mustPassFailed, createdAt: r.createdAt, versionThreshold: Number(r.versionThreshold) }]);
    }
  }
  return {
    judge(gate, candidateId) {
      const rubric = byKey.get(gate.rubric);
      const threshold = gate.threshold ?? rubric?.passThreshold ?? 100;
      const rule = gate.combine ?? DEFAULT_COMBINE;
      // A gate without its own threshold judges each assessment by the pass mark of the version it was scored against.
      const scored = (found.get(`${gate.stageId}|${candidateId}|${gate.rubric}`) ?? []).map(({ versionThreshold, ...a }) => (gate.threshold === undefined ? { ...a, threshold: versionThreshold } : a));
      return { name: rubric?.name ?? gate.rubric, threshold, rule, combined: combineAssessments(scored, rule, threshold) };
    },
  };
}
