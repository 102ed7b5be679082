/** Journey: an admin builds a new programme with gates by form only. It starts with the standard stages in the order
 * they run; the admin adds a competencies gate by ticking names, watches the candidate's sentence change before saving,
 * fixes a refused save from the linked summary, then reorders the stages by dragging and by the keyboard's Move button.
 * Every page passes axe and fits 768 px; screenshots at 768×1024 and 1366×900 go to test-results/programme-gates-*.png
 * (and to SHOTS_DIR when set). */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { checkA11y, describeBrowser, horizontalOverflow, launchBrowser, login, newPage, resultsDir, screenshotOnFailure, startE2E, type E2EApp } from './support';

const TABLET = { width: 768, height: 1024 };
const DESKTOP = { width: 1366, height: 900 };

describeBrowser('programme gates by form', () => {
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

  async function checkAndShoot(page: Page, name: string) {
    expect(await checkA11y(page)).toEqual([]);
    for (const [label, size] of [['768', TABLET], ['1366', DESKTOP]] as const) {
      await page.setViewportSize(size);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      const file = path.join(resultsDir, `programme-gates-${name}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (process.env.SHOTS_DIR) {
        mkdirSync(process.env.SHOTS_DIR, { recursive: true });
        copyFileSync(file, path.join(process.env.SHOTS_DIR, path.basename(file)));
      }
    }
    await page.setViewportSize(TABLET);
  }
  const titles = (page: Page) => page.getByTestId('template-stage').locator('h3').allInnerTexts();

  it('builds a programme with gates by form, previews, fixes a refusal and reorders', () =>
    screenshotOnFailure(browser, 'programme-gates', async () => {
      const page = await newPage(browser, app.baseUrl, TABLET);
      await login(page, 'admin@cadre.test');
      await page.goto('/admin/programmes');
      await page.getByLabel('Name', { exact: true }).fill('Spring intake programme');
      expect(await page.getByLabel(/Start with the standard stages/).isChecked()).toBe(true);
      await Promise.all([page.waitForURL(/\/admin\/programmes\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Create programme' }).click()]);
      const first = await titles(page);
      expect(first.map((t) => t.replace(/^⠿\s*/, '').replace(/\s+/g, ' '))[0]).toMatch(/^1\. /);
      expect(first.length).toBe(6);
      const order = await page.getByTestId('template-stage').evaluateAll((els) => els.map((e) => e.getAttribute('data-module')));
      expect(order).toEqual(['preload-video', 'zoom-intro', 'transfer-week', 'projects-week', 'co-delivery', 'remedial-workshop']);
      expect(await page.getByTestId('stage-window').first().innerText()).toBe('Days 0 to 20');
      await checkAndShoot(page, 'programme');

      // Stage 2: add "Competencies signed off" (the Add button reloads the form, nothing saved), tick two by name.
      const stage = page.locator('#stage-1');
      await stage.locator('summary').first().click();
      await stage.getByLabel('Add a requirement').last().selectOption({ label: 'Competencies signed off' });
      await Promise.all([page.waitForLoadState('load'), stage.getByRole('button', { name: 'Add to Complete when' }).click()]);
      const again = page.locator('#stage-1');
      await again.getByLabel(/D1 Non-escalation/).check();
      await again.getByLabel(/D2 De-escalation/).check();
      // The live preview says the sentence the candidate will read, before anything is saved.
      await again.getByTestId('gate-preview').getByText(/D1 Non-escalation; D2 De-escalation/).waitFor();
      await checkAndShoot(page, 'stage-form');

      // A rubric gate with no rubric chosen: the save is refused, the sentence links to the picker.
      await again.getByLabel('Add a requirement').last().selectOption({ label: 'Rubric passed' });
      await Promise.all([page.waitForLoadState('load'), again.getByRole('button', { name: 'Add to Complete when' }).click()]);
      await Promise.all([page.waitForLoadState('load'), page.locator('#stage-1').getByRole('button', { name: /^Save stage 2/ }).click()]);
      const summary = page.locator('#stage-1').getByTestId('error-summary');
      const link = summary.getByRole('link').first();
      await link.waitFor();
      await checkAndShoot(page, 'stage-refused');
      await link.click();
      const picker = page.locator('#stage-1').getByRole('combobox', { name: 'Rubric' });
      expect(await picker.evaluate((el) => el === document.activeElement || el.id === location.hash.slice(1))).toBe(true);
      await picker.selectOption({ index: 1 });
      await Promise.all([page.waitForURL(/saved=stages/), page.locator('#stage-1').getByRole('button', { name: /^Save stage 2/ }).click()]);
      expect(await page.locator('#stage-1').getByTestId('stage-gates').innerText()).toContain('D1 Non-escalation; D2 De-escalation');

      // Drag stage 2 above stage 1 (one request saves the order), then the keyboard's Move button puts it back.
      await page.locator('#stage-0').scrollIntoViewIfNeeded();
      await Promise.all([page.waitForURL(/saved=order/), page.locator('#stage-1 .drag-handle').dragTo(page.locator('#stage-0 h3'), { targetPosition: { x: 5, y: 2 } })]);
      let now = await page.getByTestId('template-stage').evaluateAll((els) => els.map((e) => e.getAttribute('data-module')));
      expect(now.slice(0, 3)).toEqual(['zoom-intro', 'preload-video', 'transfer-week']);
      await checkAndShoot(page, 'reordered');
      await page.locator('#stage-1').getByRole('button', { name: /Move '.*' up/ }).focus();
      await Promise.all([page.waitForURL(/saved=stages/), page.keyboard.press('Enter')]);
      now = await page.getByTestId('template-stage').evaluateAll((els) => els.map((e) => e.getAttribute('data-module')));
      expect(now.slice(0, 3)).toEqual(['preload-video', 'zoom-intro', 'transfer-week']);
      await page.close();
    }));
});
