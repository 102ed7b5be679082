/** Journey: the rubric editor in a real browser at 768×1024. The admin opens a rubric from the rubrics list, reads
 * whom a new version would affect, changes a criterion's descriptor and weight and makes it essential; a refused save
 * (a weight of 0 and an emptied rubric name) says so in sentences linked to their fields and keeps what was typed;
 * the corrected save publishes the next version and says whom it affects. Every page passes axe and fits 768 px;
 * screenshots go to test-results/rubric-editor-*.png. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { checkA11y, describeBrowser, horizontalOverflow, launchBrowser, login, newPage, resultsDir, screenshotOnFailure, startE2E, VIEWPORTS, type E2EApp } from './support';

const NEW_DESCRIPTOR = 'Finishes on time with every essential covered and a minute for questions.';

describeBrowser('rubric editor', () => {
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
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(resultsDir, `rubric-editor-${name}-768.png`), fullPage: true });
  }

  it('the admin changes a criterion, fixes a refused save and publishes the next version', () =>
    screenshotOnFailure(browser, 'rubric-editor', async () => {
      const admin = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(admin, 'admin@cadre.test');
      await admin.goto('/admin/rubrics');
      await checkAndShoot(admin, 'list');
      await Promise.all([admin.waitForURL(/\/admin\/rubrics\/[0-9a-f-]{36}$/), admin.getByTestId('rubric-list').getByRole('link', { name: 'Delivering a knowledge module' }).click()]);
      expect(await admin.getByTestId('rubric-name').textContent()).toBe('Delivering a knowledge module');
      await admin.getByText('Version 1 · pass mark 60%').waitFor();
      await checkAndShoot(admin, 'show');
      await Promise.all([admin.waitForURL(/\/edit$/), admin.getByRole('link', { name: 'Edit this rubric' }).click()]);

      // Before saving, the editor says whom version 2 affects: those assessed keep their results, the rest use version 2.
      const impact = admin.getByTestId('rubric-impact');
      const impactText = (await impact.textContent())!;
      expect(impactText).toMatch(/Already assessed — they keep their results: .*\(version 1\)/);
      expect(impactText).toContain('Not assessed yet — they will be scored against version 2');
      expect(impactText).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/); // names, never ids
      await checkAndShoot(admin, 'edit');

      // Criterion 3, "Session timing": a new "Secure" descriptor, weight 0 by mistake, made essential; the name emptied.
      const timing = admin.locator('fieldset', { has: admin.locator('input[value="Session timing"]') });
      expect(await timing.locator('legend').textContent()).toContain('Criterion 3');
      await timing.getByLabel('What “Secure” looks like').fill(NEW_DESCRIPTOR);
      await timing.getByLabel('Weight').fill('0');
      expect(await timing.getByLabel('Essential (must pass)').isChecked()).toBe(false);
      await timing.getByLabel('Essential (must pass)').check();
      await admin.getByLabel('Name', { exact: true }).fill('');
      await Promise.all([admin.waitForLoadState('load'), admin.getByRole('button', { name: 'Save as version 2' }).click()]);

      // Refused: each problem a sentence linked to its field, and everything typed is still there.
      const summary = admin.getByTestId('error-summary');
      await summary.waitFor();
      expect(admin.url()).toMatch(/\/edit$/);
      const links = summary.getByRole('link');
      expect((await links.allTextContents()).map((s) => s.trim())).toEqual(['Give the rubric a name.', 'The weight of criterion 3 must be more than 0.']);
      expect(await links.evaluateAll((els) => els.map((e) => e.getAttribute('href')))).toEqual(['#field-name', '#field-criteria.2.weight']);
      const timingAgain = admin.locator('fieldset', { has: admin.locator('input[value="Session timing"]') });
      expect(await timingAgain.getByLabel('What “Secure” looks like').inputValue()).toBe(NEW_DESCRIPTOR);
      expect(await timingAgain.getByLabel('Weight').inputValue()).toBe('0');
      expect(await timingAgain.getByLabel('Essential (must pass)').isChecked()).toBe(true);
      expect(await admin.getByLabel('Name', { exact: true }).inputValue()).toBe('');
      await checkAndShoot(admin, 'edit-refused');
      // The weight's link lands on the weight field.
      await links.filter({ hasText: 'The weight of criterion 3 must be more than 0.' }).click();
      await admin.waitForURL(/#field-criteria\.2\.weight$/);
      const target = admin.locator('[id="field-criteria.2.weight"]');
      expect(await target.getByLabel('Weight').inputValue()).toBe('0');
      expect(await target.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; })).toBe(true);

      // Corrected and saved: version 2 is published and the page says whom it affects.
      await admin.getByLabel('Name', { exact: true }).fill('Delivering a knowledge module');
      await timingAgain.getByLabel('Weight').fill('2');
      await Promise.all([admin.waitForURL(/\/admin\/rubrics\/[0-9a-f-]{36}\?published=1$/), admin.getByRole('button', { name: 'Save as version 2' }).click()]);
      const published = admin.getByTestId('published');
      const publishedText = (await published.textContent())!;
      expect(publishedText).toContain('Saved as version 2. Assessments already made keep the version they were scored against; new assessments use this one.');
      expect(publishedText).toMatch(/already assessed, keeping their results — .*\(version 1\)/);
      expect(publishedText).toMatch(/To be scored against version 2 — /);
      expect(publishedText).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
      await admin.getByText('Version 2 · pass mark 60%').waitFor();
      const row = admin.getByRole('row', { name: /Session timing/ });
      expect(await row.locator('th').textContent()).toContain('weight 2 · essential');
      expect(await row.getByRole('cell').nth(2).textContent()).toBe(NEW_DESCRIPTOR);
      await checkAndShoot(admin, 'published');
      await admin.context().close();
    }));
});
