/** Stage positions and activity hooks (the app's kinds and hooks themselves live in `ctx.registry`, built by the loader). */
import type { Db } from '../db';
import type { ActivityHook, BatchActivity, StageRow } from './types';

export type { ActivityHook, BatchActivity } from './types';

/** Retired cohort stages (no longer in the programme after a template was applied) sit at this position and
 * above, so `order by position limit 1` still finds a module's live stage first; live stages are 1..999. */
export const RETIRED_POSITION = 1000;

/** Gives a per-stage activity hook its batch form. */
export function withBatch(hook: (db: Db, stage: StageRow, candidateIds: string[]) => Promise<Set<string>>, batch: BatchActivity): ActivityHook {
  return Object.assign(hook, { batch });
}
