/** Opens the database — embedded PGlite by default, PostgreSQL when DATABASE_URL is set — and migrates it. */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { countStatement, isWrite } from './statements';
import { trackEmbeddedWrites } from './versions';
import { copyTemplate, ensurePgliteTemplate, hasCluster, migrationFolders, moduleMigrationFolders } from './template';
import { installJobSchema } from '../jobs';

/** The Drizzle database handle used everywhere (a transaction handle has the same shape). */
export type Db = PgDatabase<PgQueryResultHKT>;

/** A plain `query(text, params)` for the few libraries that want one (the session store). */
export type QueryFn = (text: string, params?: unknown[], options?: { name?: string }) => Promise<{ rows: Record<string, unknown>[] }>;

/** An open database and how to reach and close it. */
export type Database = {
  db: Db;
  kind: 'pglite' | 'postgres';
  query: QueryFn;
  /** Runs a script of several statements without parameters (a job queue installs its schema this way). */
  script: (text: string) => Promise<{ rows: Record<string, unknown>[] }>;
  /** Present on PostgreSQL: the pool (the socket.io adapter and LISTEN/NOTIFY need it). */
  pool?: pg.Pool;
  /** PGlite only: the data directory as a tarball (tests copy a migrated template this way). */
  dump?: () => Promise<Blob>;
  /**
   * PGlite only: how many writes this process has sent so far. Nothing else writes an embedded database, so a row
   * read while the count was n still holds while it is n (the data versions and session rows are held so).
   */
  writesSent?: () => number;
  /** PGlite only: drops every row held between writes, as a write would (a test counts a page's worst case so). */
  forgetHeldReads?: () => void;
  close(): Promise<void>;
};

/** Where the migrations live (one folder for both drivers). */
export const migrationsFolder = path.resolve(__dirname, 'migrations');

/** Opens PGlite at `dataDir` (or in memory when undefined), or loads a dumped data directory. */
export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob } = {}): Promise<Database> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create(options.dataDir ?? 'memory://', options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  return pgliteDatabase(client);
}

/** The Database shape over an open PGlite client (statements counted). */
export function pgliteDatabase(client: PGlite): Database {
  const writes = { sent: 0 };
  const standard = textForDrizzle(client);
  countPgliteStatements(client, writes);
  const db = drizzlePglite(client) as unknown as Db;
  trackEmbeddedWrites(db, () => writes.sent);
  return {
    db,
    kind: 'pglite',
    query: async (text, params) => {
      const r = await client.query<Record<string, unknown>>(text, params as unknown[] | undefined);
      return { rows: parsedAsStandard(r, standard) };
    },
    script: async (text) => {
      const results = await client.exec(text);
      const last = results.at(-1);
      return { rows: last ? parsedAsStandard(last as Results<Record<string, unknown>>, standard) : [] };
    },
    dump: () => client.dumpDataDir('none') as Promise<Blob>,
    writesSent: () => writes.sent,
    forgetHeldReads: () => void (writes.sent += 1),
    close: () => client.close(),
  };
}

/**
 * Opens the embedded database in `dataDir`. An empty directory starts as a copy of the migrated template
 * (`server/db/template.ts`) — a fraction of a second instead of initdb and every migration; if no template can be
 * made (a read-only install), PGlite creates the cluster in place.
 */
export async function openEmbedded(dataDir: string, onWarning: (message: string) => void = (m) => process.emitWarning(m)): Promise<Database> {
  let fromTemplate = false;
  if (!hasCluster(dataDir)) {
    try {
      await copyTemplate(await ensurePgliteTemplate((client) => prepareTemplate(pgliteDatabase(client))), dataDir);
      fromTemplate = true;
    } catch (err) {
      onWarning(`no PGlite template (${(err as Error).message}); creating the database in place`);
    }
  }
  const database = await openPglite({ dataDir });
  // The template is keyed by the content of every migration folder: a copy of it has them all applied.
  if (fromTemplate) for (const folder of migrationFolders()) migratedIn(database).add(path.resolve(folder));
  return database;
}

/** Connects to a PostgreSQL server. */
export async function openPostgres(url: string, options: { max?: number; onError?: (err: Error) => void } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle pooled connection that the server closes (restart, failover, a dropped database) emits 'error' on the
  // pool; without a listener that would crash the process. The pool replaces the connection on next use.
  pool.on('error', options.onError ?? ((err) => process.emitWarning(`PostgreSQL connection closed: ${err.message}`)));
  const counted = countingPool(pool);
  const db = drizzlePg(counted) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    pool,
    // `name`: a hot statement prepared once per connection (PostgreSQL); PGlite has no named statements.
    query: async (text, params, options) => {
      const r = options?.name ? await counted.query({ name: options.name, text, values: params as unknown[] | undefined }) : await counted.query(text, params as unknown[] | undefined);
      return { rows: r.rows as Record<string, unknown>[] };
    },
    script: async (text) => {
      const r = (await counted.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(r) ? r.at(-1) : r;
      return { rows: (last?.rows ?? []) as Record<string, unknown>[] };
    },
    close: () => pool.end(),
  };
}

