/** Journey on S3 (issue 15): the app runs with STORAGE=s3 against the in-process S3 test peer, so the demo's videos and
 * every upload live in its bucket. A candidate's refused file leaves nothing in the bucket; their evidence is stored
 * there and listed; a mentor opens it from the sign-off queue (the image's preview, the PDF in the browser); a
 * candidate's pre-load video plays from the bucket, seeks to the middle by range requests and carries on, with captions. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { users } from '../../server/db/tables';
import { startS3Peer, type S3Peer } from '../support/s3-peer';
import { PDF, PNG } from '../signoffs/support';
import { checkA11y, describeBrowser, launchBrowser, login, newPage, screenshotOnFailure, startE2E, VIEWPORTS, type E2EApp } from './support';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describeBrowser('files on S3: evidence and videos as people use them', () => {
  let peer: S3Peer;
  let app: E2EApp;
  let browser: Browser;
  const idOf = async (email: string) => (await app.database.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0].id;
  beforeAll(async () => {
    peer = await startS3Peer();
    app = await startE2E({ config: peer.env });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (!peerStopped) await peer?.stop();
  });
  let peerStopped = false;

  it('the demo keeps its files in the bucket, not on the local disk', () => {
    expect(peer.keys().filter((k) => k.startsWith('videos/')).length).toBeGreaterThanOrEqual(3);
    expect(peer.keys().filter((k) => k.startsWith('captions/')).length).toBeGreaterThanOrEqual(3);
    expect(app.cadre.ctx.storage.kind).toBe('s3');
    const uploadDir = app.cadre.ctx.config.uploadDir;
    expect(existsSync(uploadDir) ? readdirSync(uploadDir, { recursive: true }) : []).toEqual([]);
  });

  it('a candidate sends evidence (a refused file leaves nothing in the bucket); a mentor opens it from the queue', () =>
    screenshotOnFailure(browser, 's3-evidence', async () => {
      const candidateId = await idOf('candidate3@cadre.test');
      const before = peer.keys();
      const candidate = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(candidate, 'candidate3@cadre.test');
      await candidate.goto(`/cohorts/${app.cohortId}/candidates/${candidateId}/competencies`);
      const card = candidate.getByTestId('competency-T4');
      await card.getByText('Request sign-off').click();
      await card.getByLabel('Your reflection').fill('I linked the session to an incident the group had all lived through, and they leaned in.');

      // A program dressed as a PDF: the sentence beside the form, and the bucket as it was (no object, no parts).
      await card.getByLabel('Evidence files').setInputFiles({ name: 'session-plan.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(600)]) });
      await card.getByRole('button', { name: 'Send for sign-off' }).click();
      await candidate.getByText(/“session-plan\.pdf” is a Windows program, which cannot be used as evidence\./).first().waitFor();
      expect(peer.keys()).toEqual(before);
      expect(peer.pendingUploads()).toEqual([]);

      const again = candidate.getByTestId('competency-T4');
      await again.getByLabel('Evidence files').setInputFiles([
        { name: 'session-plan.pdf', mimeType: 'application/pdf', buffer: PDF },
        { name: 'flipchart.png', mimeType: 'image/png', buffer: PNG },
      ]);
      await Promise.all([candidate.waitForURL(/done=requested/), again.getByRole('button', { name: 'Send for sign-off' }).click()]);
      const added = peer.keys().filter((k) => !before.includes(k));
      expect(added).toHaveLength(2);
      expect(added.every((k) => k.startsWith('evidence/'))).toBe(true);
      expect(existsSync(app.cadre.ctx.config.uploadDir) ? readdirSync(app.cadre.ctx.config.uploadDir, { recursive: true }) : []).toEqual([]);
      const t4 = candidate.getByTestId('competency-T4');
      await t4.getByText('Reflection, evidence and history').click();
      const own = await candidate.request.get(String(await t4.getByRole('link', { name: 'session-plan.pdf' }).getAttribute('href')));
      expect(own.status()).toBe(200);
      expect(sha(await own.body())).toBe(sha(PDF));

      const mentor = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(mentor, 'mentor1@cadre.test');
      await mentor.goto(`/cohorts/${app.cohortId}/signoffs`);
      const item = mentor.getByTestId('queue-item').filter({ hasText: 'Motivating learners' }).filter({ has: mentor.getByRole('link', { name: 'flipchart.png' }) });
      // The image's preview is read from the bucket through Cadre.
      const preview = item.locator('img');
      await preview.waitFor();
      await mentor.waitForFunction((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0, await preview.elementHandle());
      expect(await checkA11y(mentor)).toEqual([]);
      // The PDF opens in the browser's own viewer.
      const pdfLink = item.getByRole('link', { name: 'session-plan.pdf' });
      const href = String(await pdfLink.getAttribute('href'));
      expect(href).toMatch(/\?view=inline$/);
      const [opened] = await Promise.all([mentor.waitForResponse((r) => r.url().endsWith(href)), pdfLink.click()]);
      expect(opened.status()).toBe(200);
      expect(opened.headers()['content-type']).toBe('application/pdf');
      expect(opened.headers()['content-disposition']).toMatch(/^inline; filename="session-plan\.pdf"/);
      const fetched = await mentor.request.get(href);
      expect(sha(await fetched.body())).toBe(sha(PDF));
    }));

  it('a candidate’s pre-load video plays from the bucket, seeks to the middle (ranges) and carries on, with captions', () =>
    screenshotOnFailure(browser, 's3-video', async () => {
      const candidate = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      const ranges: string[] = [];
      candidate.on('response', (r) => {
        if (r.url().includes('/stream')) ranges.push(`${r.status()} ${r.headers()['content-range'] ?? ''}`);
      });
      await login(candidate, 'candidate1@cadre.test');
      await candidate.goto(`/cohorts/${app.cohortId}/stages/preload-video`);
      const video = candidate.getByTestId('video-player');
      await video.waitFor();
      const played = await video.evaluate(async (v: HTMLVideoElement) => {
        const until = (event: string) => new Promise((resolve) => v.addEventListener(event, resolve, { once: true }));
        const playedPast = (t: number) => new Promise<void>((resolve) => { const tick = () => (v.currentTime > t ? resolve() : setTimeout(tick, 50)); tick(); });
        v.muted = true;
        await v.play();
        await playedPast(0.3);
        const first = v.currentTime;
        const middle = v.duration / 2;
        v.currentTime = middle;
        await until('seeked');
        await playedPast(middle + 0.3);
        for (const track of Array.from(v.textTracks)) track.mode = 'showing';
        await new Promise<void>((resolve) => { const tick = () => (v.textTracks[0]?.cues?.length ? resolve() : setTimeout(tick, 50)); tick(); });
        return { first, middle, after: v.currentTime, error: v.error?.message ?? null, cues: v.textTracks[0].cues?.length ?? 0 };
      });
      expect(played.error).toBeNull();
      expect(played.first).toBeGreaterThan(0);
      expect(played.after).toBeGreaterThan(played.middle);
      expect(played.cues).toBeGreaterThan(0);
      expect(ranges.length).toBeGreaterThan(0);
      expect(ranges.every((r) => /^206 bytes \d+-\d+\/\d+$/.test(r))).toBe(true);
    }));

  it('the admin’s logo is in every header; with the bucket stopped pages still show the name, a video and a file say why they cannot open', () =>
    screenshotOnFailure(browser, 's3-logo', async () => {
      const admin = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(admin, 'admin@cadre.test');
      await admin.goto('/admin');
      await admin.locator('#field-logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
      await Promise.all([admin.waitForURL(/saved=identity/), admin.getByRole('button', { name: 'Upload logo' }).click()]);
      expect(peer.keys().some((k) => k.startsWith('logos/'))).toBe(true);
      const logo = admin.getByTestId('brand').locator('img.brand-logo');
      await admin.waitForFunction((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0, await logo.elementHandle());

      const mentor = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(mentor, 'mentor1@cadre.test');
      await mentor.goto(`/cohorts/${app.cohortId}/signoffs`);
      const href = String(await mentor.getByRole('link', { name: 'Download the PDF' }).first().getAttribute('href'));
      await peer.stop();
      peerStopped = true;
      // Someone arriving now (a browser that has not kept the logo): the name alone, no broken image.
      const later = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(later, 'mentor2@cadre.test');
      await later.goto(`/cohorts/${app.cohortId}/signoffs`);
      await later.getByRole('heading', { level: 1, name: 'Sign-off queue' }).waitFor();
      const brand = later.getByTestId('brand');
      await brand.locator('img.brand-logo[hidden]').waitFor({ state: 'attached' });
      expect(await brand.innerText()).toContain('Calm Response Training');
      // A candidate's video says it cannot be played just now, instead of a spinner.
      const candidate = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(candidate, 'candidate1@cadre.test');
      await candidate.goto(`/cohorts/${app.cohortId}/stages/preload-video`);
      await candidate.getByRole('alert').filter({ hasText: 'This video cannot be played just now: Cadre could not fetch it.' }).waitFor();
      const refused = await mentor.goto(href);
      expect(refused?.status()).toBe(503);
      await mentor.getByText('Cadre cannot reach its file store just now, so files cannot be opened or saved.').waitFor();
      expect(await checkA11y(mentor)).toEqual([]);
    }));
});
