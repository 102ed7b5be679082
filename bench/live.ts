/**
 * Live feedback latency: post-to-receipt p50/p99 with 200 concurrent rooms (a logged-in mentor and candidate
 * each), against a bare socket.io echo server with the same clients and pacing, measured in the same run.
 * Run: `npx tsx bench/live.ts` (PGlite in memory, loopback only, bounded to under two minutes). It also prints
 * `BENCH_ROW` lines for `npm run bench` (bench/run.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Server as IoServer } from 'socket.io';
import { io as connectIo, type Socket } from 'socket.io-client';
import { createApp } from '../server/app';
import { hashPassword } from '../server/auth/passwords';
import { migrateDatabase, openPglite } from '../server/db';
import { cohortMembers, cohorts, memberships, organisations, users } from '../server/db/tables';
import { coDeliveryLiveRooms } from '../modules/co-delivery/schema';
import { createLogger } from '../server/logger';
import { testConfig } from '../test/support/app';
import { benchRowLine } from './support/table';

const ROOMS = Number(process.env.BENCH_ROOMS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
// One note per room every ~4 s (a busy mentor): 50 notes a second across 200 rooms. Faster pacing measures
// PGlite's single-threaded write ceiling (~130 notes/s here, shared with the 400 client sockets) rather than latency.
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 4000);
const PASSWORD = 'bench-password-not-secret';
/** Lines already measured, printed even if the run is cut short. */
const measured: string[] = [];
const deadline = setTimeout(() => {
  console.log(measured.join('\n'));
  console.error('bench/live: over the two-minute bound (a busy machine?); stopping without the Cadre figure.');
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

/** Sends ROUNDS notes per pair, spread over each round; returns the post-to-receipt latencies. */
async function drive(pairs: { send: (body: string) => void }[], received: Map<string, number>, sent: Map<string, number>): Promise<number[]> {
  for (let round = 0; round < ROUNDS; round++) {
    for (const pair of pairs) {
      setTimeout(() => {
        const body = `note ${randomUUID()}`;
        sent.set(body, performance.now());
        pair.send(body);
      }, Math.random() * (ROUND_MS - 200));
    }
    await sleep(ROUND_MS);
  }
  const expected = pairs.length * ROUNDS;
  for (let waited = 0; received.size < expected && waited < 10_000; waited += 100) await sleep(100);
  return [...received.entries()].filter(([k]) => sent.has(k)).map(([k, at]) => at - (sent.get(k) as number));
}

async function benchCadre() {
  const database = await openPglite();
  await migrateDatabase(database);
  const config = testConfig();
  const cadre = await createApp({ database, config, logger: createLogger('silent') });
  await new Promise<void>((resolve) => cadre.server.listen(0, '127.0.0.1', resolve));
  const addr = cadre.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  const db = database.db;
  const hash = await hashPassword(PASSWORD);
  const [provider] = await db.insert(organisations).values({ name: 'Bench provider', kind: 'provider' }).returning();
  const [client] = await db.insert(organisations).values({ name: 'Bench client', kind: 'client' }).returning();
  const [cohort] = await db.insert(cohorts).values({ organisationId: client.id, name: 'Bench cohort' }).returning();
  const people = (role: 'mentor' | 'candidate') =>
    Array.from({ length: ROOMS }, (_, i) => ({ email: `${role}${i}@bench.test`, name: `${role} ${i}`, passwordHash: hash, status: 'active' as const }));
  const mentors = await db.insert(users).values(people('mentor')).returning({ id: users.id, email: users.email });
  const candidates = await db.insert(users).values(people('candidate')).returning({ id: users.id, email: users.email });
  await db.insert(memberships).values([...mentors.map((m) => ({ userId: m.id, organisationId: provider.id, role: 'mentor' as const })), ...candidates.map((c) => ({ userId: c.id, organisationId: client.id, role: 'candidate' as const }))]);
  await db.insert(cohortMembers).values([...mentors.map((m) => ({ cohortId: cohort.id, userId: m.id, role: 'mentor' as const })), ...candidates.map((c) => ({ cohortId: cohort.id, userId: c.id, role: 'candidate' as const }))]);
  const rooms = await db
    .insert(coDeliveryLiveRooms)
    .values(candidates.map((c, i) => ({ cohortId: cohort.id, candidateId: c.id, title: `Bench room ${i}`, createdBy: mentors[i].id, quietMode: false })))
    .returning({ id: coDeliveryLiveRooms.id });

  const t0 = performance.now();
  const login = async (email: string) => {
    const res = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };
  const mentorCookies = await inBatches(mentors, 16, (m) => login(m.email));
  const candidateCookies = await inBatches(candidates, 16, (c) => login(c.email));
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
      const res = (await s.timeout(10_000).emitWithAck('live:join', { roomId: rooms[i].id, afterSeq: 0 })) as { error?: unknown };
      if (res.error) throw new Error(`join failed: ${JSON.stringify(res.error)}`);
    }),
  );
  let errors = 0;
  const pairs = mentorSockets.map((s, i) => ({
    send: (body: string) =>
      void s
        .timeout(10_000)
        .emitWithAck('live:note', { roomId: rooms[i].id, clientId: randomUUID(), body, kind: 'strength', tags: [] })
        .then((r: { error?: unknown }) => void (r.error && errors++))
        .catch(() => void errors++),
  }));
  const latencies = await drive(pairs, received, sent);
  for (const s of [...mentorSockets, ...candidateSockets]) s.close();
  await cadre.close();
  cadre.server.closeAllConnections();
  await new Promise<void>((resolve) => cadre.server.close(() => resolve()));
  await database.close();
  return { latencies, expected: ROOMS * ROUNDS, errors, loginMs };
}

