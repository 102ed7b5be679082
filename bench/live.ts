/**
 * Live feedback latency: post-to-receipt p50/p99 with 200 concurrent rooms (a logged-in mentor and candidate
 * each), against a bare socket.io echo server with the same clients and pacing, measured in the same run.
 * Each server runs in its own process (bench/support/live-server.ts); this process is the load generator (the 400
 * client sockets), so a server's figure is not held back by its own clients. Beside latency it reads each server's
 * CPU (utime + stime from /proc) over the measured rounds, per note.
 * Run: `npx tsx bench/live.ts` (PGlite in memory, loopback only, bounded to under two minutes). It also prints
 * `BENCH_ROW` lines for `npm run bench` (bench/run.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { io as connectIo, type Socket } from 'socket.io-client';
import type { LiveSetup } from './support/live-server';
import { cpuMs, startServer, type ServerProcess } from './support/procs';
import { benchRowLine } from './support/table';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 200);
// Four measured rounds: 800 notes a server, so the p99 is the 8th-slowest note, not the 4th (two rounds made it swing
// between 0.7× and 4.5× from run to run on the same machine).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
// One note per room every ~4 s (a busy mentor): 50 notes a second across 200 rooms. Faster pacing measures
// PGlite's single-threaded write ceiling rather than latency.
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 4000);
/** Rounds sent before the measured ones and not counted (both servers). */
const WARMUP_ROUNDS = Number(process.env.BENCH_WARMUP_ROUNDS ?? 1);
/** Extra node flags for the Cadre server process (e.g. BENCH_SERVER_FLAGS=--heapsnapshot-signal=SIGUSR1). To profile the
 * Cadre server over the measured rounds only: BENCH_PROFILE=/tmp/live.cpuprofile (see bench/support/live-server.ts). */
const SERVER_FLAGS = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
/** Lines already measured, printed even if the run is cut short. */
const measured: string[] = [];
const children: ServerProcess[] = [];
const deadline = setTimeout(() => {
  console.log(measured.join('\n'));
  console.error('bench/live: over the two-minute bound (a busy machine?); stopping without the Cadre figure.');
  for (const c of children) c.child.kill('SIGKILL');
  process.exit(1);
}, 115_000);
deadline.unref();

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function socketTo(url: string, cookie?: string): Promise<Socket> {
  const s = connectIo(url, { transports: ['websocket'], forceNew: true, ...(cookie ? { extraHeaders: { cookie } } : {}) });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

async function start(mode: 'bare' | 'cadre', setupFile: string): Promise<ServerProcess> {
  const flags = mode === 'cadre' ? SERVER_FLAGS : [];
  const server = await startServer('bench/support/live-server.ts', [mode, setupFile, String(ROOMS)], {}, { limitMs: 90_000, nodeFlags: flags });
  children.push(server);
  return server;
}

/** What one server measured: latencies of the notes that arrived, and its CPU over the measured rounds. */
type Measured = { latencies: number[]; expected: number; cpuMsPerNote: number };

/** Sends ROUNDS notes per pair, spread over each round; returns the post-to-receipt latencies and the server's CPU per note. */
async function drive({ pid, profiled }: { pid: number; profiled: boolean }, pairs: { send: (body: string) => void }[], received: Map<string, number>, sent: Map<string, number>): Promise<Measured> {
  // One round first that is not measured (for both servers): the first note of each socket warms what any long-lived
  // server has warm (compiled code, the room each mentor's socket joined), as a real session does after its first minute.
  const round = async () => {
    for (const pair of pairs) {
      setTimeout(() => {
        const body = `note ${randomUUID()}`;
        sent.set(body, performance.now());
        pair.send(body);
      }, Math.random() * (ROUND_MS - 200));
    }
    await sleep(ROUND_MS);
  };
  const settle = async (expected: number) => {
    for (let waited = 0; received.size < expected && waited < 10_000; waited += 100) await sleep(100);
  };
  for (let w = 0; w < WARMUP_ROUNDS; w++) await round();
  await settle(pairs.length * WARMUP_ROUNDS);
  sent.clear();
  received.clear();
  if (profiled && process.env.BENCH_PROFILE) process.kill(pid, 'SIGUSR2');
  const cpu0 = cpuMs(pid);
  for (let r = 0; r < ROUNDS; r++) await round();
  const expected = pairs.length * ROUNDS;
  await settle(expected);
  const cpuMsPerNote = (cpuMs(pid) - cpu0) / expected;
  return { latencies: [...received.entries()].filter(([k]) => sent.has(k)).map(([k, at]) => at - (sent.get(k) as number)), expected, cpuMsPerNote };
}

async function benchCadre(dir: string) {
  const setupFile = path.join(dir, 'setup.json');
  const server = await start('cadre', setupFile);
  const { url } = server;
  const setup = JSON.parse(readFileSync(setupFile, 'utf8')) as LiveSetup;

  const t0 = performance.now();
  const login = async (email: string) => {
    const res = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: setup.password }) });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };
  const mentorCookies = await inBatches(setup.mentors, 16, login);
  const candidateCookies = await inBatches(setup.candidates, 16, login);
  const loginMs = performance.now() - t0;

  const sent = new Map<string, number>();
  const received = new Map<string, number>();
  const mentorSockets = await inBatches(mentorCookies, 50, (c) => socketTo(url, c));
  const candidateSockets = await inBatches(candidateCookies, 50, (c) => socketTo(url, c));
  await Promise.all(
    candidateSockets.map(async (s, i) => {
      s.on('live:note', (m: { note: { body: string } }) => {
        if (!received.has(m.note.body)) received.set(m.note.body, performance.now());
      });
      const res = (await s.timeout(10_000).emitWithAck('live:join', { roomId: setup.rooms[i], afterSeq: 0 })) as { error?: unknown };
      if (res.error) throw new Error(`join failed: ${JSON.stringify(res.error)}`);
    }),
  );
  // The mentor's page joins its room on connect (public/js/live-mentor.js), so each note also reaches its poster.
  await Promise.all(
    mentorSockets.map(async (s, i) => {
      const res = (await s.timeout(10_000).emitWithAck('live:join', { roomId: setup.rooms[i], afterSeq: 0 })) as { error?: unknown };
      if (res.error) throw new Error(`join failed: ${JSON.stringify(res.error)}`);
    }),
  );
  let errors = 0;
  const pairs = mentorSockets.map((s, i) => ({
    send: (body: string) =>
      void s
        .timeout(10_000)
        .emitWithAck('live:note', { roomId: setup.rooms[i], clientId: randomUUID(), body, kind: 'strength', tags: [] })
        .then((r: { error?: unknown }) => void (r.error && errors++))
        .catch(() => void errors++),
  }));
  const result = await drive({ pid: server.pid, profiled: true }, pairs, received, sent);
  for (const s of [...mentorSockets, ...candidateSockets]) s.close();
  await server.stop();
  return { ...result, errors, loginMs };
}

