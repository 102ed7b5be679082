/** Journey: the admin logs in, checks the admin page (laptop and tablet), invites a candidate to a cohort who joins in another
 * browser from the e-mailed link (a login that confirms it, the e-mail filled in), then removes her: her open page is refused. */
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

  it('the admin invites a candidate to a cohort; the candidate sets a password from the e-mailed link, lands on a login that confirms it with the e-mail filled in, and signs in; the admin removes them and their open page is refused on the next click', () =>
    screenshotOnFailure(browser, 'invite-and-remove', async () => {
      const email = 'maya.osei@harbourside.test';
      const admin = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(admin, 'admin@cadre.test');
      await admin.getByRole('link', { name: 'Harbourside trainers — spring cohort' }).click();
      await admin.getByRole('heading', { level: 1, name: 'Harbourside trainers — spring cohort — people' }).waitFor();
      expect(await checkA11y(admin)).toEqual([]);
      const form = admin.locator('form').filter({ has: admin.getByRole('button', { name: 'Invite', exact: true }) });
      await form.getByLabel('Full name').fill('Maya Osei');
      await form.getByLabel('E-mail').fill(email);
      await form.getByLabel('Role').selectOption({ label: 'Candidate' });
      await form.getByRole('button', { name: 'Invite', exact: true }).click();
      await admin.getByTestId('invite-sent').getByText(`Invitation created for ${email}.`).waitFor();
      await admin.getByTestId('invitation').filter({ hasText: 'Maya Osei' }).getByText('Pending').waitFor();
      expect(await checkA11y(admin)).toEqual([]);
      expect(await horizontalOverflow(admin)).toBeLessThanOrEqual(0);

      // The link as the e-mail carries it (no e-mail server here, so the admin is shown the same link too).
      const mail = app.cadre.ctx.mailer.outbox.filter((m) => m.to === email).at(-1);
      const link = /\/invite\/[\w-]+/.exec(mail?.text ?? '')?.[0] ?? '';
      expect(link).not.toBe('');
      expect((await admin.getByTestId('invite-link').textContent())?.trim()).toBe(`${app.baseUrl}${link}`);

      const candidate = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await candidate.goto(link);
      await candidate.getByRole('heading', { name: 'Set your password' }).waitFor();
      expect(await checkA11y(candidate)).toEqual([]);
      await candidate.getByLabel('New password').fill('the sea is calm tonight');
      await candidate.getByLabel('Type it again').fill('the sea is calm tonight');
      await Promise.all([candidate.waitForURL('**/login?passwordSet=1'), candidate.getByRole('button', { name: 'Set password' }).click()]);
      await candidate.getByTestId('password-set').getByText('Your password is set. Log in with it now.').waitFor();
      expect(await candidate.getByLabel('E-mail address').inputValue()).toBe(email);
      expect(await checkA11y(candidate)).toEqual([]);
      await candidate.getByLabel('Password').fill('the sea is calm tonight');
      await Promise.all([candidate.waitForURL((url) => !url.pathname.startsWith('/login')), candidate.getByRole('button', { name: 'Log in' }).click()]);
      const me = await candidate.evaluate(async () => (await fetch('/api/v1/me')).json());
      expect(me.user.email).toBe(email);
      expect(me.cohorts.map((c: { name: string }) => c.name)).toEqual(['Harbourside trainers — spring cohort']);
      const programme = candidate.getByRole('link', { name: 'My programme' }).first();
      await programme.click();
      await candidate.getByRole('heading', { level: 1 }).waitFor();
      expect(new URL(candidate.url()).pathname).toMatch(/^\/cohorts\/[\w-]+\/candidates\//);
      expect(await checkA11y(candidate)).toEqual([]);
      expect(await horizontalOverflow(candidate)).toBeLessThanOrEqual(0);

      // The admin removes her; her open page is refused on her next click.
      await admin.reload();
      await admin.getByTestId('invitation').filter({ hasText: 'Maya Osei' }).getByText('Accepted').waitFor();
      await admin.getByRole('button', { name: 'Remove Maya Osei from this cohort' }).click();
      await admin.getByTestId('member-removed').waitFor();
      await admin.getByTestId('candidates').getByText('Maya Osei').waitFor({ state: 'detached' });
      expect(await checkA11y(admin)).toEqual([]);
      const [refused] = await Promise.all([candidate.waitForResponse((r) => r.request().isNavigationRequest()), candidate.getByRole('link', { name: 'My programme' }).first().click()]);
      expect([403, 404]).toContain(refused.status());
      expect(await checkA11y(candidate)).toEqual([]);

      // The link worked once.
      const again = await newPage(browser, app.baseUrl);
      const res = await again.goto(link);
      expect(res?.status()).toBe(410);
    }));
});
