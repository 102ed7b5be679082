/** The readiness model's verdict for a final sign-off: what still stands between each candidate and "ready". */
import { computeProgress, type ProgressContext } from '../progression/engine';
import { readinessGaps, type ReadinessGap } from './model';
import { computeReadiness } from './queries';

/** The stage being signed off and the requirement the sign-off itself fulfils (not counted as a gap). */
export type FinalStage = { stageId: string; requirementKind: string };

/**
 * For each candidate: the gaps the readiness model sees (competencies, other stages) plus the final stage's own
 * unmet requirements other than the sign-off. Empty means the model says ready. One readiness computation for the cohort.
 */
export async function finalSignoffGaps(ctx: ProgressContext, cohortId: string, candidateIds: string[], final: FinalStage, now = new Date()): Promise<Map<string, ReadinessGap[]>> {
  const out = new Map<string, ReadinessGap[]>();
  if (!candidateIds.length) return out;
  const [{ cohorts }, progress] = await Promise.all([computeReadiness(ctx, { cohortIds: [cohortId], now }), computeProgress(ctx, { cohortIds: [cohortId], candidateIds, now })]);
  const cohort = cohorts[0];
  for (const id of candidateIds) {
    const c = cohort?.candidates.find((x) => x.candidateId === id);
    if (!c || !cohort) {
      out.set(id, [{ kind: 'stage', text: 'This person is not a candidate of the cohort.' }]);
      continue;
    }
    const gaps = readinessGaps(c, cohort.stages, cohort.competencies, final.stageId);
    const stage = progress.get(cohortId)?.get(id)?.find((s) => s.stageId === final.stageId);
    if (stage && stage.status !== 'waived') {
      for (const r of [...stage.open, ...stage.complete]) {
        if (!r.met && !r.waived && r.kind !== final.requirementKind) gaps.push({ kind: 'stage', text: `${stage.title}: ${r.reason}` });
      }
    }
    out.set(id, gaps);
  }
  return out;
}