async function benchEcho() {
  const server = await start('bare', '');
  const { url } = server;
  const senders = await inBatches(Array.from({ length: ROOMS }, (_, i) => i), 50, () => socketTo(url));
  const receivers = await inBatches(Array.from({ length: ROOMS }, (_, i) => i), 50, () => socketTo(url));
  const sent = new Map<string, number>();
  const received = new Map<string, number>();
  await Promise.all(
    receivers.map(async (s, i) => {
      s.on('msg', (body: string) => void received.set(body, performance.now()));
      await s.timeout(10_000).emitWithAck('join', `r${i}`);
    }),
  );
  const pairs = senders.map((s, i) => ({ send: (body: string) => void s.timeout(10_000).emitWithAck('msg', { room: `r${i}`, body }).catch(() => undefined) }));
  const result = await drive({ pid: server.pid, profiled: false }, pairs, received, sent);
  for (const s of [...senders, ...receivers]) s.close();
  await server.stop();
  return result;
}

async function main() {
  const started = performance.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-bench-live-'));
  console.log(`bench/live: ${ROOMS} rooms (${ROOMS * 2} logged-in sockets), ${WARMUP_ROUNDS} unmeasured then ${ROUNDS} measured notes per room, one note per room every ~${ROUND_MS} ms (${Math.round((ROOMS * 1000) / ROUND_MS)} notes/s); servers in their own process`);
  const row = (name: string, m: Measured) =>
    `${name.padEnd(24)} received ${String(m.latencies.length).padStart(5)}/${m.expected}  p50 ${fmt(pct(m.latencies, 50)).padStart(10)}  p99 ${fmt(pct(m.latencies, 99)).padStart(10)}  server CPU ${m.cpuMsPerNote.toFixed(2)} ms/note`;
  try {
    const echo = await benchEcho();
    measured.push(row('bare socket.io echo', echo));
    const cadre = await benchCadre(dir);
    console.log(measured[0]);
    console.log(row('Cadre live (PGlite)', cadre));
    const ratio = (a: number, b: number) => `×${(a / b).toFixed(1)}`;
    console.log(`ratio (Cadre / bare)     p50 ${ratio(pct(cadre.latencies, 50), pct(echo.latencies, 50))}  p99 ${ratio(pct(cadre.latencies, 99), pct(echo.latencies, 99))}  CPU ${ratio(cadre.cpuMsPerNote, echo.cpuMsPerNote)}`);
    const note = `${ROOMS} rooms (mentor and candidate joined), ${Math.round((ROOMS * 1000) / ROUND_MS)} notes/s, PGlite; post → candidate receipt over ${ROUNDS} rounds after ${WARMUP_ROUNDS} unmeasured; server and clients in separate processes`;
    console.log(benchRowLine({ measure: 'live feedback post-to-receipt p50 vs bare socket.io echo', cadre: pct(cadre.latencies, 50), baseline: pct(echo.latencies, 50), unit: 'ms', better: 'lower', note }));
    console.log(benchRowLine({ measure: 'live feedback post-to-receipt p99 vs bare socket.io echo', cadre: pct(cadre.latencies, 99), baseline: pct(echo.latencies, 99), unit: 'ms', better: 'lower', note }));
    console.log(benchRowLine({ measure: 'live feedback server CPU per note vs bare socket.io echo', cadre: cadre.cpuMsPerNote, baseline: echo.cpuMsPerNote, unit: 'ms', better: 'lower', note: 'server process utime + stime over the measured rounds, per note sent' }));
    console.log(`(Cadre: validate, authorise, one transaction with the per-room seq, ack, then broadcast; ${cadre.errors} errors; ${ROOMS * 2} logins took ${(cadre.loginMs / 1000).toFixed(1)} s; whole run ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  for (const c of children) c.child.kill('SIGKILL');
  process.exit(1);
});
