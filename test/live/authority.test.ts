/** Sockets re-check authority (issue 10.11): a mentor removed from a cohort cannot go on posting, re-joining or
 * ending sessions on an already-open socket; the handshake refuses other origins; on PostgreSQL, across two nodes. */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { io as connectIo, type Socket } from 'socket.io-client';
import { createApp, type CadreApp } from '../../server/app';
import { openPostgres, type Database } from '../../server/db';
import { SESSION_ABSOLUTE_MS } from '../../server/http/session';
import { createLogger } from '../../server/logger';
import { startTestApp, testConfig, type TestApp } from '../support/app';
import { openTestDatabase } from '../support/db';
import { addToCohort, buildUser, buildWorld, type World } from '../support/factories';
import { ask, connected, loginCookie, openSocket } from './clients';

jest.setTimeout(60_000);

type Ack = { error?: { code: string; message: string }; seq?: number; released?: number; role?: string };

let t: TestApp;
let url: string;
let w: World;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await startTestApp();
  url = await t.listen();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
});
afterEach(() => sockets.splice(0).forEach((s) => s.close()));

async function socketAt(baseUrl: string, email: string): Promise<Socket> {
  const s = openSocket(baseUrl, await loginCookie(baseUrl, email), { reconnectionDelay: 60_000 });
  sockets.push(s);
  await connected(s);
  return s;
}

async function openRoom(app: TestApp): Promise<string> {
  const mentor = await app.loginAs(w.a.mentor.email);
  const res = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'Breakaway demonstration', quietMode: false });
  expect(res.status).toBe(201);
  return res.body.room.id as string;
}

const note = (roomId: string, body: string) => ({ roomId, clientId: randomUUID(), body, kind: 'strength', tags: [] });
const disconnection = (s: Socket) => new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));

describe('a mentor removed from the cohort', () => {
  it('is disconnected at once, and cannot come back in on a new socket', async () => {
    const roomId = await openRoom(t);
    const mentor = await socketAt(url, w.a.mentor.email);
    expect((await ask<Ack>(mentor, 'live:join', { roomId })).role).toBe('mentor');
    expect((await ask<Ack>(mentor, 'live:note', note(roomId, 'Calm voice, open hands'))).seq).toBe(1);

    const gone = disconnection(mentor);
    const admin = await t.loginAs(w.admin.email);
    expect((await admin.delete(`/api/v1/cohorts/${w.a.cohort.id}/members/${w.a.mentor.id}/mentor`)).status).toBe(204);
    expect(await gone).toBe('io server disconnect');

    const again = await socketAt(url, w.a.mentor.email);
    const join = await ask<Ack>(again, 'live:join', { roomId });
    expect(join.error?.code).toBe('not_found');
    const rows = await t.database.query('select count(*)::int as n from co_delivery_live_notes');
    expect(Number(rows.rows[0].n)).toBe(1);
  });

  it('is refused on every write by an open socket even if the disconnect never arrived (fresh roles per event)', async () => {
    const roomId = await openRoom(t);
    const mentor = await socketAt(url, w.a.mentor.email);
    expect((await ask<Ack>(mentor, 'live:join', { roomId })).role).toBe('mentor');
    // The membership goes and this node learns of it (the cache), but no disconnect is sent: writes must still fail.
    await t.database.db.execute(sql`delete from cohort_members where user_id = ${w.a.mentor.id} and role = 'mentor'`);
    t.cadre.ctx.actors.invalidate(w.a.mentor.id);
    for (const [event, payload] of [
      ['live:note', note(roomId, 'Still here?')],
      ['live:join', { roomId }],
      ['live:release', { roomId }],
      ['live:quiet', { roomId, quietMode: true }],
      ['live:end', { roomId }],
    ] as const) {
      const res = await ask<Ack>(mentor, event, payload);
      expect([event, res.error?.code]).toEqual([event, 'not_found']);
    }
    const room = await t.database.query('select ended_at, quiet_mode from co_delivery_live_rooms where id = $1', [roomId]);
    expect(room.rows[0]).toEqual({ ended_at: null, quiet_mode: false });
    expect(Number((await t.database.query('select count(*)::int as n from co_delivery_live_notes')).rows[0].n)).toBe(0);
  });
});

describe('a person who is both mentor and candidate in the cohort (own-record attack over a real socket)', () => {
  it('joins their own room only as its candidate, and posting, quiet mode and ending on their own record are refused', async () => {
    const db = t.database.db;
    const dual = w.a.mentor;
    await addToCohort(db, w.a.cohort.id, dual.id, 'candidate');
    const mentor2 = await buildUser(db, { name: 'Mentor A2', organisationId: w.provider.id, role: 'mentor' });
    await addToCohort(db, w.a.cohort.id, mentor2.id, 'mentor');
    t.cadre.ctx.actors.invalidate(dual.id);

    // Opening a room about themself is refused; the other mentor opens one, in quiet mode, and posts a held note.
    const self = await t.loginAs(dual.email);
    expect((await self.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: dual.id, title: 'My own session', quietMode: false })).status).toBe(403);
    const other = await t.loginAs(mentor2.email);
    const opened = await other.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: dual.id, title: 'Restraint-free de-escalation', quietMode: true });
    expect(opened.status).toBe(201);
    const roomId = opened.body.room.id as string;
    const staff = await socketAt(url, mentor2.email);
    expect((await ask<Ack>(staff, 'live:join', { roomId })).role).toBe('mentor');
    expect((await ask<Ack>(staff, 'live:note', note(roomId, 'Kept a calm distance'))).seq).toBe(1);

    const own = await socketAt(url, dual.email);
    const join = await ask<Ack & { notes: unknown[] }>(own, 'live:join', { roomId });
    expect(join.role).toBe('candidate');
    expect(join.notes).toEqual([]); // a held note stays with the staff until it is released
    // (live:release stays theirs: it is the candidate's own "I'm done", releasing held notes to themself.)
    for (const [event, payload] of [
      ['live:note', note(roomId, 'I was brilliant')],
      ['live:quiet', { roomId, quietMode: false }],
      ['live:end', { roomId }],
    ] as const) {
      const res = await ask<Ack>(own, event, payload);
      expect([event, res.error?.code]).toEqual([event, 'forbidden']);
    }
    const room = await t.database.query('select ended_at, quiet_mode from co_delivery_live_rooms where id = $1', [roomId]);
    expect(room.rows[0]).toEqual({ ended_at: null, quiet_mode: true });
    const notes = await t.database.query('select author_id, released_at from co_delivery_live_notes where room_id = $1', [roomId]);
    expect(notes.rows).toEqual([{ author_id: mentor2.id, released_at: null }]);
  });
});

