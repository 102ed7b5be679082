/** Discovers stage modules in `modules/*`, validates every manifest, then (and only then) mounts them. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { migrateFolder, moduleMigrationsTable, type Database } from '../db';
import type { ActivityHook, RequirementKind } from '../progression/types';
import { coreKinds } from '../progression/kinds';
import { evidenceKinds, type EvidenceKind } from '../evidence/kinds';
import type { Grantee } from '../auth/actor';
import type { AppRegistry } from './registry';
import type { CertificationsHook, CurriculumHook } from '../impact/programme';
import type { StageManifest } from './types';
import { ledgerProjections } from '../ledger/registry';
import { StageLoadError } from '../errors';

/** A manifest failed validation (the class lives in the error catalogue, `server/errors.ts`). */
export { StageLoadError };

const KEY = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const GRANTEES = new Set(['admin', 'lead', 'mentor', 'candidate', 'observer']);

/** The folder the built-in modules live in. */
export const modulesDir = path.resolve(__dirname, '../../modules');

/** Loads `index.ts` of each module folder (sorted by name) and returns the default-exported manifests. */
export function discoverModules(dir = modulesDir): StageManifest[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && (existsSync(path.join(dir, d.name, 'index.ts')) || existsSync(path.join(dir, d.name, 'index.js'))))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(path.join(dir, name)) as { default?: StageManifest };
      if (!loaded.default) throw new StageLoadError('CADRE_ERR_STAGE_NO_MANIFEST', `modules/${name}/index.ts has no default export (export default defineStage({...}))`);
      if (loaded.default.key !== name) {
        throw new StageLoadError('CADRE_ERR_STAGE_KEY_MISMATCH', `modules/${name} declares key '${loaded.default.key}'; the key must equal the folder name`);
      }
      return loaded.default;
    });
}

/** Checks every manifest against the rules; throws the first StageLoadError found. */
export function validateManifests(manifests: StageManifest[]): void {
  const keys = new Set<string>();
  for (const m of manifests) {
    if (!KEY.test(m.key)) throw new StageLoadError('CADRE_ERR_STAGE_BAD_KEY', `'${m.key}' is not a kebab-case key`);
    if (keys.has(m.key)) throw new StageLoadError('CADRE_ERR_STAGE_DUPLICATE_KEY', `two modules declare the key '${m.key}'`);
    keys.add(m.key);
    if (!m.title?.trim()) throw new StageLoadError('CADRE_ERR_STAGE_NO_TITLE', `module '${m.key}' has no title`);
    for (const [cap, grantees] of Object.entries(m.capabilities)) {
      if (!cap.startsWith(`${m.key}:`)) {
        throw new StageLoadError('CADRE_ERR_STAGE_CAPABILITY_PREFIX', `capability '${cap}' of module '${m.key}' must start with '${m.key}:'`);
      }
      const bad = grantees.filter((g) => !GRANTEES.has(g));
      if (bad.length) throw new StageLoadError('CADRE_ERR_STAGE_BAD_GRANTEE', `capability '${cap}' grants unknown role(s): ${bad.join(', ')}`);
    }
    for (const kind of Object.keys(m.requirementKinds ?? {})) {
      if (!kind.startsWith(`${m.key}:`)) {
        throw new StageLoadError('CADRE_ERR_STAGE_REQUIREMENT_PREFIX', `requirement kind '${kind}' of module '${m.key}' must start with '${m.key}:'`);
      }
    }
    for (const kind of Object.keys(m.evidenceKinds ?? {})) {
      if (!kind.startsWith(`${m.key}:`)) {
        throw new StageLoadError('CADRE_ERR_STAGE_EVIDENCE_PREFIX', `evidence kind '${kind}' of module '${m.key}' must start with '${m.key}:'`);
      }
    }
    const prefix = `${m.key.replace(/-/g, '_')}_`;
    for (const projection of m.ledger ?? []) {
      const bad = projection.subjectTypes.filter((t) => !t.startsWith(prefix));
      if (bad.length) throw new StageLoadError('CADRE_ERR_STAGE_LEDGER_PREFIX', `ledger checker '${projection.name}' of module '${m.key}' reads subject type(s) ${bad.join(', ')}; each must start with '${prefix}'`);
    }
    if (m.views && !existsSync(m.views)) throw new StageLoadError('CADRE_ERR_STAGE_VIEWS_MISSING', `module '${m.key}' names views folder ${m.views}, which does not exist`);
    validateData(m);
    validatePlaces(m);
  }
  for (const m of manifests) {
    for (const dep of m.requires) {
      if (!keys.has(dep)) throw new StageLoadError('CADRE_ERR_STAGE_DEPENDENCY_MISSING', `module '${m.key}' requires '${dep}', which is not installed`);
    }
  }
}

/** The table names a module's schema declares. */
export function moduleTables(m: Pick<StageManifest, 'schema'>): string[] {
  return Object.values(m.schema ?? {})
    .filter((v): v is PgTable => is(v, PgTable))
    .map((t) => getTableName(t))
    .sort();
}

