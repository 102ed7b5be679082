/** Two app nodes on one PostgreSQL (the socket.io Postgres adapter): a note posted on node A reaches a
 * candidate connected to node B, live. Runs when DATABASE_URL is set (CI starts a real server). */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { createApp, type CadreApp } from '../../server/app';
import { openPostgres, type Database } from '../../server/db';
import { createLogger } from '../../server/logger';
import { startTestApp, testConfig, type TestApp } from '../support/app';
import { openTestDatabase } from '../support/db';
import { buildWorld, type World } from '../support/factories';
import { ask, connected, loginCookie, openSocket, RoomFollower } from './clients';

// PGlite is one process: the cross-node path only exists on PostgreSQL, so this file runs only there.
const maybe = process.env.DATABASE_URL ? describe : describe.skip;

maybe('two app nodes sharing one PostgreSQL database', () => {
  let nodeA: TestApp;
  let nodeB: CadreApp;
  let secondPool: Database;
  let urlA: string;
  let urlB: string;
  let w: World;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    const database = await openTestDatabase();
    nodeA = await startTestApp({ database });
    urlA = await nodeA.listen();
    secondPool = await openPostgres(database.url as string);
    nodeB = await createApp({ database: secondPool, config: testConfig(), logger: createLogger('silent') });
    await new Promise<void>((resolve) => nodeB.server.listen(0, '127.0.0.1', resolve));
    const addr = nodeB.server.address();
    urlB = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    w = await buildWorld(database.db);
  });

  afterAll(async () => {
    closers.forEach((c) => c());
    await nodeB.close();
    nodeB.server.closeAllConnections();
    await new Promise<void>((resolve) => nodeB.server.close(() => resolve()));
    await secondPool.close();
    await nodeA.stop();
    await nodeA.database.drop();
  });

  it('delivers a note posted on node A to a candidate on node B, and a release on B to a mentor on A', async () => {
    const mentorAgent = await nodeA.loginAs(w.a.mentor.email);
    const created = await mentorAgent.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'Two nodes', quietMode: false });
    expect(created.status).toBe(201);
    const roomId = created.body.room.id as string;

    const candidate = new RoomFollower(openSocket(urlB, await loginCookie(urlB, w.a.candidate.email)), roomId, 'releaseSeq');
    const mentor: Socket = openSocket(urlA, await loginCookie(urlA, w.a.mentor.email));
    closers.push(() => candidate.close(), () => mentor.close());
    await Promise.all([connected(candidate.socket), connected(mentor)]);
    const joined = await candidate.join();
    expect(joined.notes).toEqual([]);

    const live: number[] = [];
    candidate.socket.on('live:note', (m: { note: { releaseSeq: number } }) => live.push(m.note.releaseSeq));
    for (let i = 1; i <= 5; i++) {
      const ack = await ask<{ seq: number }>(mentor, 'live:note', { roomId, clientId: randomUUID(), body: `From node A ${i}`, kind: 'strength', tags: [] });
      expect(ack.seq).toBe(i);
    }
    await candidate.waitFor(5);
    expect(candidate.applied).toEqual([1, 2, 3, 4, 5]);
    // They arrived as live broadcasts through the adapter, not only through a replay.
    expect(live).toEqual([1, 2, 3, 4, 5]);

    await ask(mentor, 'live:join', { roomId, afterSeq: 5 });
    await ask(mentor, 'live:quiet', { roomId, quietMode: true });
    const statuses: { seq: number; state: string }[] = [];
    mentor.on('live:status', (m: { notes: { seq: number; state: string }[] }) => statuses.push(...m.notes));
    await ask(mentor, 'live:note', { roomId, clientId: randomUUID(), body: 'Held on A', kind: 'to_work_on', tags: ['tone'] });
    expect(await ask(candidate.socket, 'live:release', { roomId })).toEqual({ released: 1 });
    await candidate.waitFor(6);
    await new Promise((r) => setTimeout(r, 300));
    expect(statuses).toContainEqual(expect.objectContaining({ seq: 6, state: 'sent' }));
  });
});
