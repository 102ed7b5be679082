/** The requirement kinds the engine knows: the core kinds plus those declared by stage modules' manifests. */
import type { RequirementKind, RequirementSpec } from './types';

/** Retired cohort stages (no longer in the programme after a template was applied) sit at this position and
 * above, so `order by position limit 1` still finds a module's live stage first; live stages are 1..999. */
export const RETIRED_POSITION = 1000;

const kinds = new Map<string, RequirementKind>();

/** Registers requirement kinds by name (a later registration of the same name replaces the earlier one). */
export function registerRequirementKinds(record: Record<string, RequirementKind>): void {
  for (const [name, kind] of Object.entries(record)) kinds.set(name, kind);
}

/** The kind registered under `name`, if any. */
export function requirementKind(name: string): RequirementKind | undefined {
  return kinds.get(name);
}

/** Every registered kind name, sorted (for admin screens). */
export function requirementKindNames(): string[] {
  return [...kinds.keys()].sort();
}

/** Many stages at once: stage id → candidates who have done anything (one set-based query for all stages). */
export type BatchActivity = (db: import('../db').Db, items: { stage: import('./types').StageRow; candidateIds: string[] }[]) => Promise<Map<string, Set<string>>>;

/** Which candidates have done anything in a stage (a module's `activity` hook); a hook may carry a `batch`
 * form, which the engine prefers so that activity costs a fixed number of queries however many cohorts. */
export type ActivityHook = ((db: import('../db').Db, stage: import('./types').StageRow, candidateIds: string[]) => Promise<Set<string>>) & { batch?: BatchActivity };

/** Gives a per-stage activity hook its batch form. */
export function withBatch(hook: (db: import('../db').Db, stage: import('./types').StageRow, candidateIds: string[]) => Promise<Set<string>>, batch: BatchActivity): ActivityHook {
  return Object.assign(hook, { batch });
}

const activityHooks = new Map<string, ActivityHook>();

/** What programme templates need to know of an installed stage module. */
export type InstalledModule = { key: string; title: string; summary: string; defaults: { config: Record<string, unknown>; open: RequirementSpec[]; complete: RequirementSpec[] } };

const installed = new Map<string, InstalledModule>();

/** Registers what a stage module brings to progression: its requirement kinds, activity hook and defaults. */
export function registerStageModule(manifest: InstalledModule & { requirementKinds?: Record<string, RequirementKind>; activity?: ActivityHook }): void {
  if (manifest.requirementKinds) registerRequirementKinds(manifest.requirementKinds);
  if (manifest.activity) activityHooks.set(manifest.key, manifest.activity);
  installed.set(manifest.key, { key: manifest.key, title: manifest.title, summary: manifest.summary, defaults: manifest.defaults });
}

/** The installed stage modules, by key order. */
export function installedModules(): InstalledModule[] {
  return [...installed.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** The activity hook of a module, if it has one. */
export function activityHook(moduleKey: string): ActivityHook | undefined {
  return activityHooks.get(moduleKey);
}
