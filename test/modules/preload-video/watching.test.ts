import { eq } from 'drizzle-orm';
import { cohortStages } from '../../../server/db/tables';
import { preloadVideoQuestions } from '../../../modules/preload-video/schema';
import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { addStages, buildVideo } from '../../progression/support';
import { coveredSeconds, mergeIntervals } from '../../../modules/preload-video/intervals';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
let w: World;
let videoId: string;
let programmeId: string;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  const built = await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'Non-escalation basics', durationSeconds: 100 });
  videoId = built.video.id;
  programmeId = built.programmeId;
  await addStages(t.database.db, w.a.cohort.id, [
    { moduleKey: 'preload-video', title: 'Pre-load videos', complete: [{ kind: 'preload-video:watched', params: {} }] },
    { moduleKey: 'zoom-intro', title: 'Zoom introduction', open: [{ kind: 'previous-stage-complete', params: {} }] },
  ]);
});

const beatUrl = () => `/api/v1/cohorts/${w.a.cohort.id}/stages/preload-video/heartbeats`;
const progressUrl = () => `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/progress`;

describe('intervals', () => {
  it('merges overlaps and measures the union', () => {
    const merged = mergeIntervals([[10, 14], [0, 4], [3, 8], [8.1, 9], [50, 52]]);
    expect(merged).toEqual([[0, 9], [10, 14], [50, 52]]);
    expect(coveredSeconds(merged, 51)).toBe(14);
  });
});

/** Only `Date` is faked, so the server sees the clock the test sets and everything else runs for real. */
const REAL = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
const tick = (seconds: number) => jest.setSystemTime(Date.now() + seconds * 1000);

describe('heartbeats', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: [...REAL], now: Date.now() }));
  afterEach(() => jest.useRealTimers());

  it('seeking to the end earns nothing: only played intervals count', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    // Played the first 4 seconds, then seeked to the end and played the last 4.
    await agent.post(beatUrl()).send({ videoId, from: 0, to: 4 }).expect(200);
    tick(4);
    const last = await agent.post(beatUrl()).send({ videoId, from: 96, to: 100 });
    expect(last.body).toMatchObject({ watchedSeconds: 8, watchedPercent: 8, met: false });
    // A heartbeat claiming a long interval (a seek dressed as playing) is refused and earns nothing.
    tick(4);
    const cheat = await agent.post(beatUrl()).send({ videoId, from: 4, to: 96 });
    expect(cheat.status).toBe(400);
    expect(cheat.body.error.fields[0].field).toBe('to');
    const api = await agent.get(progressUrl());
    expect(api.body.stages[0].requirements[0]).toMatchObject({ met: false, reason: "Watch 'Non-escalation basics' to 90% — you are at 8%." });
    expect(api.body.stages[0].status).toBe('in_progress');
    expect(api.body.stages[1].status).toBe('locked');
  });

  it('re-watching the same part counts once; playing it all through reaches the threshold and opens the next stage', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    for (let i = 0; i < 3; i++) {
      tick(4);
      await agent.post(beatUrl()).send({ videoId, from: 0, to: 4 }).expect(200);
    }
    expect((await agent.get(`/api/v1/cohorts/${w.a.cohort.id}/stages/preload-video/progress`)).body.videos[0].watchedPercent).toBe(4);
    let state = { watchedPercent: 0, met: false };
    for (let from = 4; from < 90; from += 4) {
      tick(4);
      state = (await agent.post(beatUrl()).send({ videoId, from, to: Math.min(from + 4, 90) })).body;
    }
    expect(state).toMatchObject({ watchedPercent: 90, met: true });
    const api = await agent.get(progressUrl());
    expect(api.body.stages.map((s: { status: string }) => s.status)).toEqual(['complete', 'open']);
  });

  it('a script sending beats back to back cannot watch faster than 2× the clock', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    await agent.post(beatUrl()).send({ videoId, from: 0, to: 6 }).expect(200); // a first beat may claim 6 s
    let state = { watchedSeconds: 0 };
    for (let from = 6; from < 60; from += 6) {
      tick(0.5);
      state = (await agent.post(beatUrl()).send({ videoId, from, to: from + 6 })).body;
    }
    // Nine beats half a second apart: at most 6 + 9 × (0.5 × 2 + 1) = 24 s, not the 60 s claimed.
    expect(state.watchedSeconds).toBeLessThanOrEqual(24);
    expect(state.watchedSeconds).toBeGreaterThanOrEqual(6);
  });

  it('only a candidate of the cohort may send heartbeats, for a video of the stage', async () => {
    expect((await t.anonymous().post(beatUrl()).send({ videoId, from: 0, to: 2 })).status).toBe(401);
    expect((await (await t.loginAs(w.a.mentor.email)).post(beatUrl()).send({ videoId, from: 0, to: 2 })).status).toBe(403);
    expect((await (await t.loginAs(w.b.candidate.email)).post(beatUrl()).send({ videoId, from: 0, to: 2 })).status).toBe(404);
    const agent = await t.loginAs(w.a.candidate.email);
    expect((await agent.post(beatUrl()).send({ videoId: w.a.cohort.id, from: 0, to: 2 })).status).toBe(400);
  });

  it('refuses heartbeats while the stage is locked, with the reason', async () => {
    await t.database.truncateAll();
    w = await buildWorld(t.database.db);
    const { video } = await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'V' });
    await addStages(t.database.db, w.a.cohort.id, [{ moduleKey: 'preload-video', startsOn: '2999-03-03', open: [{ kind: 'date-reached', params: {} }], complete: [{ kind: 'preload-video:watched', params: {} }] }]);
    const agent = await t.loginAs(w.a.candidate.email);
    const res = await agent.post(beatUrl()).send({ videoId: video.id, from: 0, to: 2 });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('Opens on 3 March 2999.');
    const page = await agent.get(`/cohorts/${w.a.cohort.id}/stages/preload-video`);
    expect(page.text).toContain('This stage is not open yet');
    expect(page.text).not.toContain('data-testid="video-player"');
  });
});