describe('other changes of authority', () => {
  it('a disabled account’s sockets are disconnected', async () => {
    const mentor = await socketAt(url, w.a.mentor.email);
    const gone = disconnection(mentor);
    const admin = await t.loginAs(w.admin.email);
    expect((await admin.put(`/api/v1/users/${w.a.mentor.id}/disabled`).send({ disabled: true })).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect((await t.anonymous().post('/api/v1/session').send({ email: w.a.mentor.email, password: 'correct horse battery staple' })).status).toBe(401);
  });

  it('a socket past its login session’s absolute lifetime is refused and disconnected', async () => {
    const roomId = await openRoom(t);
    const mentor = await socketAt(url, w.a.mentor.email);
    // The server side of this socket logged in longer ago than the absolute lifetime.
    for (const s of t.cadre.io.of('/').sockets.values()) {
      // The socket keeps when its login session started (server/sockets.ts handshakeSession), not the session itself.
      const request = s.request as unknown as { user?: { id: string }; sessionStartedAt?: number };
      if (request.user?.id === w.a.mentor.id && request.sessionStartedAt) request.sessionStartedAt = Date.now() - SESSION_ABSOLUTE_MS - 1000;
    }
    const gone = disconnection(mentor);
    const res = await ask<Ack>(mentor, 'live:note', note(roomId, 'Too late'), 2000).catch(() => ({ error: { code: 'disconnected' } }) as Ack);
    expect(['unauthenticated', 'disconnected']).toContain(res.error?.code);
    expect(await gone).toBe('io server disconnect');
    expect(Number((await t.database.query('select count(*)::int as n from co_delivery_live_notes')).rows[0].n)).toBe(0);
  });
});

describe('the handshake', () => {
  it('refuses a page on another origin, accepts this one', async () => {
    const cookie = await loginCookie(url, w.a.mentor.email);
    const attempt = (origin: string) =>
      new Promise<string>((resolve) => {
        const s = connectIo(url, { transports: ['websocket'], extraHeaders: { cookie, origin }, forceNew: true, reconnection: false });
        sockets.push(s);
        s.once('connect', () => resolve('connected'));
        s.once('connect_error', (err) => resolve(`refused: ${err.message}`));
      });
    expect(await attempt('http://evil.example')).toMatch(/^refused/);
    expect(await attempt('null')).toMatch(/^refused/);
    expect(await attempt(url)).toBe('connected');
    expect(await attempt(t.config.publicUrl)).toBe('connected');
  });
});

// PGlite is one process: the cross-node path only exists on PostgreSQL.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres('two nodes on one PostgreSQL', () => {
  let nodeA: TestApp;
  let nodeB: CadreApp;
  let secondPool: Database;
  let urlB: string;

  beforeAll(async () => {
    const database = await openTestDatabase();
    nodeA = await startTestApp({ database });
    await nodeA.listen();
    secondPool = await openPostgres(database.url as string);
    nodeB = await createApp({ database: secondPool, config: testConfig(), logger: createLogger('silent') });
    await new Promise<void>((resolve) => nodeB.server.listen(0, '127.0.0.1', resolve));
    const addr = nodeB.server.address();
    urlB = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await nodeB.close();
    nodeB.server.closeAllConnections();
    await new Promise<void>((resolve) => nodeB.server.close(() => resolve()));
    await secondPool.close();
    await nodeA.stop();
    await nodeA.database.drop();
  });

  it('removal on node A disconnects the mentor’s socket on node B, and node B’s pages forget the role at once', async () => {
    w = await buildWorld(nodeA.database.db);
    const roomId = await openRoom(nodeA);
    const mentor = await socketAt(urlB, w.a.mentor.email);
    expect((await ask<Ack>(mentor, 'live:join', { roomId })).role).toBe('mentor');
    const cookie = await loginCookie(urlB, w.a.mentor.email);
    const onB = async () => (await fetch(`${urlB}/api/v1/cohorts/${w.a.cohort.id}`, { headers: { cookie } })).status;
    expect(await onB()).toBe(200); // node B has the mentor's actor cached now

    const gone = disconnection(mentor);
    const admin = await nodeA.loginAs(w.admin.email);
    expect((await admin.delete(`/api/v1/cohorts/${w.a.cohort.id}/members/${w.a.mentor.id}/mentor`)).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    // The invalidation travels by NOTIFY like the disconnect; give it the same moment to arrive.
    let status = await onB();
    for (let i = 0; i < 20 && status !== 404; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = await onB();
    }
    expect(status).toBe(404);
  });
});
