/**
 * Readiness at scale, as ratios against bare baselines measured in the same run:
 *  1. the whole organisation's readiness (500 cohorts, 10,000 candidates) vs a bare SELECT of the same rows;
 *  2. the lead dashboard's requests per second (a lead of 25 cohorts, 500 candidates) vs a bare express route.
 * Run: `npm run seed:large` then `npx tsx bench/readiness.ts` (uses the configured database when it holds the
 * large seed; otherwise seeds one into an in-memory PGlite first). Loopback only; bounded to a few minutes.
 */
import { benchRowLine } from './support/table';
import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { sql } from 'drizzle-orm';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { migrateDatabase, openDatabase, openPglite, type Database } from '../server/db';
import { createLogger } from '../server/logger';
import { computeReadiness } from '../server/readiness/queries';
import { rows, uuidArray } from '../server/readiness/sql';
import { buildRegistry, discoverModules } from '../server/modules/loader';
import { LARGE, seedLarge } from '../scripts/seed-large';

/** What the bench measured. */
export type ReadinessBenchResult = {
  candidates: number;
  cohorts: number;
  readinessMs: number;
  readinessSqlStagesMs: number;
  bareSelectMs: number;
  readinessRatio: number;
  stageSource: string;
  dashboardRps: number;
  bareRps: number;
  dashboardRatio: number;
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

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** Requests per second over `seconds` with `connections` concurrent keep-alive clients (loopback only, bounded). */
async function rps(url: string, headers: Record<string, string>, seconds: number, connections = 10): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      if (res.ok) done += 1;
      else failed += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  if (failed) throw new Error(`${url}: ${failed} answers were not 2xx`);
  return done / ((performance.now() - t0) / 1000);
}

/** Runs the bench on `database` (which must hold the large seed), printing and returning the figures. */
export async function runReadinessBench(database: Database, options: { leadEmail?: string; seconds?: number; runs?: number; print?: (s: string) => void } = {}): Promise<ReadinessBenchResult> {
  const print = options.print ?? console.log;
  const seconds = options.seconds ?? 8;
  const runs = options.runs ?? 5;
  const cohortIds = (await rows<{ id: string }>(database.db, sql`select id from cohorts order by id`)).map((r) => r.id);
  const [{ n: candidates }] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from cohort_members where role = 'candidate'`);

  const progress = { db: database.db, registry: buildRegistry(discoverModules()) };
  let stageSource = '';
  const [readinessMs, readinessSqlStagesMs, bareSelectMs] = await timeInterleaved(runs, [
    async () => {
      stageSource = (await computeReadiness(progress, { cohortIds })).stageSource;
    },
    () => computeReadiness(progress, { cohortIds, stageSource: 'sql' }),
    () => bareSelect(database, cohortIds),
  ]);
  print(`Readiness of the whole organisation: ${cohortIds.length} cohorts, ${candidates} candidates (median of ${runs}, interleaved)`);
  print(`  readiness (stage statuses from the ${stageSource}): ${readinessMs.toFixed(0)} ms`);
  print(`  readiness (stage statuses from readiness's own SQL): ${readinessSqlStagesMs.toFixed(0)} ms`);
  print(`  bare SELECT of the same rows:                       ${bareSelectMs.toFixed(0)} ms`);
  print(`  ratio: ${(readinessMs / bareSelectMs).toFixed(2)}× (with own-SQL stages ${(readinessSqlStagesMs / bareSelectMs).toFixed(2)}×; target ≤ 3×)`);

  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const cadre = await createApp({ database, config, logger: createLogger('silent') });
  const base = await listen(cadre.server);
  const bare = express();
  bare.get('/', (_req, res) => {
    res.send('ok');
  });
  const bareServer = createServer(bare);
  const bareUrl = await listen(bareServer);
  try {
    const leadEmail = options.leadEmail ?? 'lead1@large.test';
    const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: leadEmail, password: LARGE.password }) });
    if (login.status !== 200) throw new Error(`could not log in as ${leadEmail}: ${login.status}`);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const page = await fetch(`${base}/lead`, { headers: { cookie } });
    const html = await page.text();
    const cohortsShown = (html.match(/data-testid="cohort-row"/g) ?? []).length;
    // Alternate short rounds so both see the same machine; then average.
    const rounds = 4;
    let dashboardRps = 0;
    let bareRps = 0;
    for (let i = 0; i < rounds; i++) {
      dashboardRps += (await rps(`${base}/lead`, { cookie }, seconds / rounds)) / rounds;
      bareRps += (await rps(bareUrl, {}, seconds / rounds)) / rounds;
    }
    print(`Lead dashboard (${leadEmail}: ${cohortsShown} cohorts side by side), ${seconds} s each in alternating rounds, 10 connections`);
    print(`  GET /lead:          ${dashboardRps.toFixed(1)} req/s`);
    print(`  bare express route: ${bareRps.toFixed(1)} req/s`);
    print(`  ratio: ${(dashboardRps / bareRps).toFixed(4)} (the dashboard serves 1 request for every ${(bareRps / dashboardRps).toFixed(0)} of a bare route)`);
    return {
      candidates,
      cohorts: cohortIds.length,
      readinessMs,
      readinessSqlStagesMs,
      bareSelectMs,
      readinessRatio: readinessMs / bareSelectMs,
      stageSource,
      dashboardRps,
      bareRps,
      dashboardRatio: dashboardRps / bareRps,
    };
  } finally {
    cadre.server.closeAllConnections();
    await new Promise<void>((r) => cadre.server.close(() => r()));
    await cadre.close();
    await new Promise<void>((r) => bareServer.close(() => r()));
  }
}