describe('stage page and knowledge check', () => {
  it('shows the player with its heartbeat URL, and marks the quiz', async () => {
    const admin = await t.loginAs(w.admin.email);
    const token = await t.csrf(admin, `/stages/preload-video/questions/new?programme=${programmeId}`);
    // The right answer is chosen by selecting it (the form's radio), not by typing its number.
    await admin.post('/stages/preload-video/questions').type('form').send({ _csrf: token, programmeId, prompt: 'When is restraint justified?', answer0: 'Always', answer1: 'As a last resort', answer2: 'Never', correct: '1' }).expect(303);
    const [q] = await t.database.db.select().from(preloadVideoQuestions);
    await t.database.db.update(cohortStages).set({ completeRequirements: [{ kind: 'preload-video:quiz-passed', params: { passMark: 100 } }] }).where(eq(cohortStages.moduleKey, 'preload-video'));
    const agent = await t.loginAs(w.a.candidate.email);
    const page = await agent.get(`/cohorts/${w.a.cohort.id}/stages/preload-video`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-heartbeat-url="${beatUrl()}"`);
    expect(page.text).toContain('When is restraint justified?');
    const ctoken = await t.csrf(agent, `/cohorts/${w.a.cohort.id}/stages/preload-video`);
    await agent.post(`/cohorts/${w.a.cohort.id}/stages/preload-video/quiz`).type('form').send({ _csrf: ctoken, [`q_${q.id}`]: '0' }).expect(303);
    let api = await agent.get(progressUrl());
    expect(api.body.stages[0].requirements[0]).toMatchObject({ met: false, reason: 'Pass the knowledge check at 100% — your best so far is 0%.' });
    await agent.post(`/cohorts/${w.a.cohort.id}/stages/preload-video/quiz`).type('form').send({ _csrf: ctoken, [`q_${q.id}`]: '1' }).expect(303);
    api = await agent.get(progressUrl());
    expect(api.body.stages[0]).toMatchObject({ status: 'complete' });
    const mentorPage = await (await t.loginAs(w.a.mentor.email)).get(`/cohorts/${w.a.cohort.id}/stages/preload-video`);
    expect(mentorPage.text).toContain('data-testid="preload-progress"');
  });
});