/** Tables prefixed with the key in snake case, and a drizzle-kit migrations folder whenever there are tables. */
function validateData(m: StageManifest): void {
  const prefix = `${m.key.replace(/-/g, '_')}_`;
  const tables = moduleTables(m);
  const stray = tables.filter((t) => !t.startsWith(prefix));
  if (stray.length) throw new StageLoadError('CADRE_ERR_STAGE_TABLE_PREFIX', `module '${m.key}' declares table(s) ${stray.join(', ')}; each must start with '${prefix}'`);
  if (tables.length && (!m.migrations || !existsSync(path.join(m.migrations, 'meta', '_journal.json')))) {
    throw new StageLoadError('CADRE_ERR_STAGE_MIGRATIONS_MISSING', `module '${m.key}' declares tables but its migrations folder ${m.migrations ?? '(none named)'} has no drizzle-kit journal: run npm run db:generate`);
  }
}

/** The built-in programme place, admin links and menu entries are well formed. */
function validatePlaces(m: StageManifest): void {
  const p = m.programme;
  if (p && !(Number.isInteger(p.order) && p.order > 0 && Number.isInteger(p.startDay) && Number.isInteger(p.endDay) && p.startDay >= 0 && p.endDay >= p.startDay)) {
    throw new StageLoadError('CADRE_ERR_STAGE_BAD_PROGRAMME', `module '${m.key}' has programme ${JSON.stringify(p)}; order must be a positive whole number and 0 ≤ startDay ≤ endDay`);
  }
  for (const link of [...(m.adminLinks ?? []), ...(m.nav ?? [])]) {
    if (!link.label?.trim() || !/^\/(?!\/)/.test(link.href ?? '')) throw new StageLoadError('CADRE_ERR_STAGE_BAD_LINK', `module '${m.key}' has a link ${JSON.stringify(link)}; it needs a label and a path starting with one '/'`);
  }
  for (const entry of m.nav ?? []) {
    const bad = entry.for.filter((g) => !GRANTEES.has(g));
    if (!entry.for.length || bad.length) throw new StageLoadError('CADRE_ERR_STAGE_BAD_LINK', `menu entry '${entry.label}' of module '${m.key}' must be for one or more of ${[...GRANTEES].join(', ')}`);
  }
}

/** Applies the migrations of the modules an app is given, each recorded in its own table, after core's (which
 * `openDatabase`/`migrateDatabase` ran): those named by a manifest, by key, so a module's tables exist before it mounts. */
export async function migrateModules(database: Database, manifests: StageManifest[]): Promise<void> {
  for (const m of [...manifests].sort((a, b) => a.key.localeCompare(b.key))) {
    if (m.migrations && existsSync(path.join(m.migrations, 'meta', '_journal.json'))) await migrateFolder(database, m.migrations, moduleMigrationsTable(m.key));
  }
}

/** Fails with CADRE_ERR_STAGE_TABLES_MISSING when a module's declared tables are not in the database (one query). */
export async function checkModuleTables(database: Database, manifests: StageManifest[]): Promise<void> {
  const wanted = manifests.flatMap((m) => moduleTables(m).map((table) => ({ key: m.key, table })));
  if (!wanted.length) return;
  const { rows } = await database.query('select table_name from information_schema.tables where table_schema = current_schema() and table_name = any($1)', [wanted.map((w) => w.table)]);
  const present = new Set(rows.map((r) => String(r.table_name)));
  const missing = wanted.filter((w) => !present.has(w.table));
  if (missing.length) {
    const byModule = [...new Set(missing.map((w) => w.key))].map((key) => `module '${key}': ${missing.filter((w) => w.key === key).map((w) => w.table).join(', ')}`);
    throw new StageLoadError('CADRE_ERR_STAGE_TABLES_MISSING', `tables not in the database — ${byModule.join('; ')} (their migrations have not run)`);
  }
}

/** Builds one app's registry from its (validated) manifests: core kinds first, then each module's. */
export function buildRegistry(manifests: StageManifest[]): AppRegistry {
  const capabilities = new Map<string, readonly Grantee[]>();
  const requirementKinds = new Map<string, RequirementKind>(Object.entries(coreKinds));
  const activity = new Map<string, ActivityHook>();
  const evidence: Record<string, EvidenceKind> = {};
  const curriculum = new Map<string, CurriculumHook>();
  const certifications = new Map<string, CertificationsHook>();
  const sorted = [...manifests].sort((a, b) => a.key.localeCompare(b.key));
  for (const m of sorted) {
    for (const [name, grantees] of Object.entries(m.capabilities)) capabilities.set(name, grantees);
    for (const [name, kind] of Object.entries(m.requirementKinds ?? {})) requirementKinds.set(name, kind);
    if (m.activity) activity.set(m.key, m.activity);
    Object.assign(evidence, m.evidenceKinds ?? {});
    if (m.curriculum) curriculum.set(m.key, m.curriculum);
    if (m.certifications) certifications.set(m.key, m.certifications);
  }
  return {
    modules: sorted.map((m) => ({ key: m.key, title: m.title, summary: m.summary, defaults: m.defaults, programme: m.programme, adminLinks: m.adminLinks ?? [], nav: m.nav ?? [], tables: moduleTables(m) })),
    capabilities,
    requirementKinds,
    activity,
    evidence: evidenceKinds(evidence),
    curriculum,
    certifications,
    projections: ledgerProjections(sorted),
    reports: sorted.flatMap((m) => (m.report ? [m.report] : [])),
    assessmentContexts: sorted.flatMap((m) => (m.assessmentContexts ? [m.assessmentContexts] : [])),
    runningNow: sorted.flatMap((m) => (m.runningNow ? [m.runningNow] : [])),
  };
}
