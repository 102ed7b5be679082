/** Journey: the later stage modules in a browser — the mentor takes a day register on a tablet; every stage page is
 * accessible (axe) for a mentor and a candidate at tablet size, with nothing wider than the screen. */
import type { Browser } from 'playwright-core';
import { checkA11y, horizontalOverflow, describeBrowser, launchBrowser, login, newPage, screenshotOnFailure, startE2E, VIEWPORTS, type E2EApp } from './support';

const KEYS = ['transfer-week', 'projects-week', 'co-delivery', 'remedial-workshop'];

const noOverflow = horizontalOverflow;

describeBrowser('later stage modules', () => {
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

  it('the mentor takes a transfer-week register on a tablet with big radio buttons and a plain form', () =>
    screenshotOnFailure(browser, 'tablet-register', async () => {
      const page = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(page, 'mentor1@cadre.test');
      await page.goto(`/cohorts/${app.cohortId}/stages/transfer-week`);
      await page.getByTestId('open-register').first().click();
      const register = page.getByTestId('day-register');
      await register.waitFor();
      expect(await checkA11y(page)).toEqual([]);
      expect(await noOverflow(page)).toBeLessThanOrEqual(0);
      const row = register.getByRole('group', { name: /Sam Taylor/ });
      const late = row.getByRole('radio', { name: 'Late' });
      const box = await late.evaluate((el) => (el.closest('label') as HTMLElement).getBoundingClientRect().height);
      expect(box).toBeGreaterThanOrEqual(44);
      await late.check();
      await Promise.all([page.waitForURL(/saved=1/), register.getByRole('button', { name: 'Save the register' }).click()]);
      await page.getByTestId('register-saved').waitFor();
      expect(await page.getByTestId('day-register').getByRole('group', { name: /Sam Taylor/ }).getByRole('radio', { name: 'Late' }).isChecked()).toBe(true);
      await page.context().close();
    }));

  it('every later stage page is accessible for a mentor and a candidate at tablet size', () =>
    screenshotOnFailure(browser, 'later-stage-pages', async () => {
      for (const email of ['mentor1@cadre.test', 'candidate3@cadre.test', 'lead@cadre.test']) {
        const page = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
        await login(page, email);
        for (const key of KEYS) {
          await page.goto(`/cohorts/${app.cohortId}/stages/${key}`);
          await page.getByRole('heading', { level: 1 }).waitFor();
          expect({ email, key, violations: await checkA11y(page) }).toEqual({ email, key, violations: [] });
          expect(await noOverflow(page)).toBeLessThanOrEqual(0);
        }
        if (email === 'candidate3@cadre.test') {
          await page.goto(`/cohorts/${app.cohortId}/stages/co-delivery`);
          await page.getByTestId('record-attainment').first().click();
          await page.getByTestId('attainment-form').waitFor();
          expect(await checkA11y(page)).toEqual([]);
          expect(await noOverflow(page)).toBeLessThanOrEqual(0);
        }
        await page.context().close();
      }
    }));
});
