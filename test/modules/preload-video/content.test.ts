import path from 'node:path';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { and, eq } from 'drizzle-orm';
import { notifications } from '../../../server/db/tables';
import { preloadVideoExemptions, preloadVideoProgress, preloadVideoVideos } from '../../../modules/preload-video/schema';
import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { addStages, buildVideo, CLIP_DIR, programmeOf } from '../../progression/support';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(90_000);

let t: TestApp;
let w: World;
let programmeId: string;
let firstVideo: string;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  const built = await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'Non-escalation basics', durationSeconds: 100 });
  programmeId = built.programmeId;
  firstVideo = built.video.id;
  await programmeOf(t.database.db, w.b.cohort.id); // tenant B follows a programme of its own
  for (const cohortId of [w.a.cohort.id, w.b.cohort.id]) {
    await addStages(t.database.db, cohortId, [
      { moduleKey: 'preload-video', title: 'Pre-load videos', complete: [{ kind: 'preload-video:watched', params: {} }, { kind: 'preload-video:quiz-passed', params: { passMark: 80 } }] },
      { moduleKey: 'zoom-intro', title: 'Zoom introduction', open: [{ kind: 'previous-stage-complete', params: {} }] },
    ]);
  }
  // Candidate A has watched the whole video: their pre-load stage is complete.
  await t.database.db.insert(preloadVideoProgress).values({ videoId: firstVideo, userId: w.a.candidate.id, intervals: [[0, 100]], watchedSeconds: 100 });
});

const statusOf = async (email: string, cohortId: string, userId: string) => {
  const agent = await t.loginAs(email);
  const res = await agent.get(`/api/v1/cohorts/${cohortId}/candidates/${userId}/progress`).expect(200);
  return res.body.stages[0] as { status: string; requirements: { reason: string }[] };
};

async function uploadAsAdmin(title: string) {
  const admin = await t.loginAs(w.admin.email);
  const token = await t.csrf(admin, `/stages/preload-video/admin?programme=${programmeId}`);
  const res = await admin.post('/stages/preload-video/videos').set('x-csrf-token', token).field('programmeId', programmeId).field('title', title).attach('file', path.join(CLIP_DIR, 'first-minute.webm'));
  const [video] = await t.database.db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.title, title));
  return { admin, token, res, video };
}

describe('content belongs to a programme', () => {
  it('a video of one programme is never required of, nor visible to, another programme’s cohort', async () => {
    const other = await statusOf(w.b.candidate.email, w.b.cohort.id, w.b.candidate.id);
    expect(other.requirements[0].reason).toBe('No videos have been added yet — your training provider will add them.');
    const page = await (await t.loginAs(w.b.candidate.email)).get(`/cohorts/${w.b.cohort.id}/stages/preload-video`).expect(200);
    expect(page.text).not.toContain('Non-escalation basics');
    await (await t.loginAs(w.b.candidate.email)).get(`/stages/preload-video/videos/${firstVideo}/stream`).expect(404);
    expect((await statusOf(w.a.candidate.email, w.a.cohort.id, w.a.candidate.id)).status).toBe('complete');
  });

  it('the admin page shows one programme’s videos; an upload names its programme or is refused naming the field', async () => {
    const admin = await t.loginAs(w.admin.email);
    const page = await admin.get(`/stages/preload-video/admin?programme=${programmeId}`).expect(200);
    expect(page.text).toContain('Non-escalation basics');
    const token = await t.csrf(admin, '/stages/preload-video/admin');
    const res = await admin.post('/stages/preload-video/videos').set('x-csrf-token', token).set('accept', 'application/json').field('title', 'Orphan').attach('file', path.join(CLIP_DIR, 'first-minute.webm'));
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].field).toBe('programmeId');
    expect(await t.database.db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.title, 'Orphan'))).toHaveLength(0);
  });
});

