/**
 * Readiness at scale as a ratio against a bare baseline measured in the same run: the whole organisation's readiness
 * (500 cohorts, 10,000 candidates) vs a bare SELECT of the same rows — cold (every cache emptied, as after a write to
 * every cohort) and repeated (nothing changed). The lead dashboard under load is bench/http.ts's.
 * Run: `npm run seed:large` then `npx tsx bench/readiness.ts` (uses the configured database — DATA_DIR or
 * DATABASE_URL — when it holds the large seed; otherwise seeds one into an in-memory PGlite first). bench/http.ts runs
 * it on each database it seeds. Prints BENCH_ROW lines.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../server/config';
import { migrateDatabase, openDatabase, openPglite, type Database } from '../server/db';
import { clearVersionedCaches } from '../server/db/versions';
import { computeReadiness } from '../server/readiness/queries';
import { rows, uuidArray } from '../server/readiness/sql';
import { buildRegistry, discoverModules } from '../server/modules/loader';
import { seedLarge } from '../scripts/seed-large';
import { benchRowLine } from './support/table';

/** What the bench measured. */
export type ReadinessBenchResult = {
  candidates: number;
  cohorts: number;
  /** Every cache emptied first: the rows read and the model worked out (as after a write to every cohort). */
  coldMs: number;
  /** Nothing changed since the last read: the versions read, the kept model answered. */
  repeatMs: number;
  /** Cold, with stage statuses from readiness's own SQL rather than the engine. */
  coldSqlStagesMs: number;
  bareSelectMs: number;
  stageSource: string;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Times each of `fns` `runs` times, interleaved (a, b, c, a, b, c…) so a busy machine slows them alike; medians. */
async function timeInterleaved(runs: number, fns: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const fn of fns) await fn(); // warm-up
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn();
      times[k].push(performance.now() - t0);
    }
  }
  return times.map(median);
}

/** The same rows the readiness computation reads, fetched bare (no joins, no computation). */
async function bareSelect(database: Database, cohortIds: string[]) {
  const arr = uuidArray(cohortIds);
  const db = database.db;
  return Promise.all([
    rows(db, sql`select * from cohorts where id = any(${arr})`),
    rows(db, sql`select * from cohort_members where cohort_id = any(${arr})`),
    rows(db, sql`select * from cohort_stages where cohort_id = any(${arr})`),
    rows(db, sql`select m.* from stage_completion_marks m join cohort_stages s on s.id = m.cohort_stage_id where s.cohort_id = any(${arr})`),
    rows(db, sql`select w.* from stage_waivers w join cohort_stages s on s.id = w.cohort_stage_id where s.cohort_id = any(${arr})`),
    rows(db, sql`select * from signoff_requests where cohort_id = any(${arr})`),
    rows(db, sql`select * from assessments where cohort_id = any(${arr})`),
  ]);
}

/** Runs the bench on `database` (which must hold the large seed), printing and returning the figures. */
export async function runReadinessBench(database: Database, options: { runs?: number; print?: (s: string) => void } = {}): Promise<ReadinessBenchResult> {
  const print = options.print ?? console.log;
  const runs = options.runs ?? 5;
  const cohortIds = (await rows<{ id: string }>(database.db, sql`select id from cohorts order by id`)).map((r) => r.id);
  const [{ n: candidates }] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from cohort_members where role = 'candidate'`);

  const progress = { db: database.db, registry: buildRegistry(discoverModules()) };
  let stageSource = '';
  const [coldMs, repeatMs, coldSqlStagesMs, bareSelectMs] = await timeInterleaved(runs, [
    async () => {
      clearVersionedCaches();
      stageSource = (await computeReadiness(progress, { cohortIds })).stageSource;
    },
    () => computeReadiness(progress, { cohortIds }),
    () => {
      clearVersionedCaches();
      return computeReadiness(progress, { cohortIds, stageSource: 'sql' });
    },
    () => bareSelect(database, cohortIds),
  ]);
  print(`Readiness of the whole organisation: ${cohortIds.length} cohorts, ${candidates} candidates (median of ${runs}, interleaved)`);
  print(`  cold (caches emptied; stage statuses from the ${stageSource}): ${coldMs.toFixed(0)} ms`);
  print(`  cold (stage statuses from readiness's own SQL):        ${coldSqlStagesMs.toFixed(0)} ms`);
  print(`  repeat (nothing changed since the last read):          ${repeatMs.toFixed(1)} ms`);
  print(`  bare SELECT of the same rows:                          ${bareSelectMs.toFixed(0)} ms`);
  print(`  ratios: repeat ${(repeatMs / bareSelectMs).toFixed(2)}×, cold ${(coldMs / bareSelectMs).toFixed(2)}× (target ≤ 3×)`);
  return { candidates, cohorts: cohortIds.length, coldMs, repeatMs, coldSqlStagesMs, bareSelectMs, stageSource };
}

/** Opens the configured database if it holds the large seed, or seeds one into an in-memory PGlite. */
export async function benchDatabase(print: (s: string) => void = console.log): Promise<Database> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { serving: false });
  const configured = await openDatabase(config);
  const [{ n }] = await rows<{ n: number }>(configured.db, sql`select count(*)::int as n from users where email = 'lead1@large.test'`);
  if (n > 0) {
    print('Using the configured database (it holds the large seed).');
    return configured;
  }
  await configured.close();
  print('The configured database has no large seed: seeding one into an in-memory PGlite first.');
  const database = await openPglite();
  await migrateDatabase(database);
  await seedLarge(database);
  return database;
}

if (require.main === module) {
  const guard = setTimeout(() => {
    console.error('bench/readiness: over the five-minute bound; stopping.');
    process.exit(1);
  }, 300_000);
  guard.unref();
  const label = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  (async () => {
    const database = await benchDatabase();
    try {
      const r = await runReadinessBench(database);
      // Rows for `npm run bench` (bench/run.ts collects BENCH_ROW lines).
      const note = `${r.candidates.toLocaleString('en-GB')} candidates in ${r.cohorts} cohorts, stage statuses from the ${r.stageSource}, median of 5 interleaved`;
      console.log(benchRowLine({ measure: `readiness of the whole organisation, cold (every cache emptied), vs bare SELECT of the same rows (${label})`, cadre: r.coldMs, baseline: r.bareSelectMs, unit: 'ms', better: 'lower', note: `${note}; with readiness's own stage SQL ${Math.round(r.coldSqlStagesMs)} ms` }));
      console.log(benchRowLine({ measure: `readiness of the whole organisation, repeated (nothing changed), vs bare SELECT of the same rows (${label})`, cadre: r.repeatMs, baseline: r.bareSelectMs, unit: 'ms', better: 'lower', note: 'one statement (the data versions); the kept model answers' }));
    } finally {
      await database.close();
    }
    process.exit(0);
  })().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
}
