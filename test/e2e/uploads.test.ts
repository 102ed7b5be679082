/** Uploads with progress (12.9, 13.6), one lean journey: an admin uploads a pre-load video over a slowed connection
 * and sees the percentage and time left, cancels (nothing saved, what was typed kept), sends a file that is not a
 * video and reads the server's sentence linked to the file field, then uploads the real clip. axe on each state;
 * screenshots of each state at 768×1024 and 1366×900 in test-results/uploads-*. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { preloadVideoVideos } from '../../modules/preload-video/schema';
import { CLIP_DIR } from '../progression/support';
import { checkA11y, describeBrowser, launchBrowser, login, newPage, resultsDir, screenshotOnFailure, startE2E, type E2EApp } from './support';

const WIDE = { width: 1366, height: 900 };
const TABLET = { width: 768, height: 1024 };

describeBrowser('uploads show their progress and can be cancelled', () => {
  let app: E2EApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startE2E();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function shot(page: Page, name: string): Promise<void> {
    mkdirSync(resultsDir, { recursive: true });
    for (const vp of [TABLET, WIDE]) {
      await page.setViewportSize(vp);
      await page.screenshot({ path: path.join(resultsDir, `uploads-${name}-${vp.width}.png`), fullPage: true });
    }
    await page.setViewportSize(TABLET);
  }

  it('percentage, time left, cancel, a refusal in words, then the upload', () =>
    screenshotOnFailure(browser, 'uploads', async () => {
      const videos = async () => (await app.database.db.select({ id: preloadVideoVideos.id }).from(preloadVideoVideos)).length;
      const before = await videos();
      const page = await newPage(browser, app.baseUrl, TABLET);
      await login(page, 'admin@cadre.test');
      await page.goto('/stages/preload-video/admin');
      const form = page.getByTestId('upload-form');
      await form.getByLabel('Title').fill('Breakaway basics');
      // 4 MB at 512 KB/s: about eight seconds, long enough to read progress and cancel.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 512 * 1024 });
      await form.getByLabel(/^Video file/).setInputFiles({ name: 'big-session.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(4 * 1024 * 1024, 1) });
      await form.getByRole('button', { name: 'Upload', exact: true }).click();
      const progress = form.getByTestId('upload-progress');
      await progress.getByText('Uploading “big-session.mp4” (4.2 MB)').waitFor();
      await progress.getByTestId('upload-detail').getByText(/^([1-9]\d?)% · [\d.]+ MB of 4\.2 MB · (about \d+ (seconds|minutes?)|a few seconds) left$/).waitFor();
      expect(await form.getByRole('button', { name: 'Upload', exact: true }).isDisabled()).toBe(true);
      // The page stays usable meanwhile: the fields can still be edited.
      await form.getByLabel('Description (optional)').fill('Typed while the file was sending.');
      expect(await checkA11y(page)).toEqual([]);
      await shot(page, 'progress');
      await progress.getByRole('button', { name: 'Cancel upload' }).click();
      await form.getByTestId('upload-outcome').getByText(/^Upload cancelled\. Nothing was saved/).waitFor();
      expect(await progress.isHidden()).toBe(true);
      expect(await form.getByLabel('Title').inputValue()).toBe('Breakaway basics');
      expect(await form.getByLabel('Description (optional)').inputValue()).toBe('Typed while the file was sending.');
      expect(await form.getByRole('button', { name: 'Upload', exact: true }).isEnabled()).toBe(true);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

      // A file that is not a video: the server's sentence, linked to the file field, and nothing stored.
      await form.getByLabel(/^Video file/).setInputFiles({ name: 'notes.mp4', mimeType: 'video/mp4', buffer: Buffer.from('these are my session notes, not a video') });
      await form.getByRole('button', { name: 'Upload', exact: true }).click();
      const outcome = form.getByTestId('upload-outcome');
      await outcome.getByRole('heading', { name: 'The upload did not go through' }).waitFor();
      const link = outcome.getByRole('link', { name: /not an MP4 or WebM/ });
      expect(await link.getAttribute('href')).toBe('#file');
      expect(await form.getByLabel(/^Video file/).getAttribute('aria-invalid')).toBe('true');
      expect(await outcome.evaluate((e) => e === document.activeElement)).toBe(true);
      expect(await checkA11y(page)).toEqual([]);
      await shot(page, 'refused');
      expect(await videos()).toBe(before);

      await form.getByLabel(/^Video file/).setInputFiles(path.join(CLIP_DIR, 'first-minute.webm'));
      // The demo has candidates who finished pre-load, so the admin is asked next whom the new video applies to.
      await Promise.all([page.waitForURL(/\/stages\/preload-video\/videos\/[0-9a-f-]{36}\/publish$/), form.getByRole('button', { name: 'Upload', exact: true }).click()]);
      await page.getByText('Breakaway basics').first().waitFor();
      expect(await videos()).toBe(before + 1);
      expect(await checkA11y(page)).toEqual([]);
    }));
});
