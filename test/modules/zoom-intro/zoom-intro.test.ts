import { createHmac } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { eq } from 'drizzle-orm';
import { zoomIntroAttendance, zoomIntroMeetings } from '../../../modules/zoom-intro/schema';
import { zoomSignature } from '../../../modules/zoom-intro/signature';
import { buildIcs, foldLine } from '../../../modules/zoom-intro/ics';
import { zonedToUtc } from '../../../modules/zoom-intro/time';
import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { addStages } from '../../progression/support';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(60_000);

const SECRET = 'zoom-test-secret-123';
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp({ config: { ZOOM_WEBHOOK_SECRET: SECRET } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  await addStages(t.database.db, w.a.cohort.id, [{ moduleKey: 'zoom-intro', title: 'Zoom introduction', complete: [{ kind: 'attendance', params: { sessions: 1 } }] }]);
  await addStages(t.database.db, w.b.cohort.id, [{ moduleKey: 'zoom-intro', title: 'Zoom introduction' }]);
});

const pageUrl = () => `/cohorts/${w.a.cohort.id}/stages/zoom-intro`;
const apiUrl = () => `/api/v1/cohorts/${w.a.cohort.id}/stages/zoom-intro`;

async function schedule(meetingId = '81234567890') {
  const mentor = await t.loginAs(w.a.mentor.email);
  const res = await mentor.put(`${apiUrl()}/meeting`).send({ date: '2026-03-17', time: '14:00', timezone: 'Europe/London', durationMinutes: 60, joinUrl: 'https://zoom.us/j/81234567890?pwd=a,b;c', zoomMeetingId: meetingId });
  expect(res.status).toBe(200);
  return res.body.meeting;
}

