import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { preloadVideoVideos } from '../../../modules/preload-video/schema';
import { startTestApp, type TestApp } from '../../support/app';
import { buildWorld, type World } from '../../support/factories';
import { addStages, buildVideo, CLIP_DIR, programmeOf } from '../../progression/support';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
let w: World;
let programmeId: string;
beforeAll(async () => {
  t = await startTestApp({ config: { VIDEO_MAX_BYTES: String(100 * 1024) } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  programmeId = await programmeOf(t.database.db, w.a.cohort.id);
});

const clip = path.join(CLIP_DIR, 'non-escalation-basics.webm');
const videoFiles = () => (existsSync(path.join(t.config.uploadDir, 'videos')) ? readdirSync(path.join(t.config.uploadDir, 'videos')) : []);

async function adminAgent() {
  const agent = await t.loginAs(w.admin.email);
  const token = await t.csrf(agent, '/stages/preload-video/admin');
  return { agent, token };
}

describe('upload', () => {
  it('accepts a WebM by its magic bytes, reads its duration, and stores it under a random name', async () => {
    const { agent, token } = await adminAgent();
    const res = await agent.post('/stages/preload-video/videos').set('x-csrf-token', token).set('accept', 'application/json').field('programmeId', programmeId).field('title', 'Non-escalation basics').attach('file', clip, 'my video.webm');
    expect(res.status).toBe(201);
    expect(res.body.video).toMatchObject({ title: 'Non-escalation basics', threshold: 90, position: 1 });
    expect(res.body.video.durationSeconds).toBeCloseTo(12, 0);
    const stored = videoFiles();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatch(/^[a-f0-9]{32}\.webm$/);
  });

  it('refuses a file that is not mp4/webm whatever its name from its first bytes, never storing it (415)', async () => {
    const { agent, token } = await adminAgent();
    const before = videoFiles();
    const fake = path.join(os.tmpdir(), `fake-${Date.now()}.mp4`);
    writeFileSync(fake, Buffer.from('%PDF-1.7 this is not a video at all'.repeat(20)));
    const put = jest.spyOn(t.cadre.ctx.storage, 'put');
    const res = await agent.post('/stages/preload-video/videos').set('x-csrf-token', token).set('accept', 'application/json').field('programmeId', programmeId).field('title', 'Fake').attach('file', fake, 'video.mp4');
    const calls = put.mock.calls.length;
    put.mockRestore();
    expect(res.status).toBe(415);
    expect(res.body.error.message).toMatch(/not an MP4 or WebM/);
    expect(calls).toBe(0); // streamed uploads are checked before anything is written
    expect(videoFiles()).toEqual(before);
    expect(await t.database.db.select().from(preloadVideoVideos)).toHaveLength(0);
  });

  it('refuses a file over the size cap with 413 and keeps nothing', async () => {
    const { agent, token } = await adminAgent();
    const before = videoFiles();
    const res = await agent.post('/stages/preload-video/videos').set('x-csrf-token', token).set('accept', 'application/json').field('programmeId', programmeId).field('title', 'Too big').attach('file', path.join(CLIP_DIR, 'last-resort.webm'));
    expect(res.status).toBe(413);
    expect(videoFiles()).toEqual(before);
  });

  it('is for admins only: a mentor gets 403', async () => {
    const agent = await t.loginAs(w.a.mentor.email);
    const token = await t.csrf(agent, `/cohorts/${w.a.cohort.id}`);
    const res = await agent.post('/stages/preload-video/videos').set('x-csrf-token', token).set('accept', 'application/json').field('programmeId', programmeId).field('title', 'X').attach('file', Buffer.from('tiny'), 'clip.mp4');
    // A small file: the refusal comes before the body is read, and a large one could meet a closed socket (EPIPE).
    expect(res.status).toBe(403);
  });
});

describe('streaming with HTTP Range', () => {
  it('answers 200 with everything, 206 with the exact bytes asked for, and 416 for a range past the end', async () => {
    const { video, path: stored, size } = await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'Clip' });
    await addStages(t.database.db, w.a.cohort.id, [{ moduleKey: 'preload-video' }]);
    const bytes = readFileSync(stored);
    const agent = await t.loginAs(w.a.candidate.email);
    const url = `/stages/preload-video/videos/${video.id}/stream`;
    const parser = (raw: unknown, cb: (err: Error | null, body: Buffer) => void) => {
      const res = raw as NodeJS.ReadableStream;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    };
    const full = await agent.get(url).buffer(true).parse(parser);
    expect(full.status).toBe(200);
    expect(full.headers['accept-ranges']).toBe('bytes');
    expect(full.headers['content-type']).toBe('video/webm');
    expect(Buffer.compare(full.body as Buffer, bytes)).toBe(0);

    const part = await agent.get(url).set('Range', 'bytes=100-199').buffer(true).parse(parser);
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${size}`);
    expect(part.headers['content-length']).toBe('100');
    expect(Buffer.compare(part.body as Buffer, bytes.subarray(100, 200))).toBe(0);

    const open = await agent.get(url).set('Range', `bytes=${size - 10}-`).buffer(true).parse(parser);
    expect(open.status).toBe(206);
    expect(Buffer.compare(open.body as Buffer, bytes.subarray(size - 10))).toBe(0);

    const suffix = await agent.get(url).set('Range', 'bytes=-5').buffer(true).parse(parser);
    expect(suffix.status).toBe(206);
    expect(Buffer.compare(suffix.body as Buffer, bytes.subarray(size - 5))).toBe(0);

    const bad = await agent.get(url).set('Range', `bytes=${size}-${size + 10}`);
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe(`bytes */${size}`);
    expect((await agent.get(url).set('Range', 'bytes=50-10')).status).toBe(416);
  });

  it('is only for people in a cohort that uses the video (404 otherwise) and admins', async () => {
    const { video } = await buildVideo(t.database.db, t.config.uploadDir, w.admin.id, { cohortId: w.a.cohort.id, title: 'Clip' });
    await addStages(t.database.db, w.a.cohort.id, [{ moduleKey: 'preload-video' }]);
    const url = `/stages/preload-video/videos/${video.id}/stream`;
    expect((await (await t.loginAs(w.b.candidate.email)).get(url).set('Range', 'bytes=0-9')).status).toBe(404);
    expect((await (await t.loginAs(w.a.mentor.email)).get(url).set('Range', 'bytes=0-9')).status).toBe(206);
    expect((await (await t.loginAs(w.admin.email)).get(url).set('Range', 'bytes=0-9')).status).toBe(206);
    expect((await t.anonymous().get(url)).status).toBe(302);
  });
});
