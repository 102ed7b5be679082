/** Durable jobs in the database (pg-boss): `enqueue(name, payload)` and `work(name, handler)`, retried with backoff.
 * pg-boss runs on PGlite and PostgreSQL alike through its `db.executeSql` hook; graphile-worker needs a real pg pool
 * and LISTEN/NOTIFY (and its current release needs Node 22), so it cannot run on the embedded database. pg-boss 10
 * is the last line that supports Node 20. */
import PgBoss from 'pg-boss';
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Db } from './db';
import { isPgError } from './errors';
import type { Logger } from './logger';

/** How a job is retried. */
export type JobOptions = {
  /** Send inside this transaction: the job exists exactly when the transaction commits. */
  tx?: Db;
  /** Attempts after the first (default 5). */
  retryLimit?: number;
  /** Seconds before the first retry, doubled each time (default 5). */
  retryDelaySeconds?: number;
  /** Wait this long before the first attempt. */
  startAfterSeconds?: number;
  /** At most one job with this key in each `seconds`-long slot of the clock (slots start at whole multiples of
   * `seconds` since the epoch; at most 12 hours), whichever node sends it and however often: a second send returns
   * null. For schedules: a key naming the hour a job is for, sent only during the hour before (one slot of 3600). */
  unique?: { key: string; seconds: number };
};

/** A job handler: throw to have the job retried. */
export type JobHandler<P> = (payload: P, job: { id: string; attempt: number }) => Promise<void>;

/** The job queue of one app instance. */
export type Jobs = {
  /** Puts a job on the queue; returns its id. */
  enqueue<P extends object>(name: string, payload: P, options?: JobOptions): Promise<string | null>;
  /** Runs `handler` for every job called `name` (polling the database every `pollSeconds`, default 2). */
  work<P extends object>(name: string, handler: JobHandler<P>, options?: { pollSeconds?: number }): Promise<void>;
  /** Stops polling and waits briefly for running handlers. */
  stop(): Promise<void>;
};

/** A pg-boss `db` over Drizzle (for sends inside a transaction): `$1…$n` become bound parameters. */
function executorFor(db: Db): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const parts = text.split(/\$(\d+)/);
      const chunks: SQL[] = [];
      parts.forEach((part, i) => chunks.push(i % 2 === 0 ? sql.raw(part) : sql`${values[Number(part) - 1]}`));
      const result = (await db.execute(sql.join(chunks))) as unknown as { rows: unknown[] };
      return { rows: result.rows };
    },
  };
}

/** The schema the queue's tables live in. */
const JOB_SCHEMA = 'pgboss';

/** Every queue the app works, by what it is for. Named here, in one place, so the migrated PGlite template holds
 * them already: creating a queue is DDL (a partition each), which a first start would otherwise pay for. */
export const QUEUES = {
  /** E-mails for notifications, sent after the transaction that wrote them commits. */
  mail: 'after-commit.mail',
  /** The hourly scan for certificates, refreshers and first aid about to expire. */
  expiryScan: 'register.expiry-scan',
  /** One expiry warning to a trainer and their organisation's leads. */
  expiryWarn: 'register.expiry-warn',
  /** A cohort's grades posted back to the LTI platform. */
  ltiGrades: 'lti.grades',
} as const;

/** Installs the queue's tables on a database that has none (the migrated PGlite template carries them, so a first
 * start need not; `startJobs` still installs or upgrades them when missing or older). */
export async function installJobSchema(database: Database): Promise<void> {
  await database.script(PgBoss.getConstructionPlans(JOB_SCHEMA));
  const boss = new PgBoss({ db: { executeSql: (text, values) => database.query(text, values) }, schema: JOB_SCHEMA, supervise: false, schedule: false, migrate: false });
  for (const name of Object.values(QUEUES)) await boss.createQueue(name);
}

/** Starts the queue on `database` (installing or migrating its `pgboss` schema the first time). */
export async function startJobs(database: Database, logger: Logger, options: { maintenance?: boolean } = {}): Promise<Jobs> {
  const db: PgBoss.Db = {
    executeSql: async (text, values) => (values?.length ? database.query(text, values) : database.script(text)),
  };
  const boss = new PgBoss({ db, schema: JOB_SCHEMA, supervise: options.maintenance ?? true, schedule: false, maintenanceIntervalSeconds: 300 });
  boss.on('error', (err) => logger.warn({ err }, 'job queue error'));
  await boss.start();
  const queues = new Map<string, Promise<void>>();
  // Queues are created one at a time here, and again when PostgreSQL picks the creation as a deadlock victim:
  // pg-boss 10 creates a queue's partition without a lock, so nodes starting together can deadlock (40P01). The
  // failed statement is rolled back whole and creation skips a queue that exists, so trying again is safe.
  let creating: Promise<unknown> = Promise.resolve();
  const createQueue = async (name: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await boss.createQueue(name);
      } catch (err) {
        if (!isPgError(err, 'deadlockDetected') || attempt >= 8) throw err;
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80 * attempt));
      }
    }
  };
  // Workers still being registered when stop() is called: stop waits for them so none starts polling after it (a
  // worker registered after pg-boss stopped would poll forever, past the end of a test or a drained node).
  const registering = new Set<Promise<unknown>>();
  let stopping = false;
  const ensure = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = creating.then(() => createQueue(name)).catch((err: unknown) => {
        queues.delete(name);
        throw err;
      });
      queues.set(name, q);
      creating = q.catch(() => undefined);
    }
    return q;
  };
  return {
    async enqueue(name, payload, o = {}) {
      await ensure(name);
      return boss.send(name, payload, {
        retryLimit: o.retryLimit ?? 5,
        retryDelay: o.retryDelaySeconds ?? 5,
        retryBackoff: true,
        ...(o.startAfterSeconds ? { startAfter: o.startAfterSeconds } : {}),
        ...(o.unique ? { singletonKey: o.unique.key, singletonSeconds: o.unique.seconds } : {}),
        ...(o.tx ? { db: executorFor(o.tx) } : {}),
      });
    },
    async work(name, handler, o = {}) {
      if (stopping) return;
      const registration = (async () => {
        await ensure(name);
        if (stopping) return;
        await boss.work<object>(name, { pollingIntervalSeconds: o.pollSeconds ?? 2, batchSize: 1, includeMetadata: true }, async (jobs) => {
          for (const job of jobs) {
            const attempt = job.retryCount;
            await handler(job.data as Parameters<typeof handler>[0], { id: job.id, attempt });
          }
        });
      })();
      registering.add(registration);
      try {
        await registration;
      } finally {
        registering.delete(registration);
      }
    },
    async stop() {
      stopping = true;
      await Promise.allSettled([...registering]);
      await boss.stop({ graceful: true, wait: true, timeout: 3000 });
    },
  };
}