/** Opens the configured database if it holds the large seed, or seeds one into an in-memory PGlite. */
export async function benchDatabase(print: (s: string) => void = console.log): Promise<{ database: Database; leadEmail: string }> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { serving: false });
  const configured = await openDatabase(config);
  const [{ n }] = await rows<{ n: number }>(configured.db, sql`select count(*)::int as n from users where email = 'lead1@large.test'`);
  if (n > 0) {
    print('Using the configured database (it holds the large seed).');
    return { database: configured, leadEmail: 'lead1@large.test' };
  }
  await configured.close();
  print('The configured database has no large seed: seeding one into an in-memory PGlite first.');
  const database = await openPglite();
  await migrateDatabase(database);
  const seeded = await seedLarge(database);
  return { database, leadEmail: seeded.leadEmail };
}

/** The whole bench for a runner: finds or makes the large seed, measures, closes the database, returns the figures. */
export async function benchReadiness(print: (s: string) => void = console.log): Promise<ReadinessBenchResult> {
  const { database, leadEmail } = await benchDatabase(print);
  try {
    return await runReadinessBench(database, { leadEmail, print });
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  const guard = setTimeout(() => {
    console.error('bench/readiness: over the five-minute bound; stopping.');
    process.exit(1);
  }, 300_000);
  guard.unref();
  benchReadiness()
    .then((r) => {
      // Rows for `npm run bench` (bench/run.ts collects BENCH_ROW lines).
      const note = `${r.candidates.toLocaleString('en-GB')} candidates in ${r.cohorts} cohorts`;
      console.log(benchRowLine({ measure: 'readiness over the whole organisation vs bare SELECT of the same rows', cadre: r.readinessMs, baseline: r.bareSelectMs, unit: 'ms', better: 'lower', note }));
      console.log(benchRowLine({ measure: 'lead dashboard req/s vs bare express route', cadre: r.dashboardRps, baseline: r.bareRps, unit: 'req/s', better: 'higher', note }));
      process.exit(0);
    })
    .catch((err: Error) => {
      console.error(err.stack ?? err.message);
      process.exit(1);
    });
}
