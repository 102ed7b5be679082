/** Journey: Cadre inside an LMS. The admin registers the platform (tablet); the LMS course page embeds Cadre in an
 * iframe on another site, where the browser refuses Cadre's cookies, so the launch offers Cadre in a new window; the
 * lead connects the course with the picker, a candidate lands on their timeline, the lead adds a stage by deep
 * linking and opens the roster. Every page passes axe and fits 768 px. */
import type { Browser, Frame, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { ltiResourceLinks } from '../../server/db/tables';
import { startPlatform, R, type TestPlatform } from '../lti/platform';
import { checkA11y, describeBrowser, horizontalOverflow, launchBrowser, login, newPage, screenshotOnFailure, startE2E, VIEWPORTS, type E2EApp } from './support';

async function fits(page: Page | Frame): Promise<void> {
  expect(await checkA11y(page)).toEqual([]);
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
}

/** Opens the course page as `user`; waits for Cadre's launch page in the frame; opens Cadre in a new window. */
async function launchInCourse(browser: Browser, platform: TestPlatform, user: Parameters<TestPlatform['prepare']>[0]['user'], target: 'launch' | 'deep-link' = 'launch'): Promise<{ course: Page; cadre: Page; frame: Frame }> {
  const course = await newPage(browser, platform.url, VIEWPORTS.tablet);
  const hint = platform.prepare({ user, messageType: target === 'deep-link' ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest', resourceLinkId: 'course-link' });
  await course.goto(`/course?hint=${hint}&target=${target}`);
  const frame = course.frameLocator('iframe[title="Cadre"]');
  await frame.getByRole('heading', { name: 'Opening Cadre' }).waitFor();
  // The browser keeps no cookies for Cadre inside the other site's frame: the page says so and offers a window.
  await frame.getByText('Your browser does not let Cadre keep you signed in inside this page').waitFor();
  const inner = course.frames().find((f) => f.url().endsWith('/lti/launch') || f.url().endsWith('/lti/deep-link')) as Frame;
  await fits(inner);
  const [cadre] = await Promise.all([course.context().waitForEvent('page'), frame.getByRole('button', { name: 'Open Cadre in a new window' }).click()]);
  await cadre.waitForLoadState();
  await frame.getByText('Cadre opened in a new window').waitFor();
  return { course, cadre, frame: inner };
}

describeBrowser('Cadre inside an LMS (LTI 1.3)', () => {
  let app: E2EApp;
  let browser: Browser;
  let platform: TestPlatform;
  beforeAll(async () => {
    app = await startE2E();
    platform = await startPlatform(app.baseUrl, { host: 'localhost' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await app?.stop();
  });

  it('the admin registers the LMS on a tablet and sees the values to paste', () =>
    screenshotOnFailure(browser, 'lti-register', async () => {
      const page = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(page, 'admin@cadre.test');
      await page.goto('/admin/lti');
      await page.getByRole('heading', { level: 1, name: 'LMS connections' }).waitFor();
      await fits(page);
      const form = page.getByTestId('registration-form');
      await form.getByLabel('Client organisation').selectOption({ label: 'Harbourside Care' });
      await page.locator('#reg-name').fill('Harbourside Moodle');
      await page.locator('#reg-issuer').fill(platform.issuer);
      await page.locator('#reg-clientId').fill(platform.clientId);
      await page.locator('#reg-deploymentIds').fill(platform.deploymentId);
      await page.locator('#reg-authLoginUrl').fill(platform.authUrl);
      await page.locator('#reg-accessTokenUrl').fill(platform.tokenUrl);
      await page.locator('#reg-jwksUrl').fill(platform.jwksUrl);
      await form.getByRole('button', { name: 'Register the platform' }).click();
      await page.getByText('Registered. Now paste the values below into the LMS.').waitFor();
      await page.getByTestId('tool-values').getByText(`${app.baseUrl}/lti/login`).waitFor();
      await fits(page);
      await page.context().close();
    }));

  it('the lead launches from the course, opens Cadre in a new window and connects the course to the cohort', () =>
    screenshotOnFailure(browser, 'lti-bind', async () => {
      const { course, cadre } = await launchInCourse(browser, platform, { sub: 'lms-jo', name: 'Jo Bennett', email: 'lead@cadre.test', roles: [R.instructor] });
      await cadre.getByRole('heading', { level: 1, name: 'Connect this course to Cadre' }).waitFor();
      await fits(cadre);
      await cadre.getByRole('group', { name: 'Harbourside trainers — spring cohort' }).getByLabel('The whole programme').check();
      await cadre.getByRole('button', { name: 'Connect this course' }).click();
      await cadre.getByRole('heading', { level: 1, name: 'Harbourside trainers — spring cohort' }).waitFor();
      await fits(cadre);
      await course.context().close();
    }));

  it('a candidate launches and lands on their own timeline', () =>
    screenshotOnFailure(browser, 'lti-candidate', async () => {
      const { course, cadre } = await launchInCourse(browser, platform, { sub: 'lms-sam', name: 'Sam Taylor', email: 'candidate1@cadre.test', roles: [R.learner] });
      await cadre.waitForURL(/\/cohorts\/[^/]+\/candidates\/[^/]+$/);
      await cadre.getByText('Sam Taylor').first().waitFor();
      await fits(cadre);
      await course.context().close();
    }));

  it('the lead adds a stage by deep linking, and opens the course roster', () =>
    screenshotOnFailure(browser, 'lti-deep-link', async () => {
      const { course, cadre } = await launchInCourse(browser, platform, { sub: 'lms-jo', name: 'Jo Bennett', email: 'lead@cadre.test', roles: [R.instructor] }, 'deep-link');
      await cadre.getByRole('heading', { level: 1, name: 'Choose what to add to your course' }).waitFor();
      await fits(cadre);
      await cadre.getByRole('group', { name: 'Harbourside trainers — spring cohort' }).getByLabel(/^Stage 1:/).check();
      await cadre.getByRole('button', { name: 'Add to the course' }).click();
      // The page hands the signed response back to the LMS at once; the LMS verifies it with Cadre's key set.
      await cadre.getByRole('heading', { name: 'Item added' }).waitFor();
      expect(platform.deepLinkReturns).toHaveLength(1);
      const [link] = await app.database.db.select().from(ltiResourceLinks).where(eq(ltiResourceLinks.resourceLinkId, 'course-link'));
      await cadre.goto(`${app.baseUrl}/lti/links/${link.id}/roster`);
      await cadre.getByRole('heading', { level: 1, name: 'Course roster' }).waitFor();
      await fits(cadre);
      platform.roster = [{ user_id: 'lms-new', name: 'Nia Newcomer', email: 'nia@harbourside.test', roles: [R.learner] }];
      await cadre.getByRole('button', { name: 'Sync the roster from the LMS' }).click();
      await cadre.getByTestId('roster-summary').getByText('Nia Newcomer').waitFor();
      await fits(cadre);
      await course.context().close();
    }));

  it('a refusal is a page that says what was wrong', () =>
    screenshotOnFailure(browser, 'lti-refused', async () => {
      const page = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await page.goto(`/lti/login?iss=${encodeURIComponent('https://unknown.example')}&login_hint=x&target_link_uri=${encodeURIComponent(`${app.baseUrl}/lti/launch`)}`);
      await page.getByRole('heading', { level: 1, name: 'Cadre could not open this launch' }).waitFor();
      await page.getByText('No platform with the issuer “https://unknown.example”').waitFor();
      await fits(page);
      await page.context().close();
    }));
});
