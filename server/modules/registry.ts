/** What one app has installed, built once at boot from its stage modules' manifests (`ctx.registry`). Nothing here is
 * module-level state: two apps in one process, with different modules, each have their own. */
import type { EvidenceKinds } from '../evidence/kinds';
import type { CapabilityGrants, Grantee } from '../auth/actor';
import type { LedgerProjection } from '../ledger/projections';
import type { ActivityHook, RequirementKind, RequirementSpec } from '../progression/types';
import type { CertificationsHook, CurriculumHook } from '../impact/programme';
import type { ReportSection } from '../readiness/pdf';
import type { Db } from '../db';
import type { AssessmentContextsHook } from '../rubrics/contexts';

/** Where a stage sits in the built-in programme: `order` (1 runs first) and its days counted from the cohort's start. */
export type ProgrammePlace = { order: number; startDay: number; endDay: number };

/** A link core shows for a module (on the admin workspace). */
export type ModuleLink = { label: string; href: string };

/** Something of a module happening now in a cohort (a live room open, a course running), with where to act on it;
 * the mentor dashboard lists these under "Running now". */
export type RunningNow = { cohortId: string; title: string; detail?: string; links: ModuleLink[] };

/** A module's answer to "what is running now in these cohorts?" (a fixed number of queries for any number of cohorts). */
export type RunningNowHook = (db: Db, cohortIds: string[], now: Date) => Promise<RunningNow[]>;

/** A main-menu entry a module adds, for people holding one of `for` in any cohort (admins: 'admin'). Its path may
 * name `:cohortId` and `:userId`, filled from the person's own cohort where they hold one of `for` (server/navigation.ts). */
export type ModuleNavEntry = ModuleLink & { for: Grantee[] };

/** What programme templates and core screens need to know of an installed stage module. */
export type InstalledModule = {
  key: string;
  title: string;
  summary: string;
  defaults: { config: Record<string, unknown>; open: RequirementSpec[]; complete: RequirementSpec[] };
  programme?: ProgrammePlace;
  adminLinks: ModuleLink[];
  nav: ModuleNavEntry[];
  /** The database tables the module declares (its schema's table names). */
  tables: string[];
};

/** The installed modules that belong to the built-in programme, in the order they are meant to run. */
export function builtInStages(modules: InstalledModule[]): (InstalledModule & { programme: ProgrammePlace })[] {
  return modules.filter((m): m is InstalledModule & { programme: ProgrammePlace } => !!m.programme).sort((a, b) => a.programme.order - b.programme.order);
}

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
  /** The modules' lists of sessions and modules a candidate can be assessed on. */
  assessmentContexts: AssessmentContextsHook[];
  /** Sections stage modules add to the inspector's cohort report. */
  reports: ((db: Db, cohortId: string) => Promise<ReportSection | null>)[];
  /** What the modules say is running now in given cohorts (the mentor dashboard). */
  runningNow: RunningNowHook[];
};
