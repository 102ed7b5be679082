/**
 * Walking one candidate through the programme over HTTP, stage by stage: nothing opens early, each stage opens
 * and completes in order. This covers pre-load and the Zoom introduction; each later stage adds its steps to the
 * end of this file (same shared `state`, same pattern: assert locked with its reason → act → assert complete).
 */
import path from 'node:path';
import { createCohort } from '../../server/cohorts/commands';
import { seedProgrammeTemplate } from '../../seed/programme';
import { zoomSignature } from '../../modules/zoom-intro/signature';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildWorld, type World } from '../support/factories';
import { CLIP_DIR, programmeOf } from './support';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(60_000);

const SECRET = 'walkthrough-zoom-secret';
let t: TestApp;
let w: World;
const state: { cohortId: string; videoId: string } = { cohortId: '', videoId: '' };

type ApiStage = { key: string; status: string; requirements: { kind: string; met: boolean; reason: string; when: string }[] };

beforeAll(async () => {
  t = await startTestApp({ config: { ZOOM_WEBHOOK_SECRET: SECRET } });
  w = await buildWorld(t.database.db);
  const templateId = await seedProgrammeTemplate(t.database.db, t.cadre.modules, null);
  const started = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const cohort = await createCohort(t.database.db, w.admin.id, { organisationId: w.a.org.id, name: 'Walkthrough cohort', programmeTemplateId: templateId, startsOn: started });
  await addToCohort(t.database.db, cohort.id, w.a.mentor.id, 'mentor');
  await addToCohort(t.database.db, cohort.id, w.a.candidate.id, 'candidate');
  state.cohortId = cohort.id;
});
afterAll(() => t.stop());

/** The candidate's stages as the progress API reports them. */
async function stages(): Promise<ApiStage[]> {
  const agent = await t.loginAs(w.a.candidate.email);
  const res = await agent.get(`/api/v1/cohorts/${state.cohortId}/candidates/${w.a.candidate.id}/progress`);
  expect(res.status).toBe(200);
  return res.body.stages;
}
const statusOf = async (key: string) => (await stages()).find((s) => s.key === key)?.status;

describe('walk-through', () => {
  it('starts with pre-load open and every later stage locked, each saying why', async () => {
    const all = await stages();
    expect(all.map((s) => s.key).slice(0, 2)).toEqual(['preload-video', 'zoom-intro']);
    expect(all[0].status).toBe('open');
    for (const s of all.slice(1)) expect(s.status).toBe('locked');
    expect(all[1].requirements.find((r) => r.kind === 'previous-stage-complete')?.reason).toBe("Complete 'Pre-load videos' first.");
    const page = await (await t.loginAs(w.a.candidate.email)).get(`/cohorts/${state.cohortId}/candidates/${w.a.candidate.id}`);
    expect(page.text).toContain('Why it is locked');
  });

  it('pre-load: the admin uploads a video; skipping ahead earns nothing; playing it through completes the stage', async () => {
    const admin = await t.loginAs(w.admin.email);
    // Content belongs to the cohort's programme: the upload names it.
    const programmeId = await programmeOf(t.database.db, state.cohortId);
    const token = await t.csrf(admin, `/stages/preload-video/admin?programme=${programmeId}`);
    const up = await admin.post('/stages/preload-video/videos').set('x-csrf-token', token).set('accept', 'application/json').field('programmeId', programmeId).field('title', 'Non-escalation basics').attach('file', path.join(CLIP_DIR, 'non-escalation-basics.webm'));
    expect(up.status).toBe(201);
    state.videoId = up.body.video.id;
    const duration = up.body.video.durationSeconds as number;
    const candidate = await t.loginAs(w.a.candidate.email);
    const beat = (from: number, to: number) => candidate.post(`/api/v1/cohorts/${state.cohortId}/stages/preload-video/heartbeats`).send({ videoId: state.videoId, from, to });
    expect((await beat(0, 2)).status).toBe(200);
    expect((await beat(duration - 2, duration)).body.met).toBe(false); // seeked to the end
    expect(await statusOf('preload-video')).toBe('in_progress');
    expect(await statusOf('zoom-intro')).toBe('locked');
    // Played through in real time (the server caps credit by the clock: only Date is faked here).
    jest.useFakeTimers({ doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'], now: Date.now() });
    try {
      for (let from = 0; from < duration; from += 2) {
        jest.setSystemTime(Date.now() + 2000);
        await beat(from, Math.min(from + 2, duration)).expect(200);
      }
    } finally {
      jest.useRealTimers();
    }
    expect(await statusOf('preload-video')).toBe('complete');
    expect(await statusOf('zoom-intro')).toBe('open');
  });

  it('zoom-intro: the mentor schedules it, the candidate gets the invite, Zoom reports them joining: complete', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    // A meeting must fall within the cohort (which began yesterday): a week from today.
    const day = new Date(Date.now() + 7 * 86_400_000);
    const date = day.toISOString().slice(0, 10);
    const spoken = day.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).replace(',', '');
    const scheduled = await mentor.put(`/api/v1/cohorts/${state.cohortId}/stages/zoom-intro/meeting`).send({ date, time: '14:00', timezone: 'Europe/London', joinUrl: 'https://zoom.us/j/81234567890', zoomMeetingId: '81234567890' });
    expect(scheduled.status).toBe(200);
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.get(`/cohorts/${state.cohortId}/stages/zoom-intro/invite.ics`)).status).toBe(200);
    const intro = (await stages())[1];
    expect(intro.requirements.find((r) => r.kind === 'attendance')?.reason).toMatch(new RegExp(`^Attend the introduction meeting on ${spoken} at 14:00`));
    const ts = String(Math.floor(Date.now() / 1000));
    const raw = JSON.stringify({ event: 'meeting.participant_joined', payload: { object: { id: 81234567890, participant: { email: w.a.candidate.email, join_time: new Date().toISOString() } } } });
    const hook = await t.anonymous().post('/webhooks/zoom-intro').set({ 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(SECRET, ts, raw) }).send(raw);
    expect(hook.body).toEqual({ recorded: true });
    expect(await statusOf('zoom-intro')).toBe('complete');
    const third = (await stages())[2];
    if (third) expect(third.requirements.find((r) => r.kind === 'previous-stage-complete')?.met ?? true).toBe(true);
  });
});
