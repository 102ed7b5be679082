/** Journey (issue 12, candidate points 1–4 and 8) at 768×1024 and 1366×900: a candidate finds their record from the
 * menu, sees first that they are behind (the board's "overdue" signal, said kindly, with who to talk to), reads one
 * next step with the rest behind it, follows a requirement to where they act, and self-assesses with the form's
 * defaults — a missing choice is named once, linked to its field. Every page passes axe and fits the viewport. */
import type { Browser, Page } from 'playwright-core';
import { checkA11y, describeBrowser, horizontalOverflow, launchBrowser, login, newPage, screenshotOnFailure, startE2E, type E2EApp } from './support';

const SIZES = [
  { name: 'tablet', width: 768, height: 1024 },
  { name: 'laptop', width: 1366, height: 900 },
];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describeBrowser('a candidate on their own, on a tablet and a laptop', () => {
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

  async function fine(page: Page): Promise<void> {
    expect(await checkA11y(page)).toEqual([]);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await page.locator('main').innerText()).not.toMatch(UUID);
  }

  for (const size of SIZES) {
    it(`${size.name}: the menu reaches the whole record; being behind comes first, with who to talk to; one next step`, () =>
      screenshotOnFailure(browser, `candidate-record-${size.name}`, async () => {
        const page = await newPage(browser, app.baseUrl, size);
        await login(page, 'candidate1@cadre.test');
        const menu = page.getByRole('navigation', { name: 'Main' });
        await expect(menu.getByRole('link', { name: 'My programme' }).getAttribute('aria-current')).resolves.toBe('page');
        await fine(page);

        // Behind: the pre-load window closed; said first, kindly, with where to carry on and the mentors' names.
        const standing = page.getByTestId('standing');
        expect(await standing.innerText()).toMatch(/Pre-load videos closed on \d+ \w+ \d{4} — still to do: Watch/);
        expect(await page.getByTestId('standing-contacts').innerText()).toMatch(/Who to talk to: .+ (or|,) .+ \(your mentors\)/);
        const order = await page.evaluate(() => {
          const s = document.querySelector('[data-testid=standing]');
          const n = document.querySelector('[data-testid=next-step]');
          return !!s && !!n && !!(s.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING);
        });
        expect(order).toBe(true);

        // One next step and its button; every other unmet requirement of the stage behind it.
        const next = page.getByTestId('next-step');
        expect(await next.getByTestId('next-action').count()).toBe(1);
        expect(await next.getByTestId('next-action').innerText()).toBe('Go to Pre-load videos');
        await next.getByText(/Also needed to finish Pre-load videos \(1 more\)/).click();
        await next.getByText(/Pass the knowledge check/).waitFor();
        // Nothing measures "0 of 0".
        expect(await page.locator('main').innerText()).not.toContain('0 of 0');

        // A requirement links to where the candidate acts: the sign-off requests for exactly those competencies.
        await Promise.all([page.waitForURL(/\/competencies#code-D1$/), page.getByRole('link', { name: 'Request sign-off for D1, D2' }).click()]);
        await page.getByTestId('map-title').waitFor();
        await fine(page);

        // Every entry of the menu opens a page that works.
        for (const name of ['My competencies', 'My assessments', 'Live notes', 'Notifications']) {
          await Promise.all([page.waitForLoadState('load'), menu.getByRole('link', { name, exact: true }).click()]);
          expect(await menu.getByRole('link', { name, exact: true }).getAttribute('aria-current')).toBe('page');
          await fine(page);
        }
        await page.context().close();
      }));

    it(`${size.name}: a self-assessment saves with the form's defaults; a missing choice is named once and linked`, () =>
      screenshotOnFailure(browser, `candidate-self-assessment-${size.name}`, async () => {
        const page = await newPage(browser, app.baseUrl, size);
        await login(page, 'candidate2@cadre.test');
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My assessments' }).click();
        await page.getByRole('heading', { name: 'Your assessments', level: 1 }).waitFor();
        await fine(page);
        await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Self-assess: Delivering a knowledge module' }).click()]);
        const about = page.getByLabel('What this assessment is about');
        expect(await about.locator('option:checked').innerText()).toBe('4. Projects week — the stage as a whole');
        await fine(page);

        // Sent with one criterion left out (the browser's own check lifted, as a script-less post would be).
        const criteria = await page.getByTestId('criterion').all();
        for (const c of criteria.slice(1)) await c.getByText('Secure', { exact: true }).click();
        await page.evaluate(() => document.querySelectorAll('[required]').forEach((e) => e.removeAttribute('required')));
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Save self-assessment' }).click()]);
        const summary = page.getByTestId('error-summary');
        const links = summary.getByRole('link');
        expect(await links.allInnerTexts()).toEqual(['Choose a level for “Accurate content”.']);
        expect(await summary.innerText()).not.toMatch(/levels\.|contextId|must be text/);
        await fine(page);
        await links.first().click();
        expect(await page.evaluate(() => location.hash)).toMatch(/^#field-levels\./);

        // What was typed is kept; choose the last level and save.
        await criteria[0].getByText('Secure', { exact: true }).click();
        await Promise.all([page.waitForURL(/assessments\?done=1/), page.getByRole('button', { name: 'Save self-assessment' }).click()]);
        await page.getByTestId('done').waitFor();
        const heading = await page.getByTestId('assessment-group').first().getByRole('heading').innerText();
        expect(heading).toMatch(/— (Knowledge module: |\d\. .+ — the stage as a whole)/);
        await fine(page);
        await page.context().close();
      }));
  }
});
