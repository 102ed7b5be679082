/**
 * Pages under load, each beside its baselines, measured in the same run: the candidate's progress page and the lead
 * dashboard (500 candidates, in a database holding 10,000) against bare express and against each page's ceiling
 * (bench/support/ceiling-server.ts: session row + one query + the real template). Every server and the load
 * generator (autocannon) run in their own processes; CPU per request is the server's utime+stime from /proc (plus
 * PostgreSQL's backends); statements per request come from Cadre's X-Cadre-Statements header. Runs are interleaved
 * (bare, ceiling, Cadre, … per round) and the median of the rounds is kept, so a busy machine slows each alike.
 *
 * `npx tsx bench/http.ts [--db=pglite|postgres|both] [--duration=5] [--connections=50] [--rounds=3] [--warm=5]` — PostgreSQL
 * is a throwaway server from scripts/pg-test-server.sh. Prints BENCH_ROW lines for `npm run bench`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadWithCpu, startServer, type ServerProcess } from './support/procs';
import { freePort } from './support/spawn';
import { benchRowLine, parseBenchRows, type BenchRow, type MissingRow } from './support/table';

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const duration = Number(flag('duration') ?? 3);
const connections = Number(flag('connections') ?? 50);
/** The lead dashboard is heavy (500 candidates a page): fewer connections, so a loaded machine still answers within autocannon's timeout. */
const leadConnections = Number(flag('lead-connections') ?? 10);
const rounds = Number(flag('rounds') ?? 3);
/** Seconds of unmeasured load on each page before the first round: a server's first seconds compile its code (V8's
 * optimising compiler runs on other threads, counted in the process's CPU), more of it for Cadre than for a baseline. */
const warmSeconds = Number(flag('warm') ?? Math.max(5, duration));
const dbs = (flag('db') ?? 'both') === 'both' ? (['pglite', 'postgres'] as const) : ([flag('db')] as ('pglite' | 'postgres')[]);
const log = (msg: string) => process.stderr.write(`bench/http: ${msg}\n`);
const SECRET = 'bench-session-secret-bench-session-secret-0123';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

type World = { env: NodeJS.ProcessEnv; ceilingEnvs: [NodeJS.ProcessEnv, NodeJS.ProcessEnv, NodeJS.ProcessEnv]; leadEmail: string; cleanup: () => void; backends: () => Promise<number[]> };