/**
 * The types Drizzle wants as PGlite's text (it maps dates, intervals and numeric arrays itself), and its table of
 * them: Drizzle hands that table to every query, and PGlite then copies its whole parser table (over 300 entries,
 * one per type and array type) to merge it in — about 0.15 ms of each statement. The client is made to return these
 * types as text by default instead (its own table changed once), and `countPgliteStatements` drops Drizzle's table
 * from each query, so nothing is copied.
 */
const DRIZZLE_TEXT_TYPES: number[] = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182];
/** timestamp[], timestamptz[], interval[] and date[], by their element types. */
const ARRAYS_OF_TEXT_TYPES: [number, number][] = [[1115, types.TIMESTAMP], [1185, types.TIMESTAMPTZ], [1187, types.INTERVAL], [1182, types.DATE]];
const asText = (value: string) => value;
const isDrizzleTable = (parsers: Record<number | string, unknown>) => Object.keys(parsers).every((oid) => DRIZZLE_TEXT_TYPES.includes(Number(oid)));

type Results<T> = { rows: T[]; fields: { name: string; dataTypeID: number }[] };

/** Makes `client` return Drizzle's text types as text; returns PGlite's standard parsers of those types (for raw queries). */
function textForDrizzle(client: PGlite): Map<number, (value: string, typeId?: number) => unknown> {
  type Parse = (value: string, typeId?: number) => unknown;
  const standard = new Map<number, Parse>();
  for (const oid of DRIZZLE_TEXT_TYPES) {
    const parser = client.parsers[oid] as Parse | undefined;
    if (parser) standard.set(oid, parser);
  }
  // An array type's parser looks its element's parser up when it runs, so it would parse elements as text too.
  for (const [array, element] of ARRAYS_OF_TEXT_TYPES) {
    const parseElement = standard.get(element);
    if (parseElement) standard.set(array, (value) => types.arrayParser(value, parseElement, array) as unknown);
  }
  for (const oid of DRIZZLE_TEXT_TYPES) client.parsers[oid] = asText;
  return standard;
}

/** A raw query's rows as PGlite parses them by default (dates as Dates): its text-type columns parsed here. */
function parsedAsStandard(result: Results<Record<string, unknown>>, standard: Map<number, (value: string, typeId?: number) => unknown>): Record<string, unknown>[] {
  const columns = (result.fields ?? []).filter((f) => standard.has(f.dataTypeID));
  if (!columns.length) return result.rows;
  for (const row of result.rows) {
    for (const { name, dataTypeID } of columns) {
      const value = row[name];
      if (typeof value === 'string') row[name] = standard.get(dataTypeID)!(value, dataTypeID);
    }
  }
  return result.rows;
}

/**
 * Makes this PGlite instance report every statement it sends (`server/db/statements.ts`), transactions included.
 * Each statement on the root connection first lets the event loop turn once (setImmediate): PGlite runs statements on
 * this thread, so without the turn a busy server runs request after request inside one loop iteration, and since
 * libuv accepts one new connection per iteration (libuv 1.45+), a burst of new connections under load waited up to
 * 3 s to be accepted while the requests already in were answered in milliseconds. Statements inside a transaction
 * do not turn: the transaction holds the database until it ends.
 */
function countPgliteStatements(client: PGlite, writes: { sent: number }): void {
  const sent = (text: string) => {
    countStatement(text);
    if (isWrite(text)) writes.sent += 1;
  };
  const count = (target: Pick<Transaction, 'query' | 'exec'>, yieldFirst: boolean) => {
    const query = target.query.bind(target);
    const exec = target.exec.bind(target);
    target.query = (async (text: string, params?: unknown[], options?: { parsers?: Record<number, unknown> }) => {
      sent(text);
      if (yieldFirst) await new Promise<void>((resolve) => setImmediate(resolve));
      // Drizzle's own parsers table is what the client now does by default (`textForDrizzle`): dropped, not copied.
      if (options?.parsers && isDrizzleTable(options.parsers)) {
        const { parsers: _drizzle, ...rest } = options;
        return (query as (...a: unknown[]) => unknown)(text, params, rest);
      }
      return (query as (...a: unknown[]) => unknown)(text, params, options);
    }) as Transaction['query'];
    target.exec = ((text: string, ...rest: unknown[]) => {
      sent(text);
      return (exec as (...a: unknown[]) => unknown)(text, ...rest);
    }) as Transaction['exec'];
  };
  count(client, true);
  const transaction = client.transaction.bind(client);
  client.transaction = <T>(fn: (tx: Transaction) => Promise<T>): Promise<T> => {
    countStatement('BEGIN');
    return transaction(async (tx) => {
      count(tx, false);
      try {
        const result = await fn(tx);
        countStatement('COMMIT');
        return result;
      } catch (err) {
        countStatement('ROLLBACK');
        throw err;
      }
    });
  };
}

