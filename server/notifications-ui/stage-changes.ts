/** "Stage opened" notifications: compare two progress snapshots and tell each candidate which stages just opened. */
import type { AppContext } from '../context';
import { deliver, notify, type NewNotification } from '../notifications';
import type { StageProgress } from '../progression/engine';

/** A snapshot as `computeProgress` returns it: cohort id → candidate id → stages in order. */
export type ProgressSnapshot = Map<string, Map<string, StageProgress[]>>;

const OPENED = new Set(['open', 'in_progress']);

/** The notifications for stages that were locked (or unknown) in `before` and are open in `after`. */
export function stageOpenedNotifications(before: ProgressSnapshot, after: ProgressSnapshot): NewNotification[] {
  const out: NewNotification[] = [];
  for (const [cohortId, candidates] of after) {
    for (const [candidateId, stages] of candidates) {
      const earlier = new Map((before.get(cohortId)?.get(candidateId) ?? []).map((s) => [s.stageId, s.status]));
      for (const stage of stages) {
        const was = earlier.get(stage.stageId);
        if (!OPENED.has(stage.status) || (was !== undefined && was !== 'locked')) continue;
        if (was === undefined && !before.get(cohortId)?.has(candidateId)) continue; // no earlier picture of this candidate
        out.push({
          userId: candidateId,
          kind: 'stage:opened',
          title: `${stage.title} is now open`,
          body: `${stage.title} has opened for you${stage.endsOn ? ` and runs until ${stage.endsOn}` : ''}. Your timeline shows what to do first.`,
          link: `/cohorts/${cohortId}`,
        });
      }
    }
  }
  return out;
}

/** Notifies candidates of newly opened stages (written in one transaction, delivered after it commits). */
export async function notifyStageChanges(ctx: AppContext, before: ProgressSnapshot, after: ProgressSnapshot): Promise<number> {
  const items = stageOpenedNotifications(before, after);
  if (!items.length) return 0;
  const rows = await ctx.db.transaction((tx) => notify(tx, items));
  await deliver(ctx, rows);
  return rows.length;
}
