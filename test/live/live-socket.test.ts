/** The live hub over real socket.io clients: order, exactly-once, gap fill, quiet mode, access and limits. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { coDeliveryLiveNotes } from '../../modules/co-delivery/schema';
import { cohorts } from '../../server/db/tables';
import { configureLive } from '../../modules/co-delivery/live';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildUser, buildWorld, type World } from '../support/factories';
import { ask, connected, loginCookie, MentorOutbox, openSocket, RoomFollower } from './clients';

let t: TestApp;
let url: string;
let w: World;
const sockets: Socket[] = [];
const followers: RoomFollower[] = [];

beforeAll(async () => {
  t = await startTestApp();
  url = await t.listen();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  configureLive(t.cadre.io, { noteRate: { capacity: 20, perSecond: 2 } });
  w = await buildWorld(t.database.db);
});
afterEach(() => {
  followers.splice(0).forEach((f) => f.close());
  sockets.splice(0).forEach((s) => s.close());
});

async function socketFor(email: string): Promise<Socket> {
  const s = openSocket(url, await loginCookie(url, email));
  sockets.push(s);
  await connected(s);
  return s;
}

async function follow(email: string, roomId: string, cursor: 'seq' | 'releaseSeq'): Promise<RoomFollower> {
  const s = openSocket(url, await loginCookie(url, email));
  const f = new RoomFollower(s, roomId, cursor);
  followers.push(f);
  await connected(s);
  return f;
}

async function openRoom(quietMode: boolean, extra: Record<string, unknown> = {}): Promise<string> {
  const mentor = await t.loginAs(w.a.mentor.email);
  const res = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'Breakaway demonstration', quietMode, ...extra });
  expect(res.status).toBe(201);
  return res.body.room.id as string;
}

const note = (roomId: string, body: string, extra: Record<string, unknown> = {}) => ({ roomId, clientId: randomUUID(), body, kind: 'strength', tags: [], ...extra });

describe('delivery', () => {
  it('delivers notes to the candidate and other mentors in seq order, each once', async () => {
    const roomId = await openRoom(false);
    const mentor2 = await buildUser(t.database.db, { name: 'Second mentor' });
    await addToCohort(t.database.db, w.a.cohort.id, mentor2.id, 'mentor');
    const candidate = await follow(w.a.candidate.email, roomId, 'releaseSeq');
    const colleague = await follow(mentor2.email, roomId, 'seq');
    const outbox = new MentorOutbox(await socketFor(w.a.mentor.email), roomId, 8);
    for (let i = 1; i <= 20; i++) outbox.post(`Note ${i}: calm voice, open hands`);
    await outbox.waitForAcks(20);
    await candidate.waitFor(20);
    await colleague.waitFor(20);
    expect(candidate.applied).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(candidate.notes.map((n) => n.seq)).toEqual(candidate.applied);
    expect(colleague.applied).toEqual(candidate.applied);
    expect(candidate.notes[0]).not.toHaveProperty('clientId');
    const rows = await t.database.db.select({ seq: coDeliveryLiveNotes.seq }).from(coDeliveryLiveNotes).where(eq(coDeliveryLiveNotes.roomId, roomId));
    expect(rows.map((r) => r.seq).sort((a, b) => a - b)).toEqual(candidate.applied);
  });

  it('stores a repeated client id once and acknowledges it with the same seq', async () => {
    const roomId = await openRoom(false);
    const s = await socketFor(w.a.mentor.email);
    const payload = note(roomId, 'Good use of distance when the learner stepped in');
    const [a, b] = await Promise.all([ask(s, 'live:note', payload), ask(s, 'live:note', payload)]);
    const c = await ask(s, 'live:note', payload);
    expect(a.seq).toBe(1);
    expect(b.seq).toBe(1);
    expect(c).toMatchObject({ seq: 1, duplicate: true });
    const rows = await t.database.db.select().from(coDeliveryLiveNotes).where(eq(coDeliveryLiveNotes.roomId, roomId));
    expect(rows).toHaveLength(1);
    const next = await ask(s, 'live:note', note(roomId, 'Next'));
    expect(next.seq).toBe(2);
  });

  it('fills the gap after a forced disconnect: the candidate gets exactly the notes it missed, in order', async () => {
    const roomId = await openRoom(false);
    const candidate = await follow(w.a.candidate.email, roomId, 'releaseSeq');
    const mentor = await socketFor(w.a.mentor.email);
    for (let i = 1; i <= 3; i++) await ask(mentor, 'live:note', note(roomId, `Before ${i}`));
    await candidate.waitFor(3);
    // The server drops the candidate's connection; the client does not come back until we say so.
    t.cadre.io.in(`user:${w.a.candidate.id}`).disconnectSockets(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(candidate.socket.connected).toBe(false);
    for (let i = 4; i <= 9; i++) await ask(mentor, 'live:note', note(roomId, `While away ${i}`));
    candidate.socket.connect();
    await candidate.waitFor(9);
    expect(candidate.applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(candidate.notes.slice(3).map((n) => n.body)).toEqual(['While away 4', 'While away 5', 'While away 6', 'While away 7', 'While away 8', 'While away 9']);
    // A network drop on the mentor's side: the outbox sends what was not acknowledged, once.
    const outbox = new MentorOutbox(mentor, roomId, 4);
    mentor.io.engine.close();
    for (let i = 10; i <= 14; i++) outbox.post(`Queued offline ${i}`);
    await outbox.waitForAcks(5);
    await candidate.waitFor(14);
    expect(candidate.applied).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    const stored = await t.database.db.select({ seq: coDeliveryLiveNotes.seq }).from(coDeliveryLiveNotes).where(eq(coDeliveryLiveNotes.roomId, roomId));
    expect(stored).toHaveLength(14);
  });
});

describe('quiet mode', () => {
  it('holds notes until the candidate says "I\'m done", then releases them in order with their own sequence', async () => {
    const roomId = await openRoom(true);
    const candidate = await follow(w.a.candidate.email, roomId, 'releaseSeq');
    const staff = await socketFor(w.a.mentor.email);
    const states: { seq: number; state: string }[] = [];
    staff.on('live:status', (m: { notes: { seq: number; state: string }[] }) => states.push(...m.notes));
    const join = await ask<{ notes: { state: string }[] }>(staff, 'live:join', { roomId, afterSeq: 0 });
    expect(join.notes).toEqual([]);
    for (let i = 1; i <= 3; i++) await ask(staff, 'live:note', note(roomId, `Held ${i}`, { kind: i === 2 ? 'to_work_on' : 'strength', tags: ['pace'] }));
    await new Promise((r) => setTimeout(r, 200));
    expect(candidate.applied).toEqual([]);
    const held = await ask<{ notes: { state: string }[]; held: number }>(staff, 'live:join', { roomId, afterSeq: 0 });
    expect(held.notes.map((n) => n.state)).toEqual(['held', 'held', 'held']);
    expect(held.held).toBe(3);

    const done = await ask(candidate.socket, 'live:release', { roomId });
    expect(done).toEqual({ released: 3 });
    await candidate.waitFor(3);
    expect(candidate.notes.map((n) => n.body)).toEqual(['Held 1', 'Held 2', 'Held 3']);
    expect(candidate.applied).toEqual([1, 2, 3]);

    await ask(candidate.socket, 'live:receipt', { roomId, upToReleaseSeq: 3, seen: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(states.filter((s) => s.state === 'seen').map((s) => s.seq)).toEqual([1, 2, 3]);

    // A note while the candidate already has three: held again, released by the mentor ending the segment.
    await ask(staff, 'live:note', note(roomId, 'Held 4'));
    await new Promise((r) => setTimeout(r, 100));
    expect(candidate.applied).toEqual([1, 2, 3]);
    expect(await ask(staff, 'live:release', { roomId })).toEqual({ released: 1 });
    await candidate.waitFor(4);
    expect(candidate.notes[3]).toMatchObject({ body: 'Held 4', seq: 4, releaseSeq: 4 });

    // A candidate who reconnects from nothing replays the released stream only.
    const again = await ask<{ notes: { releaseSeq: number }[] }>(candidate.socket, 'live:join', { roomId, afterSeq: 0 });
    expect(again.notes.map((n) => n.releaseSeq)).toEqual([1, 2, 3, 4]);
  });

  it('switching quiet mode off releases what was held and sends later notes at once', async () => {
    const roomId = await openRoom(true);
    const candidate = await follow(w.a.candidate.email, roomId, 'releaseSeq');
    const staff = await socketFor(w.a.mentor.email);
    await ask(staff, 'live:note', note(roomId, 'Held'));
    expect(await ask(staff, 'live:quiet', { roomId, quietMode: false })).toEqual({ released: 1, quietMode: false });
    await ask(staff, 'live:note', note(roomId, 'Immediate'));
    await candidate.waitFor(2);
    expect(candidate.notes.map((n) => n.body)).toEqual(['Held', 'Immediate']);
  });
});

describe('access', () => {
  it('refuses anonymous sockets, another organisation, and peers of the candidate', async () => {
    const roomId = await openRoom(false);
    const anon = openSocket(url, '');
    sockets.push(anon);
    await expect(connected(anon)).rejects.toThrow('unauthorized');

    const other = await socketFor(w.b.mentor.email);
    expect(await ask(other, 'live:join', { roomId, afterSeq: 0 })).toMatchObject({ error: { code: 'not_found' } });
    expect(await ask(other, 'live:note', note(roomId, 'sneaky'))).toMatchObject({ error: { code: 'not_found' } });
    const peer = await socketFor(w.a.otherCandidate.email);
    expect(await ask(peer, 'live:join', { roomId, afterSeq: 0 })).toMatchObject({ error: { code: 'not_found' } });
    const rows = await t.database.db.select().from(coDeliveryLiveNotes);
    expect(rows).toHaveLength(0);
  });

  it('lets the lead watch read-only only where the cohort allows it', async () => {
    const roomId = await openRoom(false);
    const lead = await follow(w.a.lead.email, roomId, 'seq');
    const joined = await lead.join();
    expect(joined.role).toBe('observer');
    expect(await ask(lead.socket, 'live:note', note(roomId, 'Not mine to send'))).toMatchObject({ error: { code: 'forbidden' } });
    const mentor = await socketFor(w.a.mentor.email);
    await ask(mentor, 'live:note', note(roomId, 'Seen by the lead'));
    await lead.waitFor(1);

    await t.database.db.update(cohorts).set({ settings: { stalledAfterDays: 14, leadMayObserveLive: false } }).where(eq(cohorts.id, w.a.cohort.id));
    const res = await ask<{ error: { code: string; message: string } }>(lead.socket, 'live:join', { roomId, afterSeq: 0 });
    expect(res.error.code).toBe('forbidden');
    expect(res.error.message).toMatch(/does not allow watching/);
  });

  it('disconnects a user\'s sockets when they log out, and the cookie no longer connects', async () => {
    const cookie = await loginCookie(url, w.a.mentor.email);
    const s = openSocket(url, cookie);
    sockets.push(s);
    await connected(s);
    const gone = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    const out = await fetch(`${url}/api/v1/session`, { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    const again = openSocket(url, cookie);
    sockets.push(again);
    await expect(connected(again)).rejects.toThrow('unauthorized');
  });
});

describe('validation and limits', () => {
  it('validates and caps payloads, naming the field', async () => {
    const roomId = await openRoom(false);
    const s = await socketFor(w.a.mentor.email);
    const long = await ask<{ error: { code: string; fields: { field: string }[] } }>(s, 'live:note', note(roomId, 'x'.repeat(1001)));
    expect(long.error.code).toBe('validation_failed');
    expect(long.error.fields.map((f) => f.field)).toEqual(['body']);
    const bad = await ask<{ error: { code: string; fields: { field: string }[] } }>(s, 'live:note', { ...note(roomId, 'ok'), kind: 'praise', tags: ['volume'], extra: 1 });
    expect(bad.error.fields.map((f) => f.field).sort()).toEqual(['extra', 'kind', 'tags.0']);
    expect(await ask(s, 'live:join', 'nonsense')).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('rate-limits notes per socket with a clear message', async () => {
    const roomId = await openRoom(false);
    // A bucket that does not refill during the burst, so the count is exact however slow the machine is (at 2 a
    // second, a loaded CI machine spreading 25 emits over a second let 21 or 22 through).
    configureLive(t.cadre.io, { noteRate: { capacity: 20, perSecond: 0.001 } });
    const s = await socketFor(w.a.mentor.email);
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => ask<{ seq?: number; error?: { code: string; message: string; retryAfterMs: number } }>(s, 'live:note', note(roomId, `Burst ${i}`))));
    const limited = results.filter((r) => r.error);
    expect(results.filter((r) => r.seq)).toHaveLength(20);
    expect(limited).toHaveLength(5);
    expect(limited[0].error).toMatchObject({ code: 'rate_limited' });
    expect(limited[0].error?.message).toMatch(/Too many notes at once\. Wait \d+ seconds?; nothing is lost\./);
    expect(limited[0].error?.retryAfterMs).toBeGreaterThan(0);
    configureLive(t.cadre.io, { noteRate: { capacity: 20, perSecond: 2 } });
  });
});

describe("the candidate's side (12.7)", () => {
  /** Resolves with the next `event` payload on `socket` that matches. */
  const next = <T>(socket: Socket, event: string, match: (m: T) => boolean = () => true) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event}`)), 5000);
      const on = (m: T) => {
        if (!match(m)) return;
        clearTimeout(timer);
        socket.off(event, on);
        resolve(m);
      };
      socket.on(event, on);
    });

  it('is told in-app, on the page they have open, when a mentor opens a room for them', async () => {
    const candidate = await socketFor(w.a.candidate.email);
    const told = next<{ title: string; body: string; link: string }>(candidate, 'notification:new');
    const peer = await socketFor(w.a.otherCandidate.email);
    const peerTold: unknown[] = [];
    peer.on('notification:new', (m) => peerTold.push(m));
    const roomId = await openRoom(true);
    const pushed = await told;
    expect(pushed.title).toBe(`${w.a.mentor.name} opened a live feedback room for you`);
    expect(pushed.body).toMatch(/^"Breakaway demonstration" — open it when you are ready to teach/);
    expect(pushed.link).toBe(`/cohorts/${w.a.cohort.id}/live/${roomId}`);
    const page = await (await t.loginAs(w.a.candidate.email)).get('/notifications');
    expect(page.text).toContain(`${w.a.mentor.name} opened a live feedback room for you`);
    expect(page.text).toContain(`href="/cohorts/${w.a.cohort.id}/live/${roomId}"`);
    expect(peerTold).toEqual([]);
  });

  it('hears the live count of held notes (never the notes), then each note exactly once on release', async () => {
    const roomId = await openRoom(true);
    const candidate = await follow(w.a.candidate.email, roomId, 'releaseSeq');
    await candidate.join();
    const counts: number[] = [];
    candidate.socket.on('live:held', (m: { roomId: string; held: number }) => counts.push(m.held));
    const colleague = await socketFor(w.a.otherCandidate.email);
    const leaked: unknown[] = [];
    colleague.on('live:held', (m) => leaked.push(m));
    const staff = await socketFor(w.a.mentor.email);
    const third = next<{ held: number }>(candidate.socket, 'live:held', (m) => m.held === 3);
    for (let i = 1; i <= 3; i++) await ask(staff, 'live:note', note(roomId, `Held ${i}`));
    await third;
    // The count is a latest-value signal: across nodes (the PostgreSQL adapter) two may arrive as one, never backwards.
    expect(counts.at(-1)).toBe(3);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.every((n) => n >= 1 && n <= 3)).toBe(true);
    expect(candidate.applied).toEqual([]);
    // The count on the page as rendered now, in the same words the script writes.
    const page = await (await t.loginAs(w.a.candidate.email)).get(`/cohorts/${w.a.cohort.id}/live/${roomId}`);
    expect(page.text).toContain('3 notes are waiting for when you finish.');

    const zero = next<{ held: number }>(candidate.socket, 'live:room', (m) => m.held === 0);
    expect(await ask(candidate.socket, 'live:release', { roomId })).toEqual({ released: 3 });
    await zero;
    await candidate.waitFor(3);
    expect(candidate.applied).toEqual([1, 2, 3]);
    expect(candidate.duplicatesDropped).toBe(0);
    const held = counts.length;
    // A repeated client id is not counted again.
    const repeat = note(roomId, 'Held again');
    await ask(staff, 'live:note', repeat);
    await ask(staff, 'live:note', repeat);
    await new Promise((r) => setTimeout(r, 150));
    // After the release, the repeated note counts once: the only count since is 1.
    expect(counts.slice(held)).toEqual([1]);
    expect(leaked).toEqual([]);
  });

  it('sees the room end live, and an ended room says so and offers the timeline', async () => {
    const roomId = await openRoom(true);
    const candidate = await follow(w.a.candidate.email, roomId, 'releaseSeq');
    await candidate.join();
    const staff = await socketFor(w.a.mentor.email);
    await ask(staff, 'live:note', note(roomId, 'Held until the end'));
    const ended = next<{ room: { endedAt: string | null } }>(candidate.socket, 'live:room', (m) => Boolean(m.room.endedAt));
    expect(await ask(staff, 'live:end', { roomId })).toEqual({ released: 1 });
    await ended;
    await candidate.waitFor(1);
    expect(candidate.notes.map((n) => n.body)).toEqual(['Held until the end']);
    const page = await (await t.loginAs(w.a.candidate.email)).get(`/cohorts/${w.a.cohort.id}/live/${roomId}`);
    expect(page.text).toMatch(/This live session ended [^<]*\.<\/strong> Every note from it is in your feedback timeline\./);
    expect(page.text).toContain(`href="/cohorts/${w.a.cohort.id}/live/${roomId}/timeline">Open your feedback timeline`);
    expect(page.text).not.toContain('data-testid="im-done"');
    expect(page.text).not.toContain('waiting for when you finish');
  });
});
