/** The server process is killed (-9) and restarted in the middle of a stream of 1,000 notes: the candidate
 * still sees seq 1..1000 exactly once each, in order, and the database holds each note once. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { migrateDatabase, openPglite, type Database } from '../../server/db';
import { createRoom } from '../../modules/co-delivery/live/commands';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { buildWorld } from '../support/factories';
import { connected, loginCookie, MentorOutbox, openSocket, RoomFollower } from './clients';

const N = 1000;
const root = path.resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Starts the fixture server in its own process group (npx → tsx → node), resolving when it listens. */
function startServer(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn('npx', ['tsx', 'test/live/fixtures/server.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 60_000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}

/** Kills the whole process group of a server we started, by its id. */
function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-(child.pid as number), signal);
  });
}

let server: ChildProcess | undefined;
let testDb: TestDatabase | undefined;
afterAll(async () => {
  if (server) await kill(server, 'SIGKILL');
  await testDb?.drop();
});

it(`loses and repeats nothing when the server is killed -9 and restarted mid-stream (${N} notes)`, async () => {
  const env: Record<string, string> = { PORT: String(await freePort()) };
  let seedDb: Database;
  if (process.env.DATABASE_URL) {
    testDb = await openTestDatabase();
    seedDb = testDb;
    env.DATABASE_URL = testDb.url as string;
  } else {
    env.DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'cadre-live-restart-'));
    seedDb = await openPglite({ dataDir: env.DATA_DIR });
    await migrateDatabase(seedDb);
  }
  const w = await buildWorld(seedDb.db);
  const mentorActor = { id: w.a.mentor.id, email: w.a.mentor.email, name: w.a.mentor.name, isAdmin: false, orgRoles: [], cohortRoles: [], capabilities: new Map() };
  const room = await createRoom(seedDb.db, mentorActor, w.a.cohort.id, { candidateId: w.a.candidate.id, title: 'Restart drill', quietMode: false, leadMayObserve: true });
  if (!testDb) await seedDb.close();

  server = await startServer(env);
  const url = `http://127.0.0.1:${env.PORT}`;
  const mentorSocket = openSocket(url, await loginCookie(url, w.a.mentor.email));
  const candidate = new RoomFollower(openSocket(url, await loginCookie(url, w.a.candidate.email)), room.id, 'releaseSeq');
  await Promise.all([connected(mentorSocket), connected(candidate.socket)]);
  const outbox = new MentorOutbox(mentorSocket, room.id, 8);
  for (let i = 1; i <= N; i++) outbox.post(`Note ${i}`, { kind: i % 3 ? 'strength' : 'to_work_on', tags: i % 5 ? [] : ['pace'] });

  await outbox.waitForAcks(N / 3);
  const ackedBeforeKill = outbox.acked.size;
  await kill(server, 'SIGKILL');
  server = await startServer(env);

  await outbox.waitForAcks(N, 200_000);
  await candidate.waitFor(N, 120_000);
  await new Promise((r) => setTimeout(r, 300));

  expect(ackedBeforeKill).toBeLessThan(N);
  expect(candidate.applied).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(candidate.notes.map((n) => n.seq)).toEqual(candidate.applied);
  expect(new Set(candidate.notes.map((n) => n.body)).size).toBe(N);
  expect([...outbox.acked.values()].sort((a, b) => a - b)).toEqual(candidate.applied);
  mentorSocket.close();
  candidate.close();

  await kill(server, 'SIGTERM');
  server = undefined;
  const check = testDb ?? (await openPglite({ dataDir: env.DATA_DIR }));
  const { rows } = await check.query(`select count(*)::int as n, count(distinct client_id)::int as c, min(seq) as lo, max(seq) as hi from co_delivery_live_notes where room_id = $1`, [room.id]);
  expect(rows[0]).toEqual({ n: N, c: N, lo: 1, hi: N });
  if (!testDb) await check.close();
}, 400_000);
