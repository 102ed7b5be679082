/** Journey: certificates in a real browser on the demo. A graduate finds their certificate under My certificates; anyone
 * checks it at /verify (typed code, then the page; an unknown code gets the kind 404); the lead sees the cohort's
 * certificates; the admin revokes one on the confirmation form (a short reason is refused, linked to the field) and the
 * public page then says revoked. Every page passes axe and fits 768×1024; screenshots at 768×1024 and 1366×900 go to
 * test-results/credentials-*.png. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { certificates } from '../../server/db/tables';
import { checkA11y, describeBrowser, horizontalOverflow, launchBrowser, login, newPage, resultsDir, screenshotOnFailure, startE2E, type E2EApp } from './support';

const TABLET = { width: 768, height: 1024 };
const DESKTOP = { width: 1366, height: 900 };

describeBrowser('certificates', () => {
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
      await page.screenshot({ path: path.join(resultsDir, `credentials-${name}-${label}.png`), fullPage: true });
    }
    await page.setViewportSize(TABLET);
  }

  it('a graduate finds their certificate; anyone verifies it; the lead lists them; the admin revokes one and it shows revoked', () =>
    screenshotOnFailure(browser, 'credentials', async () => {
      const trainer = await newPage(browser, app.baseUrl, TABLET);
      await login(trainer, 'trainer1@cadre.test');
      await trainer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My certificates' }).click();
      await trainer.getByTestId('my-certificate').first().waitFor();
      await checkAndShoot(trainer, 'mine');
      await trainer.getByTestId('my-certificate').first().getByRole('link').first().click();
      const code = (await trainer.getByTestId('certificate-code').innerText()).trim();
      expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
      await checkAndShoot(trainer, 'certificate');
      const certificateUrl = trainer.url();
      await trainer.context().close();

      const visitor = await newPage(browser, app.baseUrl, TABLET);
      await visitor.goto('/verify');
      await checkAndShoot(visitor, 'verify-form');
      await visitor.getByLabel('Certificate code').fill(code.toLowerCase());
      await visitor.getByRole('button', { name: 'Check' }).click();
      await visitor.getByTestId('verify-status').waitFor();
      expect(await visitor.getByTestId('verify-holder').innerText()).toBe('Maya Patel');
      await checkAndShoot(visitor, 'verify');
      const missing = await visitor.goto('/verify/2222-3333-4444');
      expect(missing?.status()).toBe(404);
      await checkAndShoot(visitor, 'verify-unknown');

      const lead = await newPage(browser, app.baseUrl, TABLET);
      await login(lead, 'lead@cadre.test');
      await lead.goto(new URL(certificateUrl).pathname); // the holder's organisation's lead sees it too
      await lead.getByTestId('certificate-status').waitFor();
      await lead.context().close();

      const admin = await newPage(browser, app.baseUrl, TABLET);
      await login(admin, 'admin@cadre.test');
      await admin.goto(certificateUrl);
      await admin.getByTestId('revoke-link').click();
      await admin.getByLabel('Reason for revoking').fill('short');
      await admin.getByTestId('confirm-revoke').click();
      await admin.getByTestId('error-summary').waitFor();
      await checkAndShoot(admin, 'revoke-refused');
      await admin.getByLabel('Reason for revoking').fill('Moved to another organisation before delivering.');
      await admin.getByTestId('confirm-revoke').click();
      await admin.getByTestId('done').waitFor();
      expect(await admin.getByTestId('certificate-status').innerText()).toBe('Revoked');
      await checkAndShoot(admin, 'revoked');
      await admin.context().close();

      await visitor.goto(`/verify/${code}`);
      expect(await visitor.getByTestId('verify-status').innerText()).toMatch(/^Revoked\./);
      await checkAndShoot(visitor, 'verify-revoked');
      await visitor.context().close();
    }));

  it('the lead sees the cohort’s certificates', () =>
    screenshotOnFailure(browser, 'credentials-lead', async () => {
      const [{ cohortId }] = await app.database.db.select({ cohortId: certificates.cohortId }).from(certificates).limit(1);
      const lead = await newPage(browser, app.baseUrl, TABLET);
      await login(lead, 'lead@cadre.test');
      await lead.goto(`/cohorts/${cohortId}/certificates`);
      await lead.getByTestId('cohort-certificates').waitFor();
      await checkAndShoot(lead, 'cohort');
      await lead.context().close();
    }));
});
