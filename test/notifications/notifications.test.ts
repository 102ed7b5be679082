import request from 'supertest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { eq } from 'drizzle-orm';
import { cohortStages, notifications } from '../../server/db/tables';
import { deliver, notify } from '../../server/notifications';
import { notifyStageChanges, type ProgressSnapshot } from '../../server/notifications-ui/stage-changes';
import { sendAtRiskDigest } from '../../server/readiness/digest';
import type { StageProgress } from '../../server/progression/engine';
import { startTestApp, type TestApp } from '../support/app';
import { TEST_PASSWORD } from '../support/factories';
import { buildReadinessWorld, dayOffset, type ReadinessWorld } from '../readiness/world';

let t: TestApp;
let w: ReadinessWorld;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await t.stop();
});
beforeEach(async () => {
  await t.database.truncateAll();
  t.cadre.ctx.mailer.outbox.length = 0;
  w = await buildReadinessWorld(t.database.db);
});

async function send(userId: string, title: string, body = 'Details') {
  const rows = await t.database.db.transaction((tx) => notify(tx, [{ userId, kind: 'test', title, body, link: '/cohorts' }]));
  await deliver(t.cadre.ctx, rows);
  return rows[0];
}

describe('notifications page and API', () => {
  it('lists my notifications with read and unread state, and marks one read with the form', async () => {
    const first = await send(w.a.candidate.id, 'Your sign-off for D1 was signed');
    await send(w.a.candidate.id, 'Transfer week is now open');
    await send(w.b.candidate.id, 'Someone else\'s news');
    const me = await t.loginAs(w.a.candidate.email);
    const page = await me.get('/notifications');
    expect(page.status).toBe(200);
    expect(page.text).toContain('You have 2 unread notifications.');
    expect(page.text).toContain('Transfer week is now open');
    expect(page.text).not.toContain('Someone else');
    const token = await t.csrf(me, '/notifications');
    const marked = await me.post(`/notifications/${first.id}/read`).type('form').send({ _csrf: token });
    expect(marked.status).toBe(303);
    const after = await me.get('/notifications?marked=1');
    expect(after.text).toContain('Marked as read.');
    expect(after.text).toContain('You have 1 unread notification.');
    expect(after.text).toMatch(/status-locked">Read<\/span>/);
    expect((await me.get('/api/v1/notifications/unread-count')).body).toEqual({ unread: 1 });
  });

  it('will not mark another person\'s notification (404) and needs a CSRF token for the form', async () => {
    const theirs = await send(w.b.candidate.id, 'Private');
    const me = await t.loginAs(w.a.candidate.email);
    expect((await me.post(`/notifications/${theirs.id}/read`).type('form').send({})).status).toBe(403);
    const token = await t.csrf(me, '/notifications');
    expect((await me.post(`/notifications/${theirs.id}/read`).type('form').send({ _csrf: token })).status).toBe(404);
    const [row] = await t.database.db.select().from(notifications).where(eq(notifications.id, theirs.id));
    expect(row.readAt).toBeNull();
  });

  it('lists, filters unread and marks read through the API, validating ids', async () => {
    const one = await send(w.a.lead.id, 'One');
    await send(w.a.lead.id, 'Two');
    const lead = await t.loginAs(w.a.lead.email);
    const list = await lead.get('/api/v1/notifications');
    expect(list.body.notifications.map((n: { title: string }) => n.title)).toEqual(['Two', 'One']);
    expect(list.body.unread).toBe(2);
    const bad = await lead.post('/api/v1/notifications/read').send({ ids: ['nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe('ids.0');
    expect((await lead.post('/api/v1/notifications/read').send({ ids: [one.id] })).body).toEqual({ marked: 1, unread: 1 });
    expect((await lead.get('/api/v1/notifications?unread=true')).body.notifications.map((n: { title: string }) => n.title)).toEqual(['Two']);
    expect((await lead.post('/api/v1/notifications/read').send({})).body).toEqual({ marked: 1, unread: 0 });
    expect((await t.anonymous().get('/api/v1/notifications')).status).toBe(401);
  });

  it('pushes notification:new to my socket so the badge can update live', async () => {
    const base = await t.listen();
    const login = await request(base).post('/api/v1/session').send({ email: w.a.candidate.email, password: TEST_PASSWORD });
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const s = ioClient(base, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.on('connect', () => resolve());
      s.on('connect_error', reject);
    });
    const got = new Promise<{ title: string }>((resolve) => s.on('notification:new', resolve));
    await send(w.a.candidate.id, 'Live one');
    expect((await got).title).toBe('Live one');
    s.close();
  });
});

const stage = (id: string, title: string, status: StageProgress['status']): StageProgress => ({
  stageId: id, key: 'preload-video', title, position: 1, status, startsOn: null, endsOn: dayOffset(10), open: [], complete: [],
});

describe('stage opened', () => {
  it('notifies a candidate of each stage that went from locked to open, and nobody else', async () => {
    const { a } = w;
    const [s1, s2] = w.stages.a;
    const before: ProgressSnapshot = new Map([[a.cohort.id, new Map([
      [a.candidate.id, [stage(s1.id, s1.title, 'complete'), stage(s2.id, s2.title, 'locked')]],
      [a.otherCandidate.id, [stage(s1.id, s1.title, 'in_progress'), stage(s2.id, s2.title, 'locked')]],
    ])]]);
    const after: ProgressSnapshot = new Map([[a.cohort.id, new Map([
      [a.candidate.id, [stage(s1.id, s1.title, 'complete'), stage(s2.id, s2.title, 'open')]],
      [a.otherCandidate.id, [stage(s1.id, s1.title, 'in_progress'), stage(s2.id, s2.title, 'locked')]],
    ])]]);
    expect(await notifyStageChanges(t.cadre.ctx, before, after)).toBe(1);
    const rows = await t.database.db.select().from(notifications);
    expect(rows.map((r) => [r.userId, r.kind, r.title])).toEqual([[a.candidate.id, 'stage:opened', 'Transfer week is now open']]);
    expect(t.cadre.ctx.mailer.outbox.map((m) => [m.to, m.subject])).toEqual([[a.candidate.email, 'Transfer week is now open']]);
    expect(await notifyStageChanges(t.cadre.ctx, after, after)).toBe(0);
  });
});

describe('daily at-risk digest', () => {
  it('sends each lead one digest naming their at-risk candidates, once a day, and e-mails it', async () => {
    await t.database.db.update(cohortStages).set({ endsOn: dayOffset(-3) }).where(eq(cohortStages.id, w.stages.a[0].id));
    const first = await sendAtRiskDigest(t.cadre.ctx);
    expect(first).toMatchObject({ sent: 1 });
    const rows = await t.database.db.select().from(notifications).where(eq(notifications.userId, w.a.lead.id));
    expect(rows).toHaveLength(1);
    expect(rows[0].title).toBe('2 candidates are at risk in 1 cohort');
    expect(rows[0].body).toContain('- Candidate A: Pre-load videos is overdue');
    expect(rows[0].link).toBe('/lead');
    expect((await t.database.db.select().from(notifications).where(eq(notifications.userId, w.b.lead.id)))).toHaveLength(0);
    expect(t.cadre.ctx.mailer.outbox.map((m) => m.to)).toEqual([w.a.lead.email]);
    const again = await sendAtRiskDigest(t.cadre.ctx);
    expect(again).toMatchObject({ sent: 0, skippedAlreadySent: 1 });
  });
});
