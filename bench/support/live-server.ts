/**
 * The server side of bench/live.ts, in its own process so its figures are not held back by the 400 client sockets:
 * `bare` (a socket.io echo: join a room, ack a message, send it to the room) or `cadre` (the app on PGlite in memory,
 * with ROOMS rooms, each with a mentor and a candidate who can log in). Writes what the clients need (emails, room ids)
 * to the JSON file named by its second argument, then prints `READY <url>`.
 * Run with: node --import tsx bench/support/live-server.ts <bare|cadre> <setup.json> <rooms>
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector';
import { Server as IoServer } from 'socket.io';
import { createApp } from '../../server/app';
import { hashPassword, TEST_COST } from '../../server/auth/passwords';
import { migrateDatabase, openPglite } from '../../server/db';
import { cohortMembers, cohorts, memberships, organisations, users } from '../../server/db/tables';
import { createLogger } from '../../server/logger';
import { coDeliveryLiveRooms } from '../../modules/co-delivery/schema';
import { testConfig } from '../../test/support/app';
import { listen } from './servers';

/** What the load generator reads from the setup file. */
export type LiveSetup = { password: string; mentors: string[]; candidates: string[]; rooms: string[] };

/** Shared by both processes; a bench-only account password. */
export const LIVE_BENCH_PASSWORD = 'bench-password-not-secret';

async function bare(): Promise<string> {
  const server = createServer();
  const io = new IoServer(server, { serveClient: false });
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
  return listen(server);
}

async function cadre(setupFile: string, rooms: number): Promise<string> {
  const database = await openPglite();
  await migrateDatabase(database);
  const app = await createApp({ database, config: testConfig({ LOG_LEVEL: 'silent' }), logger: createLogger('silent') });
  const db = database.db;
  // Logging in is set-up, not what is measured: the cheapest argon2 cost keeps 400 logins to seconds.
  const hash = await hashPassword(LIVE_BENCH_PASSWORD, TEST_COST);
  const [provider] = await db.insert(organisations).values({ name: 'Bench provider', kind: 'provider' }).returning();
  const [client] = await db.insert(organisations).values({ name: 'Bench client', kind: 'client' }).returning();
  const [cohort] = await db.insert(cohorts).values({ organisationId: client.id, name: 'Bench cohort' }).returning();
  const people = (role: 'mentor' | 'candidate') =>
    Array.from({ length: rooms }, (_, i) => ({ email: `${role}${i}@bench.test`, name: `${role} ${i}`, passwordHash: hash, status: 'active' as const }));
  const mentors = await db.insert(users).values(people('mentor')).returning({ id: users.id, email: users.email });
  const candidates = await db.insert(users).values(people('candidate')).returning({ id: users.id, email: users.email });
  await db.insert(memberships).values([...mentors.map((m) => ({ userId: m.id, organisationId: provider.id, role: 'mentor' as const })), ...candidates.map((c) => ({ userId: c.id, organisationId: client.id, role: 'candidate' as const }))]);
  await db.insert(cohortMembers).values([...mentors.map((m) => ({ cohortId: cohort.id, userId: m.id, role: 'mentor' as const })), ...candidates.map((c) => ({ cohortId: cohort.id, userId: c.id, role: 'candidate' as const }))]);
  const roomRows = await db
    .insert(coDeliveryLiveRooms)
    .values(candidates.map((c, i) => ({ cohortId: cohort.id, candidateId: c.id, title: `Bench room ${i}`, createdBy: mentors[i].id, quietMode: false })))
    .returning({ id: coDeliveryLiveRooms.id });
  const setup: LiveSetup = { password: LIVE_BENCH_PASSWORD, mentors: mentors.map((m) => m.email), candidates: candidates.map((c) => c.email), rooms: roomRows.map((r) => r.id) };
  writeFileSync(setupFile, JSON.stringify(setup));
  return listen(app.server);
}

async function main() {
  const [mode = 'bare', setupFile = '', rooms = '200'] = process.argv.slice(2);
  const url = mode === 'cadre' ? await cadre(setupFile, Number(rooms)) : await bare();
  // BENCH_PROFILE=<file.cpuprofile>: SIGUSR2 (sent by bench/live.ts before the measured rounds) starts the CPU
  // profiler and SIGTERM writes the profile, so it holds the notes and not the set-up.
  const profileFile = mode === 'cadre' ? process.env.BENCH_PROFILE : undefined;
  const session = profileFile ? new Session() : undefined;
  if (session) {
    session.connect();
    process.on('SIGUSR2', () => session.post('Profiler.enable', () => session.post('Profiler.start')));
  }
  process.on('SIGTERM', () => {
    if (!session || !profileFile) process.exit(0);
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(profileFile, JSON.stringify(res.profile));
      process.exit(0);
    });
  });
  console.log(`READY ${url}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
