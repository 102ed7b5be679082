/** The requirement kinds the engine knows: the core kinds plus those declared by stage modules' manifests. */
import type { RequirementKind } from './types';

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

/** Which candidates have done anything in a stage (a module's `activity` hook). */
export type ActivityHook = (db: import('../db').Db, stage: import('./types').StageRow, candidateIds: string[]) => Promise<Set<string>>;

const activityHooks = new Map<string, ActivityHook>();

/** Registers what a stage module brings to progression: its requirement kinds and its activity hook. */
export function registerStageModule(manifest: { key: string; requirementKinds?: Record<string, RequirementKind>; activity?: ActivityHook }): void {
  if (manifest.requirementKinds) registerRequirementKinds(manifest.requirementKinds);
  if (manifest.activity) activityHooks.set(manifest.key, manifest.activity);
}

/** The activity hook of a module, if it has one. */
export function activityHook(moduleKey: string): ActivityHook | undefined {
  return activityHooks.get(moduleKey);
}
