/** Journey: impact in a real browser. A learner answers a course questionnaire on a phone (375 px) without an account
 * and a second answer from that phone is refused; a new trainer records a course on a tablet; the lead reads the
 * impact view and previews an import; the admin finds the organisation. Every page passes axe and fits its screen;
 * screenshots of each page at 768×1024 and 1366×900 go to test-results/impact-*.png. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { checkA11y, describeBrowser, horizontalOverflow, launchBrowser, login, newPage, resultsDir, screenshotOnFailure, startE2E, type E2EApp } from './support';

const PHONE = { width: 375, height: 667 };
const TABLET = { width: 768, height: 1024 };
const DESKTOP = { width: 1366, height: 900 };

describeBrowser('impact', () => {
  let app: E2EApp;
  let browser: Browser;
  beforeAll(async () => {
    app = await startE2E();
    browser = await launchBrowser();
    mkdirSync(resultsDir, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Checks the page as people get it, then saves it at tablet and desktop widths. */
  async function checkAndShoot(page: Page, name: string) {
    expect(await checkA11y(page)).toEqual([]);
    for (const [label, size] of [['768', TABLET], ['1366', DESKTOP]] as const) {
      await page.setViewportSize(size);
      await page.waitForTimeout(150);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(resultsDir, `impact-${name}-${label}.png`), fullPage: true });
    }
    await page.setViewportSize(TABLET);
  }

  it('a learner answers on a phone without an account; the same phone cannot answer twice', () =>
    screenshotOnFailure(browser, 'impact-phone', async () => {
      const trainer = await newPage(browser, app.baseUrl, TABLET);
      await login(trainer, 'trainer1@cadre.test');
      await trainer.goto('/courses');
      await trainer.getByTestId('my-courses').getByRole('link').first().click();
      const link = await trainer.getByTestId('questionnaire-link').inputValue();
      expect(link).toMatch(/\/q\/[A-Za-z0-9_-]{22}$/);
      await trainer.getByTestId('qr').locator('svg').waitFor();
      await checkAndShoot(trainer, 'course');
      await trainer.context().close();

      const phone = await newPage(browser, app.baseUrl, PHONE);
      await phone.goto(link);
      const form = phone.getByTestId('questionnaire');
      await form.waitFor();
      expect(await phone.getByRole('button', { name: 'Log out' }).count()).toBe(0);
      expect(await checkA11y(phone)).toEqual([]);
      expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
      // Sending it empty names every question.
      await Promise.all([phone.waitForLoadState('load'), form.getByRole('button', { name: 'Send my answers' }).click()]);
      await phone.getByTestId('error-summary').waitFor();
      expect(await checkA11y(phone)).toEqual([]);
      expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
      const outcomes = phone.getByTestId('outcome');
      const n = await outcomes.count();
      expect(n).toBeGreaterThanOrEqual(3);
      for (let i = 0; i < n; i++) {
        const outcome = outcomes.nth(i);
        const before = outcome.getByRole('group', { name: 'Before the course' });
        const after = outcome.getByRole('group', { name: 'Now, after the course' });
        await before.getByRole('radio', { name: /^2 — / }).check();
        await after.getByRole('radio', { name: /^4 — / }).check();
        const box = await before.locator('label').first().boundingBox();
        expect(box?.height).toBeGreaterThanOrEqual(44);
        expect(box?.width).toBeGreaterThanOrEqual(44);
      }
      await phone.getByRole('radio', { name: /Release the hold at once/ }).check();
      await phone.getByLabel(/What will you do differently at work/).fill('Slow down, give space, and never go to the floor.');
      await phone.screenshot({ path: path.join(resultsDir, 'impact-questionnaire-375.png'), fullPage: true });
      await Promise.all([phone.waitForURL(/thanks=1/), phone.getByRole('button', { name: 'Send my answers' }).click()]);
      await phone.getByTestId('answer-saved').waitFor();
      expect(await checkA11y(phone)).toEqual([]);

      // The same phone, the link again: the answer is refused plainly.
      await phone.goto(link);
      for (let i = 0; i < n; i++) {
        await outcomes.nth(i).getByRole('group', { name: 'Before the course' }).getByRole('radio', { name: /^1 — / }).check();
        await outcomes.nth(i).getByRole('group', { name: 'Now, after the course' }).getByRole('radio', { name: /^5 — / }).check();
      }
      await phone.getByRole('radio', { name: /Release the hold at once/ }).check();
      await Promise.all([phone.waitForLoadState('load'), phone.getByRole('button', { name: 'Send my answers' }).click()]);
      await phone.getByTestId('already-answered').getByText('You have already answered this questionnaire on this device.').waitFor();
      expect(await checkA11y(phone)).toEqual([]);
      expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
      await phone.goto(link);
      await checkAndShoot(phone, 'questionnaire');
      await phone.context().close();
    }), 120_000);

  it('a new trainer records a course on a tablet and gets its QR code', () =>
    screenshotOnFailure(browser, 'impact-record', async () => {
      const page = await newPage(browser, app.baseUrl, TABLET);
      await login(page, 'trainer2@cadre.test');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My courses' }).click();
      await page.getByTestId('my-courses').waitFor();
      await checkAndShoot(page, 'my-courses');
      await page.getByRole('link', { name: 'Record a course' }).click();
      const form = page.getByTestId('course-form');
      await form.waitFor();
      await checkAndShoot(page, 'course-form');
      await form.getByLabel('Venue').fill('Quayside Lodge lounge');
      await form.getByLabel('The legal basis for reasonable force').check();
      await form.getByLabel('Co-trainer').selectOption({ label: 'Maya Patel' });
      await form.getByLabel('Number of attendees').fill('9');
      await form.getByLabel(/^Register/).fill('HC-900\nHC-901\nHC-902');
      await Promise.all([page.waitForURL(/done=created/), form.getByRole('button', { name: 'Record the course' }).click()]);
      await page.getByTestId('done').waitFor();
      expect(await page.getByTestId('course-details').textContent()).toContain('with Maya Patel');
      await page.getByTestId('qr').locator('svg').waitFor();
      expect(await checkA11y(page)).toEqual([]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.context().close();
    }), 120_000);

  it('the lead reads the impact view, its courses and incident data, and previews an import without saving it', () =>
    screenshotOnFailure(browser, 'impact-lead', async () => {
      const page = await newPage(browser, app.baseUrl, TABLET);
      await login(page, 'lead@cadre.test');
      await page.getByTestId('impact-link').click();
      await page.getByTestId('comparison').waitFor();
      expect(await page.getByTestId('comparison').textContent()).toContain('does not show that the programme caused the change');
      // Chart.js drew the charts (each also has its table).
      for (const id of ['chart-incidents', 'chart-rate', 'chart-injuries', 'chart-courses', 'chart-learners']) {
        const drawn = await page.getByTestId(id).evaluate((c) => (c as HTMLCanvasElement).width > 0 && typeof (window as unknown as { Chart?: { getChart(c: unknown): unknown } }).Chart?.getChart(c) === 'object');
        expect(drawn).toBe(true);
      }
      await checkAndShoot(page, 'view');

      await page.getByRole('link', { name: 'Every course delivered' }).click();
      await page.getByTestId('org-courses').waitFor();
      await checkAndShoot(page, 'org-courses');
      await page.goBack();

      await page.getByRole('link', { name: 'Enter or import incident data' }).click();
      await page.getByTestId('incident-table').waitFor();
      await checkAndShoot(page, 'incidents');
      const before = await page.getByTestId('incident-row').count();
      await page.getByLabel('CSV file').setInputFiles({
        name: 'november.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('Month,Service,Incidents of aggression,Restraints,Prone or floor restraints,Seclusions,Injuries to staff,Injuries to people supported,Occupied bed days\n2025-01,Harbour House,20,9,2,1,1,0,\n2025-01,Harbour House,20,9,2,1,1,0,\nlast month,Quayside Lodge,1,1,0,0,0,0,\n'),
      });
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Check the file' }).click()]);
      await page.getByTestId('preview-table').waitFor();
      expect(await page.getByTestId('row-problems').textContent()).toContain('Line 3');
      await checkAndShoot(page, 'import-preview');
      await page.getByTestId('cancel-import').click();
      await page.getByTestId('incident-table').waitFor();
      expect(await page.getByTestId('incident-row').count()).toBe(before);
      await page.context().close();
    }), 150_000);

  it('the admin finds each client organisation’s impact', () =>
    screenshotOnFailure(browser, 'impact-admin', async () => {
      const page = await newPage(browser, app.baseUrl, TABLET);
      await login(page, 'admin@cadre.test');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Impact' }).click();
      await page.getByTestId('impact-organisations').waitFor();
      await checkAndShoot(page, 'index');
      await page.getByRole('link', { name: 'Harbourside Care' }).click();
      await page.getByTestId('comparison').waitFor();
      expect(await checkA11y(page)).toEqual([]);
      await page.context().close();
    }), 90_000);
});
