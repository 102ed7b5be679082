/** Convenience reads over the engine for one candidate (used by stage pages and the timeline). */
import { computeProgress, type ProgressContext, type StageProgress } from './engine';

/** One candidate's stages in one cohort, in order (empty when they are not a candidate there). */
export async function candidateProgress(ctx: ProgressContext, cohortId: string, candidateId: string, now?: Date): Promise<StageProgress[]> {
  const all = await computeProgress(ctx, { cohortIds: [cohortId], candidateIds: [candidateId], now });
  return all.get(cohortId)?.get(candidateId) ?? [];
}

/** One candidate's progress in the cohort's first stage run by `moduleKey`, if any. */
export async function candidateStage(ctx: ProgressContext, cohortId: string, candidateId: string, moduleKey: string, now?: Date): Promise<StageProgress | undefined> {
  return (await candidateProgress(ctx, cohortId, candidateId, now)).find((s) => s.key === moduleKey);
}

/** The first unmet reasons of a stage, for "what to do next" (locks first, then what completes it). */
export function unmetReasons(stage: StageProgress): string[] {
  if (stage.status === 'locked') return stage.open.filter((r) => !r.met).map((r) => r.reason);
  if (stage.status === 'complete' || stage.status === 'waived') return [];
  return stage.complete.filter((r) => !r.met).map((r) => r.reason);
}
