/** Journey: the admin logs in, checks the admin page (laptop and tablet), invites a candidate who joins in another browser. */
import type { Browser } from 'playwright-core';
import { checkA11y, horizontalOverflow, describeBrowser, launchBrowser, login, newPage, screenshotOnFailure, startE2E, VIEWPORTS, type E2EApp } from './support';

describeBrowser('admin login and invitation journey', () => {
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

  it('the admin logs in and sees an accessible admin page, on a laptop and on a tablet', () =>
    screenshotOnFailure(browser, 'admin-login', async () => {
      for (const viewport of [VIEWPORTS.laptop, VIEWPORTS.tablet]) {
        const page = await newPage(browser, app.baseUrl, viewport);
        await page.goto('/login');
        expect(await checkA11y(page)).toEqual([]);
        await login(page, 'admin@cadre.test');
        expect(new URL(page.url()).pathname).toBe('/admin');
        await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
        await page.getByRole('link', { name: 'Harbourside trainers — spring cohort' }).waitFor();
        expect(await checkA11y(page)).toEqual([]);
        // Nothing wider than the screen at this size.
        const overflow = await horizontalOverflow(page);
        expect(overflow).toBeLessThanOrEqual(0);
        await page.context().close();
      }
    }));

  it('the admin invites a candidate; the candidate opens the link in another browser, sets a password and logs in', () =>
    screenshotOnFailure(browser, 'invite-candidate', async () => {
      const admin = await newPage(browser, app.baseUrl);
      await login(admin, 'admin@cadre.test');
      const form = admin.getByTestId('invite-form');
      await form.getByLabel('Full name').fill('Maya Osei');
      await form.getByLabel('E-mail address').fill('maya.osei@harbourside.test');
      await form.getByLabel('Organisation').selectOption({ label: 'Harbourside Care' });
      await form.getByLabel('Role').selectOption('candidate');
      await form.getByLabel('Add to cohort (optional)').selectOption({ label: 'Harbourside trainers — spring cohort (Harbourside Care)' });
      await form.getByRole('button', { name: 'Send invitation' }).click();
      await admin.getByTestId('invite-sent').waitFor();
      const link = (await admin.getByTestId('invite-link').textContent())?.trim() ?? '';
      expect(link).toMatch(new RegExp(`^${app.baseUrl}/invite/[\\w-]+$`));
      await admin.getByTestId('candidates').getByText('Maya Osei').waitFor();
      expect(await checkA11y(admin)).toEqual([]);

      const candidate = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await candidate.goto(link);
      await candidate.getByRole('heading', { name: 'Set your password' }).waitFor();
      expect(await checkA11y(candidate)).toEqual([]);
      await candidate.getByLabel('New password').fill('the sea is calm tonight');
      await candidate.getByLabel('Type it again').fill('the sea is calm tonight');
      await Promise.all([candidate.waitForURL('**/login?passwordSet=1'), candidate.getByRole('button', { name: 'Set password' }).click()]);
      await login(candidate, 'maya.osei@harbourside.test', 'the sea is calm tonight');
      expect(new URL(candidate.url()).pathname).not.toBe('/login');
      const me = await candidate.evaluate(async () => (await fetch('/api/v1/me')).json());
      expect(me.user.email).toBe('maya.osei@harbourside.test');
      expect(me.cohorts.map((c: { name: string }) => c.name)).toEqual(['Harbourside trainers — spring cohort']);
      expect(await checkA11y(candidate)).toEqual([]);

      // The link worked once.
      const again = await newPage(browser, app.baseUrl);
      const res = await again.goto(link);
      expect(res?.status()).toBe(410);
    }));
});