function signed(body: object, ts = Math.floor(Date.now() / 1000), secret = SECRET) {
  const raw = JSON.stringify(body);
  return { raw, headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': String(ts), 'x-zm-signature': zoomSignature(secret, String(ts), raw) } };
}

function participant(event: 'meeting.participant_joined' | 'meeting.participant_left', email: string, meetingId = 81234567890) {
  return { event, event_ts: Date.now(), payload: { object: { id: meetingId, participant: { email, user_name: 'Someone', join_time: '2026-03-17T14:01:00Z', leave_time: '2026-03-17T15:00:00Z' } } } };
}

describe('scheduling and the invite', () => {
  it('stores the time in UTC from the mentor’s time zone and serves an RFC 5545 invite', async () => {
    const meeting = await schedule();
    expect(meeting.startsAt).toBe('2026-03-17T14:00:00.000Z'); // GMT in March before the clocks change
    expect(zonedToUtc('2026-07-01', '14:00', 'Europe/London').toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(zonedToUtc('2026-07-01', '09:30', 'America/New_York').toISOString()).toBe('2026-07-01T13:30:00.000Z');
    const candidate = await t.loginAs(w.a.candidate.email);
    const ics = await candidate.get(`${pageUrl()}/invite.ics`);
    expect(ics.status).toBe(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    const text = ics.text;
    expect(text.split('\r\n')[0]).toBe('BEGIN:VCALENDAR');
    expect(text).toContain('\r\nDTSTART:20260317T140000Z\r\n');
    expect(text).toContain('\r\nDTEND:20260317T150000Z\r\n');
    expect(text).toMatch(/\r\nUID:[0-9a-f-]{36}@cadre\r\n/);
    expect(text.replace(/\r\n /g, '')).toContain('LOCATION:https://zoom.us/j/81234567890?pwd=a\\,b\\;c');
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const page = await candidate.get(pageUrl());
    expect(page.text).toContain('Tuesday 17 March 2026 at 14:00 (UK time)');
  });

  it('escapes text and folds long lines without splitting characters', () => {
    const ics = buildIcs({ uid: 'u@cadre', sequence: 0, start: new Date('2026-01-01T10:00:00Z'), minutes: 30, summary: 'Intro; with, commas\\ and\nlines', description: 'é'.repeat(80), location: 'x', url: 'https://x' });
    expect(ics).toContain('SUMMARY:Intro\\; with\\, commas\\\\ and\\nlines');
    expect(foldLine('a'.repeat(160)).split('\r\n ').map((l) => l.length)).toEqual([75, 74, 11]);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });

  it('refuses a bad time zone or link with the field named, and a candidate may not schedule', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const bad = await mentor.put(`${apiUrl()}/meeting`).send({ date: '2026-03-17', time: '25:00', timezone: 'Mars/Olympus', joinUrl: 'http://zoom.us' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['joinUrl', 'time', 'timezone']);
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.put(`${apiUrl()}/meeting`).send({ date: '2026-03-17', time: '14:00', timezone: 'Europe/London', joinUrl: 'https://zoom.us/j/1' })).status).toBe(403);
  });
});

describe('register', () => {
  it('the cohort’s mentor records attendance, which completes the stage; another cohort’s mentor gets 404', async () => {
    await schedule();
    const other = await t.loginAs(w.b.mentor.email);
    expect((await other.post(`${apiUrl()}/register`).send({ present: [w.a.candidate.id] })).status).toBe(404);
    const lead = await t.loginAs(w.a.lead.email);
    expect((await lead.post(`${apiUrl()}/register`).send({ present: [w.a.candidate.id] })).status).toBe(403);
    expect(await t.database.db.select().from(zoomIntroAttendance)).toHaveLength(0);
    const mentor = await t.loginAs(w.a.mentor.email);
    const token = await t.csrf(mentor, pageUrl());
    const res = await mentor.post(`${pageUrl()}/register`).type('form').send({ _csrf: token, present: w.a.candidate.id });
    expect(res.status).toBe(303);
    const rows = await t.database.db.select().from(zoomIntroAttendance);
    expect(rows.map((r) => [r.candidateId, r.present]).sort()).toEqual([[w.a.candidate.id, true], [w.a.otherCandidate.id, false]].sort());
    const progress = await mentor.get(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/progress`);
    expect(progress.body.stages[0]).toMatchObject({ status: 'complete' });
    const stray = await mentor.post(`${apiUrl()}/register`).send({ present: [w.b.candidate.id] });
    expect(stray.status).toBe(400);
  });
});

describe('Zoom webhook', () => {
  it('answers the URL validation challenge', async () => {
    const { raw, headers } = signed({ event: 'endpoint.url_validation', payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: Date.now() });
    const res = await t.anonymous().post('/webhooks/zoom-intro').set(headers).send(raw);
    expect(res.status).toBe(200);
    
    expect(res.body).toEqual({ plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex') });
  });

  it('records a participant by e-mail on a good signature and pushes it to the mentor live', async () => {
    await schedule();
    const base = await t.listen();
    const mentor = await t.loginAs(w.a.mentor.email);
    const cookie = (mentor as unknown as { jar: { getCookies: (o: object) => { toValueString(): string }[] } }).jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).map((c) => c.toValueString()).join('; ');
    const socket: Socket = connect(base, { extraHeaders: { cookie }, transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => resolve());
      socket.on('connect_error', reject);
    });
    const pushed = new Promise<{ candidateId: string; present: boolean; source: string }>((resolve) => socket.on('zoom-intro:attendance', resolve));
    const { raw, headers } = signed(participant('meeting.participant_joined', w.a.candidate.email.toUpperCase()));
    const res = await t.anonymous().post('/webhooks/zoom-intro').set(headers).send(raw);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recorded: true });
    expect(await pushed).toMatchObject({ candidateId: w.a.candidate.id, present: true, source: 'zoom' });
    socket.disconnect();
    const left = signed(participant('meeting.participant_left', w.a.candidate.email));
    expect((await t.anonymous().post('/webhooks/zoom-intro').set(left.headers).send(left.raw)).status).toBe(200);
    const [row] = await t.database.db.select().from(zoomIntroAttendance).where(eq(zoomIntroAttendance.candidateId, w.a.candidate.id));
    expect(row).toMatchObject({ present: true, source: 'zoom' });
    expect(row.joinedAt?.toISOString()).toBe('2026-03-17T14:01:00.000Z');
    expect(row.leftAt?.toISOString()).toBe('2026-03-17T15:00:00.000Z');
    // Someone who is not a candidate of that meeting's cohort is ignored.
    const stranger = signed(participant('meeting.participant_joined', w.b.candidate.email));
    expect((await t.anonymous().post('/webhooks/zoom-intro').set(stranger.headers).send(stranger.raw)).body).toEqual({ recorded: false });
  });

  it('refuses a bad signature and a stale timestamp with 401, recording nothing', async () => {
    await schedule();
    const body = participant('meeting.participant_joined', w.a.candidate.email);
    const wrongSecret = signed(body, Math.floor(Date.now() / 1000), 'not-the-secret');
    expect((await t.anonymous().post('/webhooks/zoom-intro').set(wrongSecret.headers).send(wrongSecret.raw)).status).toBe(401);
    const good = signed(body);
    const tampered = good.raw.replace(w.a.candidate.email, w.a.otherCandidate.email);
    expect((await t.anonymous().post('/webhooks/zoom-intro').set(good.headers).send(tampered)).status).toBe(401);
    const stale = signed(body, Math.floor(Date.now() / 1000) - 6 * 60);
    const staleRes = await t.anonymous().post('/webhooks/zoom-intro').set(stale.headers).send(stale.raw);
    expect(staleRes.status).toBe(401);
    expect(staleRes.body.error.message).toMatch(/too old/);
    const unsigned = await t.anonymous().post('/webhooks/zoom-intro').set('content-type', 'application/json').send(good.raw);
    expect(unsigned.status).toBe(401);
    expect(await t.database.db.select().from(zoomIntroAttendance)).toHaveLength(0);
    expect(await t.database.db.select().from(zoomIntroMeetings)).toHaveLength(1);
  });
});

describe('Zoom webhook replays and clock skew (issue 10.13)', () => {
  const participantEvents = async () => Number((await t.database.query(`select count(*)::int as n from audit_events where action like 'zoom-intro.participant_%'`)).rows[0].n);

  it('records a signed delivery once: the same request replayed within the window, or re-signed later, is refused', async () => {
    await schedule();
    const body = participant('meeting.participant_joined', w.a.candidate.email);
    const first = signed(body);
    expect((await t.anonymous().post('/webhooks/zoom-intro').set(first.headers).send(first.raw)).body).toEqual({ recorded: true });
    const replay = await t.anonymous().post('/webhooks/zoom-intro').set(first.headers).send(first.raw);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ recorded: false, duplicate: true });
    // The same event signed again a minute later (a replay with a fresh timestamp, or Zoom's retry).
    const again = signed(body, Math.floor(Date.now() / 1000) + 1);
    expect((await t.anonymous().post('/webhooks/zoom-intro').set(again.headers).send(again.raw)).body).toEqual({ recorded: false, duplicate: true });
    expect(await participantEvents()).toBe(1);
    // A different event (leaving) is recorded.
    const left = signed(participant('meeting.participant_left', w.a.candidate.email));
    expect((await t.anonymous().post('/webhooks/zoom-intro').set(left.headers).send(left.raw)).body).toEqual({ recorded: true });
    expect(await participantEvents()).toBe(2);
  });

  it('bounds the clock skew both ways: from the future refused, a few seconds ahead accepted', async () => {
    await schedule();
    const now = Math.floor(Date.now() / 1000);
    const future = signed(participant('meeting.participant_joined', w.a.candidate.email), now + 2 * 60);
    const refused = await t.anonymous().post('/webhooks/zoom-intro').set(future.headers).send(future.raw);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/ahead of this server's clock/);
    const farFuture = signed(participant('meeting.participant_joined', w.a.candidate.email), now + 24 * 3600);
    expect((await t.anonymous().post('/webhooks/zoom-intro').set(farFuture.headers).send(farFuture.raw)).status).toBe(401);
    expect(await participantEvents()).toBe(0);
    const slightlyAhead = signed(participant('meeting.participant_joined', w.a.candidate.email), now + 10);
    expect((await t.anonymous().post('/webhooks/zoom-intro').set(slightlyAhead.headers).send(slightlyAhead.raw)).body).toEqual({ recorded: true });
  });
});
