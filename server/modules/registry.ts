/** What one app has installed, built once at boot from its stage modules' manifests (`ctx.registry`). Nothing here is
 * module-level state: two apps in one process, with different modules, each have their own. */
import type { EvidenceKinds } from '../evidence/kinds';
import type { CapabilityGrants } from '../auth/actor';
import type { ActivityHook, RequirementKind, RequirementSpec } from '../progression/types';

/** What programme templates and core screens need to know of an installed stage module. */
export type InstalledModule = {
  key: string;
  title: string;
  summary: string;
  defaults: { config: Record<string, unknown>; open: RequirementSpec[]; complete: RequirementSpec[] };
};

/** The app's registry: modules, module capabilities, requirement kinds, activity hooks and evidence kinds. */
export type AppRegistry = {
  /** Installed stage modules, by key order. */
  modules: InstalledModule[];
  /** `<module>:<verb>` → who in a cohort holds it. */
  capabilities: CapabilityGrants;
  /** Core kinds and `<module>:<kind>` kinds. */
  requirementKinds: ReadonlyMap<string, RequirementKind>;
  /** Module key → its activity hook. */
  activity: ReadonlyMap<string, ActivityHook>;
  /** `<module>:<name>` evidence kinds (and their older spellings). */
  evidence: EvidenceKinds;
};
