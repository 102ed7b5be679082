/**
 * The migrated PGlite data directory every new embedded database starts from. Creating a PGlite cluster (initdb)
 * and running every migration takes seconds; copying a migrated directory and opening it takes a fraction of one.
 * The template is keyed by the PGlite version and the content of every migration, and is made by `npm run build`
 * (into `dist/.cache`) or, failing that, by the first start that needs it (into `.cache`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { QUEUES } from '../jobs';

/** The folder holding `server/`, `modules/` and `views/`: the repository, or `dist/` when built. */
const appRoot = path.resolve(__dirname, '../..');

/** The built-in stage modules' own migrations folders (`modules/<key>/migrations`), by key. */
export function moduleMigrationFolders(): { key: string; folder: string }[] {
  const modules = path.join(appRoot, 'modules');
  if (!existsSync(modules)) return [];
  return readdirSync(modules)
    .sort()
    .map((key) => ({ key, folder: path.join(modules, key, 'migrations') }))
    .filter((m) => existsSync(path.join(m.folder, 'meta', '_journal.json')));
}

/** Every folder of migrations: the core one and any a stage module owns (`modules/<key>/migrations`). */
export function migrationFolders(): string[] {
  return [path.join(appRoot, 'server/db/migrations'), ...moduleMigrationFolders().map((m) => m.folder)];
}

function hashTree(h: ReturnType<typeof createHash>, dir: string, rel = ''): void {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) hashTree(h, full, `${rel}${name}/`);
    else h.update(`${rel}${name}\0`).update(readFileSync(full));
  }
}

/** The installed version of a package whose data the template holds (PGlite's cluster, the job queue's tables). */
function versionOf(name: string): string {
  // Walk up from the package's main file to the package.json that names it.
  for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
    if (pkg.name === name) return pkg.version;
  }
  throw new Error(`no package.json for ${name}`);
}

/** A short hash of the PGlite and pg-boss versions, the job queues and every migration file: a schema change makes a
 * new template. */
export function schemaHash(): string {
  const h = createHash('sha256').update(`pglite ${versionOf('@electric-sql/pglite')}\0pg-boss ${versionOf('pg-boss')}\0queues ${Object.values(QUEUES).join(' ')}\0`);
  for (const folder of migrationFolders()) {
    h.update(`${path.relative(appRoot, folder)}\0`);
    hashTree(h, folder);
  }
  return h.digest('hex').slice(0, 16);
}

/** Where the template for the current schema lives. */
export function pgliteTemplateDir(): string {
  return path.join(appRoot, '.cache', `pglite-${schemaHash()}`);
}

const READY = 'cadre-template-ready';

/** The copy, run in a worker thread (CommonJS source, so it needs no build step). */
const COPY_IN_WORKER = `
const { cpSync } = require('node:fs');
const path = require('node:path');
const { from, to, skip } = require('node:worker_threads').workerData;
cpSync(from, to, { recursive: true, filter: (src) => path.basename(src) !== skip });
`;

/**
 * Returns the template directory, making it first when it is missing: initdb and every migration in a scratch
 * directory, closed cleanly, then renamed into place (so a half-made template is never used, even by a process
 * racing this one). `migrate` is the app's migrator (passed in, so this file does not depend on the drivers).
 */
export async function ensurePgliteTemplate(migrate: (client: PGlite) => Promise<void>): Promise<string> {
  const dir = pgliteTemplateDir();
  if (existsSync(path.join(dir, READY))) return dir;
  mkdirSync(path.dirname(dir), { recursive: true });
  const scratch = `${dir}.tmp-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  const client = await PGlite.create(scratch);
  try {
    await migrate(client);
  } finally {
    await client.close();
  }
  writeFileSync(path.join(scratch, READY), new Date().toISOString());
  try {
    renameSync(scratch, dir);
  } catch (err) {
    // Another process finished first: use its template.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(path.join(dir, READY))) throw err;
  }
  return dir;
}

/** True when `dataDir` already holds a PostgreSQL cluster. */
export function hasCluster(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

/**
 * Makes `dataDir` (absent or empty) a copy of the template; the caller opens it and applies any newer migrations.
 * The copy is made beside it and renamed into place, so an interrupted copy never looks like a database.
 */
export async function copyTemplate(template: string, dataDir: string): Promise<void> {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const partial = `${dataDir}.copying`;
  rmSync(partial, { recursive: true, force: true });
  // On a thread of its own: a first start loads the app's code while the files copy.
  await new Promise<void>((resolve, reject) => {
    const copier = new Worker(COPY_IN_WORKER, { eval: true, workerData: { from: template, to: partial, skip: READY } });
    copier.once('error', reject);
    copier.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`copying the PGlite template stopped (exit ${code})`))));
  });
  if (existsSync(dataDir)) rmdirSync(dataDir); // only ever empty here: rmdir refuses a folder with files in it
  renameSync(partial, dataDir);
}