/**
 * A view of `pool` that reports every statement sent through it: `query` directly, and the clients handed out by
 * `connect()` (Drizzle's transactions). Counting happens in the caller's async context, never in pg-pool's queue.
 */
function countingPool(pool: pg.Pool): pg.Pool {
  const textOf = (q: unknown) => (typeof q === 'string' ? q : String((q as { text?: unknown } | null)?.text ?? ''));
  const countingClient = (client: pg.PoolClient) =>
    new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === 'query') {
          return (q: unknown, ...rest: unknown[]) => {
            countStatement(textOf(q));
            return (target.query as (...a: unknown[]) => unknown).call(target, q, ...rest);
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (q: unknown, ...rest: unknown[]) => {
          countStatement(textOf(q));
          return (target.query as (...a: unknown[]) => unknown).call(target, q, ...rest);
        };
      }
      if (prop === 'connect') {
        return async (...args: unknown[]) => {
          if (args.length) throw new Error('connect(callback) is not counted: use the promise form');
          return countingClient(await target.connect());
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** What a new embedded database holds before the app first opens it: every migration and the job queue's tables. */
export async function prepareTemplate(database: Database): Promise<void> {
  await migrateDatabase(database);
  await installJobSchema(database);
}

/** The table recording which of a stage module's migrations have run (core's is drizzle's default). */
export function moduleMigrationsTable(moduleKey: string): string {
  return `__drizzle_migrations_${moduleKey.replace(/-/g, '_')}`;
}

/** The advisory lock (PostgreSQL, session level) held while migrations run: one node migrates, the others wait. */
export const MIGRATION_LOCK = 7_301;

/**
 * Applies the pending migrations of one folder, recorded in `migrationsTable` (schema `drizzle`). On PostgreSQL
 * several nodes may start at once: each takes the migration lock on a connection of its own first, so one node
 * migrates while the others wait, then find nothing left to apply.
 */
export async function migrateFolder(database: Database, folder: string, migrationsTable?: string): Promise<void> {
  // Once per folder and open database: start-up reaches the built-in modules' folders twice (migrateDatabase, then
  // the loader's migrateModules), and a database copied from the current template needs none.
  const done = migratedIn(database);
  if (done.has(path.resolve(folder))) return;
  await migrateFolderNow(database, folder, migrationsTable);
  done.add(path.resolve(folder));
}

/** The migration folders already applied to an open database, in this process. */
const migrated = new WeakMap<Database, Set<string>>();
function migratedIn(database: Database): Set<string> {
  let done = migrated.get(database);
  if (!done) migrated.set(database, (done = new Set()));
  return done;
}

async function migrateFolderNow(database: Database, folder: string, migrationsTable?: string): Promise<void> {
  const config = { migrationsFolder: folder, ...(migrationsTable ? { migrationsTable } : {}) };
  if (database.kind === 'pglite' || !database.pool) {
    await migratePglite(database.db as unknown as Parameters<typeof migratePglite>[0], config);
    return;
  }
  // A connection outside the pool holds the lock, so a pool of one still has its connection for the migrations.
  const holder = new pg.Client(database.pool.options);
  await holder.connect();
  try {
    await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(database.db as unknown as Parameters<typeof migratePg>[0], config);
  } finally {
    await holder.end().catch(() => undefined); // ending the session releases the lock
  }
}

/** Applies every pending migration: core's first, then each built-in stage module's own folder
 * (`modules/<key>/migrations`, by key). Safe to call on each start; the loader applies those of the modules an
 * app is given the same way (`migrateModules`). */
export async function migrateDatabase(database: Database): Promise<void> {
  await migrateFolder(database, migrationsFolder);
  for (const { key, folder } of moduleMigrationFolders()) await migrateFolder(database, folder, moduleMigrationsTable(key));
}

/** Opens the configured database and migrates it. */
export async function openDatabase(config: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  const database = config.databaseUrl
    ? await openPostgres(config.databaseUrl)
    : await openEmbedded(path.join(config.dataDir, 'pglite'));
  await migrateDatabase(database);
  return database;
}
