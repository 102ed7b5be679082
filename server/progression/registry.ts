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

/**
 * An activity hook from its batch form alone: `rows` reads (stage id, candidate id) pairs of anyone active in any of
 * the given stages, in one query; the answer keeps, per stage, only the candidates the engine asked about.
 */
export function batchActivity(rows: (db: Db, stageIds: string[], candidateIds: string[]) => Promise<{ stageId: string; candidateId: string }[]>): ActivityHook {
  const batch: BatchActivity = async (db, items) => {
    const out = new Map<string, Set<string>>(items.map((i) => [i.stage.id, new Set<string>()]));
    const candidates = [...new Set(items.flatMap((i) => i.candidateIds))];
    if (!candidates.length) return out;
    const asked = new Map(items.map((i) => [i.stage.id, new Set(i.candidateIds)]));
    for (const r of await rows(db, items.map((i) => i.stage.id), candidates)) if (asked.get(r.stageId)?.has(r.candidateId)) out.get(r.stageId)?.add(r.candidateId);
    return out;
  };
  return withBatch(async (db, stage, candidateIds) => (await batch(db, [{ stage, candidateIds }])).get(stage.id) ?? new Set<string>(), batch);
}
