/** Module routes run the router's request path (issue 11: 3 and 5): authorised once in the route — a second
 * authorisation in a handler or command is gone; the route decides on the loaded record —,
 * bad input answered 400 naming the field with nothing written, and effects after commit (mail, socket emits) never
 * answer 5xx for what was recorded. */
import { eq } from 'drizzle-orm';
import type { Mail, Mailer } from '../../server/mail';
import { cohortStages, notifications } from '../../server/db/tables';
import manifest from '../../modules/transfer-week';
import { transferWeekMoments } from '../../modules/transfer-week/schema';
import { zoomIntroAttendance } from '../../modules/zoom-intro/schema';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

jest.setTimeout(60_000);

/** A mailer whose every send fails, as an SMTP server that is down would. */
const downMailer: Mailer & { attempts: number } = {
  transport: 'smtp' as const,
  outbox: [] as Mail[],
  attempts: 0,
  async send() {
    downMailer.attempts += 1;
    throw new Error('connect ECONNREFUSED 127.0.0.1:25');
  },
};

let t: TestApp;
let w: World;
let stageId: string;
const api = () => `/api/v1/cohorts/${w.a.cohort.id}/stages/transfer-week`;
const page = () => `/cohorts/${w.a.cohort.id}/stages/transfer-week`;

beforeAll(async () => {
  t = await startTestApp({ mailer: downMailer });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  const [stage] = await t.database.db
    .insert(cohortStages)
    .values({ cohortId: w.a.cohort.id, position: 1, moduleKey: 'transfer-week', title: 'Transfer week', openRequirements: [], completeRequirements: manifest.defaults.complete })
    .returning();
  await t.database.db.insert(cohortStages).values({ cohortId: w.a.cohort.id, position: 2, moduleKey: 'zoom-intro', title: 'Introduction meeting', openRequirements: [], completeRequirements: [] });
  stageId = stage.id;
});

const logMoment = async () =>
  (await t.database.db.insert(transferWeekMoments).values({ cohortStageId: stageId, candidateId: w.a.candidate.id, segment: 'Warm-up', reflection: 'I slowed down and the pairs followed.', status: 'submitted' }).returning())[0];

describe('module routes on the request path', () => {
  it('authorises once, in the route, on the loaded record: the candidate may not decide their own moment, a peer may not learn it exists', async () => {
    const moment = await logMoment();
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.post(`${api()}/moments/${moment.id}/return`).send({ comment: 'Looks fine to me.' })).status).toBe(403);
    const peer = await t.loginAs(w.a.otherCandidate.email);
    expect((await peer.post(`${api()}/moments/${moment.id}/return`).send({ comment: 'Looks fine to me.' })).status).toBe(404);
    const outsider = await t.loginAs(w.b.mentor.email);
    expect((await outsider.post(`${api()}/moments/${moment.id}/confirm`).send({})).status).toBe(404);
    const [after] = await t.database.db.select().from(transferWeekMoments).where(eq(transferWeekMoments.id, moment.id));
    expect(after.status).toBe('submitted');
  });

  it('answers bad input with 400 naming the field, on the API and on the form (re-shown with what was typed), writing nothing', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const json = await mentor.post(`${api()}/days`).send({ day: '2026-03-40', venue: 'Training suite' });
    expect(json.status).toBe(400);
    expect(json.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['day']);
    const token = await t.csrf(mentor, page());
    const form = await mentor.post(`${page()}/days`).type('form').send({ _csrf: token, day: '', venue: 'The sports hall' });
    expect(form.status).toBe(400);
    expect(form.text).toContain('href="#field-day"');
    expect(form.text).toContain('value="The sports hall"');
    const address = await mentor.get(`${api()}/days/not-an-id/register`);
    expect(address.status).toBe(400);
    expect(address.body.error.fields[0].field).toBe('dayId');
  });

  it('records a decision whose e-mail fails after commit: 200 with the presented moment, the notification kept for the retry', async () => {
    const moment = await logMoment();
    const mentor = await t.loginAs(w.a.mentor.email);
    const before = downMailer.attempts;
    const res = await mentor.post(`${api()}/moments/${moment.id}/confirm`).send({ comment: 'Clear and kind.' });
    expect(res.status).toBe(200);
    expect(res.body.moment).toMatchObject({ id: moment.id, status: 'confirmed', mentorComment: 'Clear and kind.', can: { revise: false, decide: false } });
    expect(Object.keys(res.body.moment)).not.toContain('cohortStageId');
    expect(downMailer.attempts).toBeGreaterThan(before);
    const notes = await t.database.db.select().from(notifications).where(eq(notifications.userId, w.a.candidate.id));
    expect(notes.length).toBe(1);
  });

  it('records a register whose live emit fails after commit, and answers it', async () => {
    const io = t.cadre.io;
    const to = io.to.bind(io);
    io.to = (() => {
      throw new Error('adapter down');
    }) as typeof io.to;
    try {
      const mentor = await t.loginAs(w.a.mentor.email);
      const res = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/stages/zoom-intro/register`).send({ present: [w.a.candidate.id] });
      expect(res.status).toBe(200);
      expect(res.body.attendance).toEqual(expect.arrayContaining([{ candidateId: w.a.candidate.id, present: true, source: 'register' }]));
    } finally {
      io.to = to;
    }
    const rows = await t.database.db.select().from(zoomIntroAttendance).where(eq(zoomIntroAttendance.candidateId, w.a.candidate.id));
    expect(rows.map((r) => r.present)).toEqual([true]);
  });
});

describe('module routes in the OpenAPI document', () => {
  it('lists every module route with its own summary (so the fuzz test covers them)', async () => {
    const doc = (await t.anonymous().get('/api/openapi.json')).body as { paths: Record<string, Record<string, { summary: string }>> };
    const moduleRoutes = t.cadre.routes.routes.filter((r) => /^(\/api\/v1)?\/cohorts\/:cohortId\/(stages\/|live(\/|$)|live-rooms)|^\/api\/v1\/live\/|^\/stages\/|^\/webhooks\//.test(r.path));
    expect(moduleRoutes.length).toBeGreaterThan(70);
    const missing = moduleRoutes.filter((r) => {
      const op = doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method];
      return !op || !r.doc || op.summary === `${r.method.toUpperCase()} ${r.path}`;
    });
    // Pre-load video's stage page and programme library are still plain handlers (eslint.config.js lists them).
    expect(missing.map((r) => `${r.method.toUpperCase()} ${r.path}`).filter((r) => !r.includes('preload-video'))).toEqual([]);
  });
});