/** A database with the demo and the large world, and the environment to serve it. */
async function prepareWorld(kind: 'pglite' | 'postgres'): Promise<World> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cadre-bench-http-${kind}-`));
  // mkdtemp makes it 0700: PostgreSQL's initdb runs as its own user and must reach the data folder inside.
  chmodSync(dir, 0o755);
  const base = { NODE_ENV: 'development', SESSION_SECRET: SECRET, UPLOAD_DIR: path.join(dir, 'uploads'), LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
  let env: NodeJS.ProcessEnv;
  let ceilingEnvs: [NodeJS.ProcessEnv, NodeJS.ProcessEnv, NodeJS.ProcessEnv];
  let stopPg = () => {};
  let backends = async (): Promise<number[]> => [];
  if (kind === 'postgres') {
    const pgDir = path.join(dir, 'pg');
    const out = execFileSync('bash', [path.join(root, 'scripts/pg-test-server.sh'), 'start'], { env: { ...process.env, PGTEST_DIR: pgDir } }).toString();
    const url = /DATABASE_URL=(\S+)/.exec(out)?.[1];
    if (!url) throw new Error(`no DATABASE_URL from pg-test-server.sh:\n${out}`);
    env = { ...base, DATABASE_URL: url, DATA_DIR: path.join(dir, 'data') };
    ceilingEnvs = [env, env, env];
    stopPg = () => void spawnSync('bash', [path.join(root, 'scripts/pg-test-server.sh'), 'stop', '--purge'], { env: { ...process.env, PGTEST_DIR: pgDir } });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    backends = async () => (await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map((r) => r.pid);
    const end = stopPg;
    stopPg = () => {
      void admin.end();
      end();
    };
  } else {
    env = { ...base, DATABASE_URL: '', DATA_DIR: path.join(dir, 'data') };
    const copy = (n: number): NodeJS.ProcessEnv => ({ ...env, DATA_DIR: path.join(dir, `data-ceiling-${n}`) });
    ceilingEnvs = [copy(1), copy(2), copy(3)];
  }
  log(`${kind}: demo seed (first start)`);
  const first = await startCadre(env);
  await first.stop();
  log(`${kind}: seed-large (10,000 candidates)`);
  const seeded = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/seed-large.ts'), '--force'], { cwd: root, env: { ...process.env, ...env } });
  const said = `${seeded.stdout}${seeded.stderr}`;
  const leadEmail = /Log in as (\S+)/.exec(said)?.[1];
  if (seeded.status !== 0 || !leadEmail) throw new Error(`seed-large failed:\n${said.slice(-2000)}`);
  // PGlite serves one process: each ceiling server reads its own copy of the same data.
  if (kind === 'pglite') for (const n of [1, 2, 3]) cpSync(path.join(dir, 'data'), path.join(dir, `data-ceiling-${n}`), { recursive: true });
  return {
    env,
    ceilingEnvs,
    leadEmail,
    backends,
    cleanup: () => {
      stopPg();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** bench/readiness.ts on this world's database, in its own process, before any server holds the database. */
function readinessRows(env: NodeJS.ProcessEnv): (BenchRow | MissingRow)[] {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench/readiness.ts')], { cwd: root, env: { ...process.env, ...env } });
  const said = `${run.stdout}${run.stderr}`;
  const found = parseBenchRows(said);
  if (!found.length) return [{ measure: 'readiness of the whole organisation vs bare SELECT', reason: `bench/readiness.ts printed no rows (${said.trim().split('\n').slice(-2).join(' / ').replace(/\|/g, '/')})` }];
  return found;
}

async function startCadre(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const port = await freePort();
  // Ready once the start-up lines end with an empty line: a first start prints its demo logins only when the demo is in.
  return startServer('server/index.ts', [], { ...env, PORT: String(port), STATEMENTS_HEADER: 'on' }, { ready: /Cadre is running at (\S+)[^\n]*\n(?:[^\n]+\n)*\n/, url: `http://127.0.0.1:${port}` });
}

