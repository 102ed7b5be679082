/** The manifest every stage module exports from `modules/<key>/index.ts`. */
import type { Server as IoServer, Socket } from 'socket.io';
import type { AppContext } from '../context';
import type { Db } from '../db';
import type { CadreRouter, RouteRegistry } from '../http/router';
import type { CertificationsHook, CurriculumHook } from '../impact/programme';
import type { LedgerProjection } from '../ledger/projections';
import type { Grantee } from '../policies';
import type { ActivityHook, RequirementKind, RequirementSpec, StageRow } from '../progression/types';
import type { EvidenceKind } from '../evidence/kinds';
import type { StageHelpers } from './stage-helpers';
import type { ReportSection } from '../readiness/pdf';
import type { ModuleLink, ModuleNavEntry, ProgrammePlace, RunningNowHook } from './registry';
import type { AssessmentContextsHook } from '../rubrics/contexts';

/** Demo-data context for a module's seed hook. */
export type SeedContext = {
  db: Db;
  config: AppContext['config'];
  /** Where demo files go (the app's storage: UPLOAD_DIR or the S3 bucket). */
  storage: AppContext['storage'];
  cohortId: string;
  stage: StageRow;
  /** Demo people by handle: admin, mentor1, mentor2, lead, candidate1..3 — the candidate handles only for the current
   * demo cohort (a finished cohort is seeded with staff handles and `reached` alone). */
  people: Record<string, string>;
  /** How far each demo candidate has got (candidate id → position of the stage they are in, 1-based). */
  reached: Record<string, number>;
};

/** A stage module's declaration. The loader validates it before anything is mounted. */
export type StageManifest = {
  /** kebab-case, unique: also the URL segment and the prefix of capabilities and tables. */
  key: string;
  title: string;
  /** One sentence for admins choosing stages and for candidates reading their timeline. */
  summary: string;
  /** Other module keys this one needs (rare). */
  requires: string[];
  /** `<key>:<verb>` → who in a cohort holds it. */
  capabilities: Record<string, Grantee[]>;
  /** Module-specific requirement kinds, named `<key>:<kind>`. */
  requirementKinds?: Record<string, RequirementKind>;
  /** Defaults used when a template adds this stage. */
  defaults: { config: Record<string, unknown>; open: RequirementSpec[]; complete: RequirementSpec[] };
  /** Its place in the built-in programme: the order stages are meant to run in and the day window from the cohort's start. */
  programme?: ProgrammePlace;
  /** The module's tables: `import * as schema from './schema'` (each table named `<key in snake case>_…`). */
  schema?: Record<string, unknown>;
  /** Absolute path of the module's own migrations (`path.join(__dirname, 'migrations')`), made by `npm run db:generate`
   * from its schema; the loader applies them after core's and checks the declared tables exist. */
  migrations?: string;
  /** Links on the admin workspace (`/admin`) to the module's global screens. */
  adminLinks?: ModuleLink[];
  /** Entries in the main menu, shown to people who hold one of `for` in any cohort. */
  nav?: ModuleNavEntry[];
  /** Page routes, mounted under /cohorts/:cohortId/stages/<key>. */
  routes?: (r: StagePages, ctx: StageRuntime) => void;
  /** JSON routes, mounted under /api/v1/cohorts/:cohortId/stages/<key>. */
  api?: (r: StageApi, ctx: StageRuntime) => void;
  /** Routes outside a cohort (media, admin screens), mounted under /stages/<key>; they authorise themselves. */
  globalRoutes?: (r: StageGlobal, ctx: StageRuntime) => void;
  /** Routers in a URL space of the module's own (such as `/cohorts/:cohortId/live`), made from `routes.router(prefix)`;
   * mounted behind the login after core's routes. Prefer `routes`/`api`, whose URLs name the stage. */
  routers?: (routes: RouteRegistry, ctx: StageRuntime) => CadreRouter[];
  /** Incoming webhooks, mounted under /webhooks/<key>: no session, no CSRF — they must verify a signature. */
  webhooks?: (r: StageWebhooks, ctx: StageRuntime) => void;
  /** Absolute path of the module's views folder; partials in `<views>/partials` are namespaced `<key>/`. */
  views?: string;
  /** Socket handlers, called for each authenticated connection. */
  sockets?: (io: IoServer, socket: Socket, ctx: StageRuntime) => void;
  /** Which candidates have done anything in this stage (turns `open` into `in_progress`); may carry a batch form (`withBatch`). */
  activity?: ActivityHook;
  /** Evidence a sign-off can cite from this module's tables, named `<key>:<name>` (core calls `resolveEvidence`). */
  evidenceKinds?: Record<string, EvidenceKind>;
  /** The sessions or knowledge modules of this module's stages a candidate can be assessed on, named for people (the
   * scoring form offers them; the assessments page names what each assessment was about). */
  assessmentContexts?: AssessmentContextsHook;
  /** What this module's stages teach, by name (knowledge modules, practical sessions, the course's learning outcomes):
   * the choices a new trainer ticks when recording a course they delivered, and what its questionnaire asks about. */
  curriculum?: CurriculumHook;
  /** The final readiness sign-offs given in this module's stages (when each new trainer was certified). */
  certifications?: CertificationsHook;
  /** Demo data for this stage. */
  seed?: (ctx: SeedContext) => Promise<void>;
  /** Checkers for the module's ledgered records: its tables must agree with its ledger entries (subject types `<key_in_snake_case>_…`). */
  ledger?: LedgerProjection[];
  /** A section of the inspector's cohort report (null when the module has nothing to say for this cohort). */
  report?: (db: Db, cohortId: string) => Promise<ReportSection | null>;
  /** What is running now in some cohorts (live rooms, sessions), with links to act on it: the mentor dashboard's "Running now". */
  runningNow?: RunningNowHook;
};

/** Where a module's routers are mounted (their routes' path parameters are typed from these prefixes). */
export type StagePages = CadreRouter<`/cohorts/:cohortId/stages/${string}`>;
/** The module's JSON routes. */
export type StageApi = CadreRouter<`/api/v1/cohorts/:cohortId/stages/${string}`>;
/** The module's routes outside a cohort. */
export type StageGlobal = CadreRouter<`/stages/${string}`>;
/** The module's incoming webhooks. */
export type StageWebhooks = CadreRouter<`/webhooks/${string}`>;

/** What a module's hooks receive: the app context plus helpers bound to the module. */
export type StageRuntime = AppContext & {
  manifest: StageManifest;
  /** The absolute path of one of this module's views, for `res.render`. */
  view: (name: string) => string;
  /** Helpers bound to this module: its stage in a cohort, the authorised request context, lock reasons. */
  stage: StageHelpers;
};

/** Declares a module's capabilities (`<key>:<verb>` → grantees), checking the prefix as it types them; merge the keys
 * into `ModuleCapabilities` beside the manifest so `authorize`/`can` accept exactly these. */
export function defineCapabilities<K extends string, C extends Record<`${K}:${string}`, Grantee[]>>(_key: K, capabilities: C): C {
  return capabilities;
}

/** Declares a stage module; an identity function that gives the manifest its type. */
export function defineStage(manifest: StageManifest): StageManifest {
  return manifest;
}
