/** Journey: a candidate asks for a sign-off with a file, a mentor signs it off from the queue, another mentor scores
 * a rubric on a tablet, and the assessments show side by side — every page accessible at tablet size. */
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { users } from '../../server/db/tables';
import { checkA11y, horizontalOverflow, describeBrowser, launchBrowser, login, newPage, screenshotOnFailure, startE2E, VIEWPORTS, type E2EApp } from './support';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

async function noOverflow(page: Page) {
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
}

describeBrowser('sign-off and rubric journey', () => {
  let app: E2EApp;
  let browser: Browser;
  let candidateId: string;
  beforeAll(async () => {
    app = await startE2E();
    browser = await launchBrowser();
    const [row] = await app.database.db.select({ id: users.id }).from(users).where(eq(users.email, 'candidate3@cadre.test'));
    candidateId = row.id;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('the candidate requests a sign-off with a file; a mentor signs it off from the queue', () =>
    screenshotOnFailure(browser, 'signoff-request', async () => {
      const candidate = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(candidate, 'candidate3@cadre.test');
      await candidate.goto(`/cohorts/${app.cohortId}/candidates/${candidateId}/competencies`);
      await candidate.getByRole('heading', { level: 1, name: 'Your competencies' }).waitFor();
      expect(await checkA11y(candidate)).toEqual([]);
      await noOverflow(candidate);
      const card = candidate.getByTestId('competency-T4');
      await card.getByText('Request sign-off').click();
      await card.getByLabel('Your reflection').fill('I motivated a reluctant group by linking the session to an incident they had all lived through.');
      await card.getByLabel('Evidence files').setInputFiles({ name: 'session-plan.pdf', mimeType: 'application/pdf', buffer: PDF });
      await Promise.all([candidate.waitForURL(/done=requested/), card.getByRole('button', { name: 'Send for sign-off' }).click()]);
      await candidate.getByTestId('done').waitFor();
      expect(await candidate.getByTestId('competency-T4').getByTestId('status').textContent()).toBe('Pending — waiting for a mentor');
      expect(await checkA11y(candidate)).toEqual([]);

      const mentor = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(mentor, 'mentor1@cadre.test');
      await mentor.goto(`/cohorts/${app.cohortId}/signoffs`);
      await mentor.getByRole('heading', { level: 1, name: 'Sign-off queue' }).waitFor();
      expect(await checkA11y(mentor)).toEqual([]);
      await noOverflow(mentor);
      const item = mentor.getByTestId('queue-item').filter({ hasText: 'Motivating learners' });
      await item.getByRole('link', { name: 'session-plan.pdf' }).waitFor();
      await item.getByLabel('Decision').selectOption('sign_off');
      await item.getByLabel('Rating (to sign off)').selectOption({ label: 'Competent' });
      await Promise.all([mentor.waitForURL(/done=sign_off/), item.getByRole('button', { name: 'Record decision' }).click()]);
      await mentor.getByTestId('done').waitFor();
      await candidate.reload();
      expect(await candidate.getByTestId('competency-T4').getByTestId('status').textContent()).toBe('Signed');
      // The mentor's view of the map offers revoking, and stays accessible.
      await mentor.goto(`/cohorts/${app.cohortId}/candidates/${candidateId}/competencies`);
      await mentor.getByTestId('revoke-form-T4').waitFor({ state: 'attached' });
      expect(await checkA11y(mentor)).toEqual([]);
    }));

  it('a mentor scores the knowledge-module rubric on a tablet and sees assessments side by side', () =>
    screenshotOnFailure(browser, 'rubric-scoring', async () => {
      const mentor = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(mentor, 'mentor2@cadre.test');
      await mentor.goto(`/cohorts/${app.cohortId}/candidates/${candidateId}/assess/knowledge-module`);
      await mentor.getByRole('heading', { level: 1 }).waitFor();
      expect(await checkA11y(mentor)).toEqual([]);
      await noOverflow(mentor);
      await mentor.getByLabel('What this assessment is about').selectOption({ label: '3. Transfer week — the stage as a whole' });
      for (const fieldset of await mentor.getByTestId('criterion').all()) await fieldset.getByText('Secure', { exact: true }).click();
      await Promise.all([mentor.waitForURL(/assessments\?done=1/), mentor.getByRole('button', { name: 'Save assessment' }).click()]);
      await mentor.getByTestId('done').waitFor();
      expect(await mentor.getByTestId('assessment-group').count()).toBeGreaterThanOrEqual(2);
      await mentor.getByTestId('agreement').first().waitFor();
      expect(await checkA11y(mentor)).toEqual([]);
    }));

  it('the admin’s rubric and competency framework pages are accessible', () =>
    screenshotOnFailure(browser, 'rubric-admin', async () => {
      const admin = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(admin, 'admin@cadre.test');
      await admin.goto('/admin/rubrics');
      await admin.getByTestId('rubric-list').waitFor();
      expect(await checkA11y(admin)).toEqual([]);
      await admin.getByRole('link', { name: 'Co-delivering a practical session' }).click();
      await admin.getByTestId('rubric-name').waitFor();
      expect(await checkA11y(admin)).toEqual([]);
      await admin.goto('/admin/competencies');
      await admin.getByTestId('framework').first().waitFor();
      expect(await checkA11y(admin)).toEqual([]);
      await noOverflow(admin);
    }));
});