async function loginCookie(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'cadre-demo' }) });
  if (res.status !== 200) throw new Error(`login as ${email}: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** The cookies a browser holds after opening `url` once with `cookie`: the session's plus the CSRF cookie the first
 * page sets (a browser sends it back, so the app makes it once per session, not once per response). */
async function browserCookies(url: string, cookie: string): Promise<string> {
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  await res.text();
  const jar = new Map(cookie.split('; ').map((c) => [c.split('=')[0], c] as const));
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0];
    jar.set(pair.split('=')[0], pair);
  }
  return [...jar.values()].join('; ');
}

/** The statements one more request of `url` sends (X-Cadre-Statements). */
/** The statements of a request to `url` with nothing changed since the one before (the steady state under load; once a
 * minute a request also reloads the person's roles, 4 statements, and pushes the session's expiry back, 1). */
async function statementsOf(url: string, cookie: string): Promise<number> {
  let count = NaN;
  // The third of three: the first may be that once-a-minute one, and the second re-reads the data versions after its write.
  for (let i = 0; i < 3; i++) {
    const res = await fetch(url, { headers: { cookie } });
    await res.text();
    count = Number(res.headers.get('x-cadre-statements'));
  }
  return count;
}

type Sample = { rps: number; p99Ms: number; cpuMsPerRequest: number };
const summary = (xs: Sample[]): Sample => ({ rps: median(xs.map((x) => x.rps)), p99Ms: median(xs.map((x) => x.p99Ms)), cpuMsPerRequest: median(xs.map((x) => x.cpuMsPerRequest)) });

async function measure(kind: 'pglite' | 'postgres'): Promise<(BenchRow | MissingRow)[]> {
  const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  const world = await prepareWorld(kind);
  const servers: ServerProcess[] = [];
  try {
    log(`${kind}: readiness of the whole organisation`);
    const readiness = readinessRows(world.env);
    for (const row of readiness) console.log(benchRowLine(row));
    const bare = await startServer('bench/support/bare-server.ts', [], {});
    servers.push(bare);
    const cadre = await startCadre(world.env);
    servers.push(cadre);
    const candidateLogin = await loginCookie(cadre.url, 'candidate1@cadre.test');
    const home = await fetch(`${cadre.url}/me/progress`, { headers: { cookie: candidateLogin }, redirect: 'manual' });
    const progressUrl = `${cadre.url}${home.headers.get('location')}`;
    const leadUrl = `${cadre.url}/lead`;
    const candidateCookie = await browserCookies(progressUrl, candidateLogin);
    const leadCookie = await browserCookies(leadUrl, await loginCookie(cadre.url, world.leadEmail));
    const ceiling = async (email: string, page: string, env: NodeJS.ProcessEnv, mode: 'full' | 'kept' = 'full') => {
      const server = await startServer('bench/support/ceiling-server.ts', [email, page, mode], env);
      servers.push(server);
      return { server, cookie: decodeURIComponent(/READY \S+ (\S+)/.exec(server.output())?.[1] ?? '') };
    };
    const ceilingProgress = await ceiling('candidate1@cadre.test', '/me/progress', world.ceilingEnvs[0]);
    const ceilingLead = await ceiling(world.leadEmail, '/lead', world.ceilingEnvs[1]);
    // The same page rendered as Cadre renders it (kept parts joined): what is left is Cadre's own request path.
    const keptProgress = await ceiling('candidate1@cadre.test', '/me/progress', world.ceilingEnvs[2], 'kept');
    const options = { connections, duration, warmup: 1 };
    const leadOptions = { ...options, connections: leadConnections };
    const pidsOf = (server: ServerProcess) => async () => [server.pid, ...(await world.backends())];
    const runs = { bare: [] as Sample[], ceilingProgress: [] as Sample[], keptProgress: [] as Sample[], progress: [] as Sample[], ceilingLead: [] as Sample[], lead: [] as Sample[] };
    const failures: string[] = [];
    const sample = async (into: Sample[], what: string, run: () => Promise<Sample>) => {
      try {
        into.push(await run());
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message.split('\n')[0]}`);
      }
    };
    // Steady state: every page under load once, unmeasured, before the rounds (the median of three is then a middle run).
    log(`${kind}: warming each server (${warmSeconds} s a page)`);
    const warm = { ...options, duration: warmSeconds, warmup: 0 };
    await sample([], 'warming bare express', () => loadWithCpu(bare.url, pidsOf(bare), warm));
    await sample([], 'warming the progress ceiling page', () => loadWithCpu(ceilingProgress.server.url, pidsOf(ceilingProgress.server), { ...warm, headers: { cookie: ceilingProgress.cookie } }));
    await sample([], 'warming the kept progress ceiling page', () => loadWithCpu(keptProgress.server.url, pidsOf(keptProgress.server), { ...warm, headers: { cookie: keptProgress.cookie } }));
    await sample([], 'warming the progress page', () => loadWithCpu(progressUrl, pidsOf(cadre), { ...warm, headers: { cookie: candidateCookie } }));
    await sample([], 'warming the lead ceiling page', () => loadWithCpu(ceilingLead.server.url, pidsOf(ceilingLead.server), { ...warm, connections: leadConnections, headers: { cookie: ceilingLead.cookie } }));
    await sample([], 'warming the lead dashboard', () => loadWithCpu(leadUrl, pidsOf(cadre), { ...warm, connections: leadConnections, headers: { cookie: leadCookie } }));
    for (let round = 1; round <= rounds; round++) {
      log(`${kind}: round ${round} of ${rounds}`);
      await sample(runs.bare, 'bare express', () => loadWithCpu(bare.url, pidsOf(bare), options));
      await sample(runs.ceilingProgress, 'progress ceiling page', () => loadWithCpu(ceilingProgress.server.url, pidsOf(ceilingProgress.server), { ...options, headers: { cookie: ceilingProgress.cookie } }));
      await sample(runs.keptProgress, 'kept progress ceiling page', () => loadWithCpu(keptProgress.server.url, pidsOf(keptProgress.server), { ...options, headers: { cookie: keptProgress.cookie } }));
      await sample(runs.progress, 'progress page', () => loadWithCpu(progressUrl, pidsOf(cadre), { ...options, headers: { cookie: candidateCookie } }));
      await sample(runs.ceilingLead, 'lead ceiling page', () => loadWithCpu(ceilingLead.server.url, pidsOf(ceilingLead.server), { ...leadOptions, headers: { cookie: ceilingLead.cookie } }));
      await sample(runs.lead, 'lead dashboard', () => loadWithCpu(leadUrl, pidsOf(cadre), { ...leadOptions, headers: { cookie: leadCookie } }));
    }
    // Statements of one more request each, once the loads have warmed the caches (the first read may send more).
    const progressStatements = await statementsOf(progressUrl, candidateCookie);
    const leadStatements = await statementsOf(leadUrl, leadCookie);
    if (Object.values(runs).some((xs) => !xs.length)) return [{ measure: `pages under load (${label})`, reason: failures.join('; ').replace(/\|/g, '/') }];
    const b = summary(runs.bare);
    const cp = summary(runs.ceilingProgress);
    const kp = summary(runs.keptProgress);
    const p = summary(runs.progress);
    const cl = summary(runs.ceilingLead);
    const l = summary(runs.lead);
    const x = (a: number, c: number) => `${(a / c).toPrecision(2)}×`;
    const how = `${connections} connections, ${label}, median of ${rounds} interleaved runs of ${duration} s after ${warmSeconds} s warming`;
    const leadHow = `${leadConnections} connections`;
    return [
      { measure: `progress page req/s (${how})`, cadre: p.rps, baseline: b.rps, unit: 'req/s', better: 'higher', note: `baseline: bare express; the ceiling page reaches ${Math.round(cp.rps)} req/s (${x(cp.rps, b.rps)} bare), ${Math.round(kp.rps)} req/s (${x(kp.rps, b.rps)}) rendering as Cadre does; ${progressStatements} statements per request (ceiling 2; once a minute 4 more reload the person’s roles)` },
      { measure: `progress page p99 latency (${label})`, cadre: p.p99Ms, baseline: b.p99Ms, unit: 'ms', better: 'lower', note: `ceiling page p99 ${cp.p99Ms} ms; rendering as Cadre does ${kp.p99Ms} ms` },
      { measure: `progress page CPU per request vs its ceiling page (${label}${kind === 'postgres' ? ', server + PostgreSQL backends' : ''})`, cadre: p.cpuMsPerRequest, baseline: cp.cpuMsPerRequest, unit: 'ms', better: 'lower', note: `bare express ${b.cpuMsPerRequest.toFixed(3)} ms` },
      { measure: `progress page CPU per request vs the ceiling page rendering as Cadre does, its parts kept (${label}${kind === 'postgres' ? ', server + PostgreSQL backends' : ''})`, cadre: p.cpuMsPerRequest, baseline: kp.cpuMsPerRequest, unit: 'ms', better: 'lower', note: 'what Cadre’s own request path costs: session, passport, CSRF, routing, authorisation, data versions' },
      { measure: `ceiling page (session row + one query + the real timeline template) req/s (${label})`, cadre: cp.rps, baseline: b.rps, unit: 'req/s', better: 'higher' },
      { measure: `lead dashboard /lead req/s (25 cohorts, 500 candidates of 10,000; ${leadHow}; ${label})`, cadre: l.rps, baseline: b.rps, unit: 'req/s', better: 'higher', note: `baseline: bare express; its ceiling page ${Math.round(cl.rps)} req/s (${x(cl.rps, b.rps)} bare); ${leadStatements} statements per request (ceiling 2); p99 ${l.p99Ms} ms` },
      { measure: `lead dashboard CPU per request vs its ceiling page (${label})`, cadre: l.cpuMsPerRequest, baseline: cl.cpuMsPerRequest, unit: 'ms', better: 'lower' },
    ];
  } finally {
    for (const s of servers) await s.stop();
    world.cleanup();
  }
}

async function main() {
  for (const kind of dbs) {
    try {
      for (const row of await measure(kind)) console.log(benchRowLine(row));
    } catch (err) {
      console.error(`bench/http (${kind}): ${(err as Error).message}`);
      console.log(benchRowLine({ measure: `pages under load (${kind === 'pglite' ? 'PGlite' : 'PostgreSQL'})`, reason: (err as Error).message.split('\n')[0].replace(/\|/g, '/') }));
    }
  }
  process.exit(0);
}

void main();
