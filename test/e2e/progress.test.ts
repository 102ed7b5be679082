/** Journey: the candidate's timeline, the pre-load player and the Zoom introduction in a browser — the player's
 * heartbeats count only what is played (seeking ahead earns nothing), and every progress page is accessible at
 * tablet size for a candidate, a mentor and an admin. */
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { users } from '../../server/db/tables';
import { preloadVideoProgress } from '../../modules/preload-video/schema';
import { checkA11y, horizontalOverflow, describeBrowser, launchBrowser, login, newPage, screenshotOnFailure, startE2E, VIEWPORTS, type E2EApp } from './support';

const noOverflow = horizontalOverflow;

describeBrowser('progress and the first two stages', () => {
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

  async function secondsWatched(email: string): Promise<number> {
    const [u] = await app.database.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    const rows = await app.database.db.select().from(preloadVideoProgress).where(eq(preloadVideoProgress.userId, u.id));
    return rows.reduce((n, r) => n + Number(r.watchedSeconds), 0);
  }

  it('the player reports what is played, and a seek to the end earns nothing', () =>
    screenshotOnFailure(browser, 'preload-player', async () => {
      const page = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(page, 'candidate1@cadre.test');
      await page.goto(`/cohorts/${app.cohortId}/stages/preload-video`);
      const video = page.getByTestId('video-player');
      await video.waitFor();
      expect(await checkA11y(page)).toEqual([]);
      expect(await noOverflow(page)).toBeLessThanOrEqual(0);
      const before = await secondsWatched('candidate1@cadre.test');
      // Seek near the end, play a moment there: only that moment may count.
      const beat = page.waitForResponse((r) => r.url().includes('/heartbeats') && r.status() === 200, { timeout: 30_000 });
      await page.evaluate(async () => {
        const v = document.querySelector('video') as HTMLVideoElement;
        v.muted = true;
        await new Promise<void>((resolve) => (v.readyState >= 1 ? resolve() : v.addEventListener('loadedmetadata', () => resolve(), { once: true })));
        v.currentTime = Math.max(0, v.duration - 6);
        await v.play();
      });
      await beat;
      await page.evaluate(() => new Promise<void>((resolve) => {
        const v = document.querySelector('video') as HTMLVideoElement;
        if (v.ended) return resolve();
        v.addEventListener('ended', () => resolve(), { once: true });
      }));
      await page.waitForTimeout(500);
      const after = await secondsWatched('candidate1@cadre.test');
      expect(after - before).toBeGreaterThan(1);
      expect(after - before).toBeLessThanOrEqual(7);
      await expect(page.getByTestId('watched-status').textContent()).resolves.toMatch(/You have watched \d+% of this video/);
      await page.context().close();
    }));

  it('every progress page is accessible for a candidate, a mentor and an admin at tablet size', () =>
    screenshotOnFailure(browser, 'progress-pages', async () => {
      const pagesFor: Record<string, string[]> = {
        'candidate1@cadre.test': ['/', `/cohorts/${app.cohortId}/stages/zoom-intro`],
        'candidate2@cadre.test': ['/', `/cohorts/${app.cohortId}/stages/zoom-intro`, `/cohorts/${app.cohortId}/stages/preload-video`],
        'mentor1@cadre.test': [`/cohorts/${app.cohortId}`, `/cohorts/${app.cohortId}/stages/preload-video`, `/cohorts/${app.cohortId}/stages/zoom-intro`],
        'admin@cadre.test': ['/admin/programmes', '/stages/preload-video/admin'],
      };
      for (const [email, paths] of Object.entries(pagesFor)) {
        const page = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
        await login(page, email);
        if (email === 'mentor1@cadre.test') {
          await page.goto(`/cohorts/${app.cohortId}`);
          await page.getByTestId('candidate-row').first().getByRole('link').click();
          await page.getByTestId('timeline').waitFor();
          paths.push(new URL(page.url()).pathname);
        }
        if (email === 'admin@cadre.test') {
          await page.goto('/admin/programmes');
          await page.getByTestId('programme-list').getByRole('link').first().click();
          await page.getByTestId('template-stages').waitFor();
          paths.push(new URL(page.url()).pathname);
        }
        for (const p of paths) {
          await page.goto(p);
          await page.getByRole('heading', { level: 1 }).waitFor();
          expect({ email, p, violations: await checkA11y(page) }).toEqual({ email, p, violations: [] });
          expect(await noOverflow(page)).toBeLessThanOrEqual(0);
        }
        await page.context().close();
      }
    }));

  it('the timeline tells candidate 1 what to do next and why the next stage is locked', () =>
    screenshotOnFailure(browser, 'timeline', async () => {
      const page = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(page, 'candidate1@cadre.test');
      await page.getByTestId('timeline').waitFor();
      await expect(page.getByTestId('next-step').textContent()).resolves.toMatch(/Watch '[^']+' to 90% — you are at \d+%/);
      const intro = page.locator('[data-stage-key="zoom-intro"]');
      await expect(intro.getByTestId('stage-status').textContent()).resolves.toBe('Locked');
      await expect(intro.getByTestId('lock-reason').textContent()).resolves.toMatch(/Complete 'Pre-load videos' first\./);
      await page.context().close();
    }));
});
