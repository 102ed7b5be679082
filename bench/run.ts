/**
 * `npm run bench` — every figure beside its bare baseline, measured in the same run, as a ratio.
 * Options: `--write` (also write bench/RESULTS.md), `--duration=<s>` (autocannon seconds per run, default 5),
 * `--db=pglite|postgres|both` (default both), `--only=<name,…>` (pages, live, cold-start, sockets).
 * The parts run as child processes: bench/http.ts (the pages under load beside bare express and their ceiling pages,
 * CPU and statements per request, and bench/readiness.ts on each database it seeds) and bench/live.ts; each prints
 * its rows as `BENCH_ROW {json}` lines (`console.log(benchRowLine(row))` from bench/support/table.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { socketMemory } from './support/sockets';
import { freePort, timeFirstStart, timeToFirst200 } from './support/spawn';
import { benchRowLine, formatTable, machine, parseBenchRows, type BenchRow, type MissingRow } from './support/table';

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const write = args.includes('--write');
const duration = Number(flag('duration') ?? 5);
const only = flag('only')?.split(',');
const wanted = (name: string) => !only || only.includes(name);
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

/** The production build (`node dist/server/index.js`, built first when missing) on an empty DATA_DIR (the migrated
 * template copied, the demo written) to its first page and to its first login, vs a bare node http server. */
async function coldStartRows(): Promise<BenchRow[]> {
  const entry = path.join(root, 'dist/server/index.js');
  if (!existsSync(entry)) {
    log('no production build: npm run build');
    const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const bareMs: number[] = [];
  const runs: { firstPageMs: number; firstLoginMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    bareMs.push(
      await timeToFirst200(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { cwd: root, env: process.env, url: `http://127.0.0.1:${port}/` }),
    );
  }
  for (let i = 0; i < 3; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-bench-start-'));
    const port = await freePort();
    const env = { ...process.env, NODE_ENV: 'development', DATABASE_URL: '', SESSION_SECRET: '', DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    runs.push(await timeFirstStart(process.execPath, [entry], { cwd: os.tmpdir(), env, base: `http://127.0.0.1:${port}`, email: 'candidate1@cadre.test', password: 'cadre-demo' }));
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const pages = runs.map((r) => r.firstPageMs);
  const logins = runs.map((r) => r.firstLoginMs);
  const ms = (xs: number[]) => xs.map((m) => Math.round(m)).join(', ');
  return [
    {
      measure: 'first start to the first page (empty DATA_DIR: template copied, demo written while it answers)',
      cadre: median(pages),
      baseline: median(bareMs),
      unit: 'ms',
      better: 'lower',
      note: `median of 3 (${ms(pages)} ms); node dist/server/index.js vs a bare node http server`,
    },
    {
      measure: 'first start to the first demo login (the demo data written)',
      cadre: median(logins),
      baseline: median(bareMs),
      unit: 'ms',
      better: 'lower',
      note: `median of 3 (${ms(logins)} ms)`,
    },
  ];
}

/** Memory per 1,000 idle sockets: Cadre's socket.io (session on the handshake, rooms, handlers) vs bare socket.io. */
async function socketRows(): Promise<BenchRow[]> {
  // Measured over 3,000 sockets and given per 1,000: with only 1,000 the bare server's growth fits in pages its process
  // already had (its RSS grew by less than its own heap did), which made any ratio against it meaningless.
  const count = 3000;
  const bare = await socketMemory('bare', count);
  const cadre = await socketMemory('cadre', count);
  if (cadre.connected < count || bare.connected < count) throw new Error(`only ${cadre.connected}/${bare.connected} of ${count} sockets connected`);
  const note = `server process, after GC; growth over ${count.toLocaleString('en-GB')} idle sockets, per 1,000`;
  return [
    { measure: 'memory per 1,000 idle sockets, RSS', cadre: cadre.rssMbPer1000, baseline: bare.rssMbPer1000, unit: 'MB', better: 'lower', note },
    { measure: 'memory per 1,000 idle sockets, JS heap', cadre: cadre.heapMbPer1000, baseline: bare.heapMbPer1000, unit: 'MB', better: 'lower', note },
  ];
}

/** Runs another part's bench script and collects its BENCH_ROW lines. */
function hookRows(name: string, file: string, measure: string, extra: string[] = []): Promise<(BenchRow | MissingRow)[]> {
  const full = path.join(root, file);
  if (!existsSync(full)) return Promise.resolve([{ measure, reason: `${file} does not exist yet` }]);
  log(`running ${file}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...extra], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const rows = parseBenchRows(out);
      if (rows.length) return resolve(rows);
      const tail = out.trim().split('\n').slice(-3).join(' / ').replace(/\|/g, '/');
      resolve([{ measure, reason: `${file} exited ${code} without BENCH_ROW lines${tail ? ` (last output: ${tail})` : ''}` }]);
    });
  });
}

async function main() {
  const started = Date.now();
  const rows: (BenchRow | MissingRow)[] = [];
  const section = async (name: string, measure: string, fn: () => Promise<(BenchRow | MissingRow)[]>) => {
    if (!wanted(name)) return;
    log(`${name}…`);
    try {
      const got = await fn();
      rows.push(...got);
      for (const r of got) if (!('reason' in r)) console.log(benchRowLine(r));
    } catch (err) {
      rows.push({ measure, reason: (err as Error).message.split('\n')[0] });
    }
  };
  await section('pages', 'progress page and lead dashboard vs bare express and their ceilings; readiness vs bare SELECT', () =>
    hookRows('pages', 'bench/http.ts', 'pages and readiness', [`--duration=${duration}`, `--db=${flag('db') ?? 'both'}`]),
  );
  await section('live', 'live feedback p99 vs bare socket.io echo', () => hookRows('live', 'bench/live.ts', 'live feedback p99 vs bare socket.io echo'));
  await section('cold-start', 'cold start to first page', coldStartRows);
  await section('sockets', 'memory per 1,000 idle sockets', socketRows);

  const table = formatTable(rows);
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n${table}\n\nMachine: ${machine()}. Ratio = Cadre / baseline. Whole run ${seconds} s.`);
  if (write) {
    const md = [
      '# Benchmark results',
      '',
      'Produced by `npm run bench -- --write`. Each figure is measured beside its bare baseline in the same run, on',
      'loopback; the ratio is Cadre / baseline. These are not timed assertions: they show what each layer costs.',
      '',
      `Run: ${new Date().toISOString()} · Machine: ${machine()} · autocannon ${duration} s per measure, 10 connections.`,
      '',
      table,
      '',
    ].join('\n');
    writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
    log('wrote bench/RESULTS.md');
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