describe('adding content to a running cohort', () => {
  it('lists who would be affected; “new completions only” leaves them complete and requires it of the others', async () => {
    const { admin, res, video } = await uploadAsAdmin('De-escalation in the first minute');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/stages/preload-video/videos/${video.id}/publish`);
    expect(video.publishedAt).toBeNull();
    // A draft changes nothing for anyone.
    expect((await statusOf(w.a.candidate.email, w.a.cohort.id, w.a.candidate.id)).status).toBe('complete');
    const review = await admin.get(res.headers.location).expect(200);
    expect(review.text).toContain('1 candidate has already completed the pre-load stage');
    expect(review.text).toMatch(/data-testid="affected-people"><li>Candidate A<\/li>/);
    expect(review.text).not.toContain('Candidate A2');
    const token = await t.csrf(admin, res.headers.location);
    const missing = await admin.post(res.headers.location).type('form').send({ _csrf: token });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('href="#field-apply"');
    await admin.post(res.headers.location).type('form').send({ _csrf: token, apply: 'new-completions' }).expect(303);

    expect((await statusOf(w.a.candidate.email, w.a.cohort.id, w.a.candidate.id)).status).toBe('complete');
    const others = await statusOf(w.a.otherCandidate.email, w.a.cohort.id, w.a.otherCandidate.id);
    expect(others.requirements[0].reason).toContain("'De-escalation in the first minute' to 90%");
    const page = await (await t.loginAs(w.a.candidate.email)).get(`/cohorts/${w.a.cohort.id}/stages/preload-video`).expect(200);
    expect(page.text).toContain('Not required of you — added after you finished this stage');
    expect(await t.database.db.select().from(notifications).where(eq(notifications.userId, w.a.candidate.id))).toHaveLength(0);
  });

  it('“require of everyone” re-opens the stage for them and tells each of them', async () => {
    const { admin, res } = await uploadAsAdmin('De-escalation in the first minute');
    const token = await t.csrf(admin, res.headers.location);
    const done = await admin.post(res.headers.location).type('form').send({ _csrf: token, apply: 'everyone' }).expect(303);
    expect((await admin.get(done.headers.location)).text).toContain('have been told there is something new to do');
    const mine = await statusOf(w.a.candidate.email, w.a.cohort.id, w.a.candidate.id);
    expect(mine.status).toBe('in_progress');
    expect(mine.requirements[0].reason).toContain("'De-escalation in the first minute' to 90% — you are at 0%");
    const told = await t.database.db.select().from(notifications).where(eq(notifications.userId, w.a.candidate.id));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ title: 'Pre-load videos: there is something new to do', link: `/cohorts/${w.a.cohort.id}/stages/preload-video` });
    expect(told[0].body).toContain('the video “De-escalation in the first minute”');
    // Only the people who had finished are told; others simply have it to do.
    expect(await t.database.db.select().from(notifications).where(eq(notifications.userId, w.a.otherCandidate.id))).toHaveLength(0);
  });

  it('with nobody finished, an upload joins the programme at once', async () => {
    await t.database.db.delete(preloadVideoProgress);
    const { res, video } = await uploadAsAdmin('Restraint as a last resort');
    expect(res.headers.location).toBe(`/stages/preload-video/admin?programme=${programmeId}&saved=1`);
    expect(video.publishedAt).not.toBeNull();
  });

  it('a stricter threshold asks first, and “new completions only” keeps finished candidates complete', async () => {
    await t.database.db.update(preloadVideoProgress).set({ watchedSeconds: 92, intervals: [[0, 92]] });
    const admin = await t.loginAs(w.admin.email);
    const token = await t.csrf(admin, `/stages/preload-video/admin?programme=${programmeId}`);
    const ask = await admin.post(`/stages/preload-video/videos/${firstVideo}`).type('form').send({ _csrf: token, title: 'Non-escalation basics', threshold: '95' });
    expect(ask.status).toBe(409);
    expect(ask.text).toContain('Candidate A');
    expect((await t.database.db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, firstVideo)))[0].threshold).toBe(90);
    await admin.post(`/stages/preload-video/videos/${firstVideo}`).type('form').send({ _csrf: token, title: 'Non-escalation basics', threshold: '95', apply: 'new-completions' }).expect(303);
    expect((await t.database.db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, firstVideo)))[0].threshold).toBe(95);
    expect((await statusOf(w.a.candidate.email, w.a.cohort.id, w.a.candidate.id)).status).toBe('complete');
    expect(await t.database.db.select().from(preloadVideoExemptions).where(and(eq(preloadVideoExemptions.userId, w.a.candidate.id), eq(preloadVideoExemptions.videoId, firstVideo)))).toHaveLength(1);
  });

  it('a first knowledge-check question asks the same question, and either answer is honoured', async () => {
    const admin = await t.loginAs(w.admin.email);
    const token = await t.csrf(admin, `/stages/preload-video/admin?programme=${programmeId}`);
    const question = { _csrf: token, programmeId, prompt: 'When is restraint justified?', answer0: 'Always', answer1: 'As a last resort', correct: '1' };
    const ask = await admin.post('/stages/preload-video/questions').type('form').send(question);
    expect(ask.status).toBe(409);
    expect(ask.text).toContain('Add a knowledge check to');
    expect(ask.text).toContain('Candidate A');
    await admin.post('/stages/preload-video/questions').type('form').send({ ...question, apply: 'new-completions' }).expect(303);
    const mine = await statusOf(w.a.candidate.email, w.a.cohort.id, w.a.candidate.id);
    expect(mine.status).toBe('complete');
    expect(mine.requirements[1].reason).toBe('The knowledge check was added after you completed this stage; it is not required of you.');
  });
});

describe('a video’s length is a shared fact', () => {
  it('a heartbeat never sets it; the admin can', async () => {
    const { video } = await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'Unknown length', durationSeconds: null, position: 2 });
    const agent = await t.loginAs(w.a.otherCandidate.email);
    await agent.post(`/api/v1/cohorts/${w.a.cohort.id}/stages/preload-video/heartbeats`).send({ videoId: video.id, from: 0, to: 4, duration: 4 }).expect(200);
    expect((await t.database.db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, video.id)))[0].durationSeconds).toBeNull();
    const admin = await t.loginAs(w.admin.email);
    const token = await t.csrf(admin, `/stages/preload-video/admin?programme=${programmeId}`);
    await admin.post(`/stages/preload-video/videos/${video.id}`).type('form').send({ _csrf: token, title: 'Unknown length', durationSeconds: '15' }).expect(303);
    expect((await t.database.db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, video.id)))[0].durationSeconds).toBe(15);
  });
});

describe('captions and transcript', () => {
  const vtt = 'WEBVTT\n\n00:00.000 --> 00:04.000\nStay calm and give <b>space</b>.\n\n00:04.000 --> 00:08.000\nOffer choices &amp; listen.\n\n00:12.000 --> 00:15.000\nRestraint is a last resort.\n';
  const write = (name: string, body: string | Buffer) => {
    const file = path.join(os.tmpdir(), `${Date.now()}-${name}`);
    writeFileSync(file, body);
    return file;
  };
  const post = async (file: string) => {
    const admin = await t.loginAs(w.admin.email);
    const token = await t.csrf(admin, `/stages/preload-video/admin?programme=${programmeId}`);
    return admin.post(`/stages/preload-video/videos/${firstVideo}/captions`).set('x-csrf-token', token).set('accept', 'application/json').attach('captions', file);
  };

  it('refuses a file that is not WebVTT (415) or too large (413), naming the field and keeping nothing', async () => {
    const bad = await post(write('notes.vtt', '1\n00:00:01,000 --> 00:00:02,000\nAn SRT file\n'));
    expect(bad.status).toBe(415);
    expect(bad.body.error.fields[0]).toMatchObject({ field: 'captions' });
    expect(bad.body.error.message).toContain('starts with the word WEBVTT');
    const big = await post(write('big.vtt', `WEBVTT\n\n00:00.000 --> 00:01.000\n${'x'.repeat(600 * 1024)}\n`));
    expect(big.status).toBe(413);
    const broken = await post(write('broken.vtt', 'WEBVTT\n\nsoon --> later\nHello\n'));
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toContain('cannot be read');
    expect((await t.database.db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, firstVideo)))[0].captionsFileId).toBeNull();
  });

  it('serves the captions as a track to those who may watch, and shows a transcript from the cues', async () => {
    expect((await post(write('ok.vtt', vtt))).status).toBe(303);
    const candidate = await t.loginAs(w.a.otherCandidate.email);
    const page = await candidate.get(`/cohorts/${w.a.cohort.id}/stages/preload-video`).expect(200);
    expect(page.text).toContain(`<track kind="captions" srclang="en" label="English captions" src="/stages/preload-video/videos/${firstVideo}/captions">`);
    expect(page.text).toContain('<p>Stay calm and give space. Offer choices &amp; listen.</p><p>Restraint is a last resort.</p>');
    const track = await candidate.get(`/stages/preload-video/videos/${firstVideo}/captions`).expect(200);
    expect(track.headers['content-type']).toBe('text/vtt; charset=utf-8');
    expect(track.text).toBe(vtt);
    await (await t.loginAs(w.b.candidate.email)).get(`/stages/preload-video/videos/${firstVideo}/captions`).expect(404);
    // An admin-written transcript is shown instead of the captions' text.
    const admin = await t.loginAs(w.admin.email);
    const token = await t.csrf(admin, `/stages/preload-video/admin?programme=${programmeId}`);
    await admin.post(`/stages/preload-video/videos/${firstVideo}`).type('form').send({ _csrf: token, title: 'Non-escalation basics', transcript: 'Written by the provider.\n\nSecond part.' }).expect(303);
    const again = await candidate.get(`/cohorts/${w.a.cohort.id}/stages/preload-video`).expect(200);
    expect(again.text).toContain('<p>Written by the provider.</p><p>Second part.</p>');
  });
});
