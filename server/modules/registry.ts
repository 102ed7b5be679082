/** What one app has installed, built once at boot from its stage modules' manifests (`ctx.registry`). Nothing here is
 * module-level state: two apps in one process, with different modules, each have their own. */
import type { EvidenceKinds } from '../evidence/kinds';
import type { CapabilityGrants } from '../auth/actor';
import type { LedgerProjection } from '../ledger/projections';
import type { ActivityHook, RequirementKind, RequirementSpec } from '../progression/types';
import type { CertificationsHook, CurriculumHook } from '../impact/programme';
import type { ReportSection } from '../readiness/pdf';
import type { Db } from '../db';

/** What programme templates and core screens need to know of an installed stage module. */
export type InstalledModule = {
  key: string;
  title: string;
  summary: string;
  defaults: { config: Record<string, unknown>; open: RequirementSpec[]; complete: RequirementSpec[] };
};

/** The app's registry: modules, module capabilities, requirement kinds, activity hooks, evidence kinds, the
 * impact hooks (curriculum, certifications), ledger checkers and report sections. */
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
  /** Module key → what its stages teach, by name (for courses the new trainers deliver). */
  curriculum: ReadonlyMap<string, CurriculumHook>;
  /** Module key → its final readiness sign-offs (when each new trainer was certified). */
  certifications: ReadonlyMap<string, CertificationsHook>;
  /** The ledger's projection checkers, core's then the modules' (what `verifyRecord` runs). */
  projections: LedgerProjection[];
  /** Sections stage modules add to the inspector's cohort report. */
  reports: ((db: Db, cohortId: string) => Promise<ReportSection | null>)[];
};