async function benchEcho() {
  const server = createServer();
  const io = new IoServer(server);
  io.on('connection', (socket) => {
    socket.on('join', (room: string, ack: () => void) => {
      void socket.join(room);
      ack();
    });
    socket.on('msg', (m: { room: string; body: string }, ack: (r: unknown) => void) => {
      ack({ ok: true });
      socket.to(m.room).emit('msg', m.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
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
  const latencies = await drive(pairs, received, sent);
  for (const s of [...senders, ...receivers]) s.close();
  await new Promise<void>((resolve) => io.close(() => resolve()));
  return { latencies, expected: ROOMS * ROUNDS };
}

async function main() {
  const started = performance.now();
  console.log(`bench/live: ${ROOMS} rooms (${ROOMS * 2} logged-in sockets), ${ROUNDS} notes per room, one note per room every ~${ROUND_MS} ms (${Math.round((ROOMS * 1000) / ROUND_MS)} notes/s)`);
  const row = (name: string, l: number[], expected: number) => `${name.padEnd(24)} received ${String(l.length).padStart(5)}/${expected}  p50 ${fmt(pct(l, 50)).padStart(10)}  p99 ${fmt(pct(l, 99)).padStart(10)}`;
  const echo = await benchEcho();
  measured.push(row('bare socket.io echo', echo.latencies, echo.expected));
  const cadre = await benchCadre();
  console.log(measured[0]);
  console.log(row('Cadre live (PGlite)', cadre.latencies, cadre.expected));
  console.log(`ratio (Cadre / bare)     p50 ×${(pct(cadre.latencies, 50) / pct(echo.latencies, 50)).toFixed(1)}  p99 ×${(pct(cadre.latencies, 99) / pct(echo.latencies, 99)).toFixed(1)}`);
  const note = `${ROOMS} rooms, ${Math.round((ROOMS * 1000) / ROUND_MS)} notes/s, PGlite; post → candidate receipt`;
  console.log(benchRowLine({ measure: 'live feedback post-to-receipt p50 vs bare socket.io echo', cadre: pct(cadre.latencies, 50), baseline: pct(echo.latencies, 50), unit: 'ms', better: 'lower', note }));
  console.log(benchRowLine({ measure: 'live feedback post-to-receipt p99 vs bare socket.io echo', cadre: pct(cadre.latencies, 99), baseline: pct(echo.latencies, 99), unit: 'ms', better: 'lower', note }));
  console.log(`(Cadre: validate, authorise, one transaction with the per-room seq, ack, then broadcast; ${cadre.errors} errors; ${ROOMS * 2} logins took ${(cadre.loginMs / 1000).toFixed(1)} s; whole run ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
