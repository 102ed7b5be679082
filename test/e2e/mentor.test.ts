/** Journeys: a mentor's day on a tablet (768×1024) and a laptop (1366×900) — the queue's evidence before the decision,
 * the live room, scoring and attainment, and only the actions that will be accepted. Every page visited passes axe,
 * fits its viewport, and is saved as a screenshot (test-results/mentor/). */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { users } from '../../server/db/tables';
import { checkA11y, describeBrowser, horizontalOverflow, launchBrowser, login, newPage, resultsDir, screenshotOnFailure, startE2E, type E2EApp } from './support';

const SIZES = { tablet: { width: 768, height: 1024 }, laptop: { width: 1366, height: 900 } } as const;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const shots = path.join(resultsDir, 'mentor');

/** A page as a person meets it: accessible (axe 0 serious/critical), nothing sideways, and a screenshot kept. */
async function look(page: Page, name: string, size: keyof typeof SIZES) {
  expect(await checkA11y(page)).toEqual([]);
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}-${size}.png`), fullPage: true });
}

describeBrowser('a mentor’s journeys', () => {
  let app: E2EApp;
  let browser: Browser;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    app = await startE2E();
    browser = await launchBrowser();
    for (const email of ['candidate1@cadre.test', 'candidate3@cadre.test']) {
      const [row] = await app.database.db.select({ id: users.id }).from(users).where(eq(users.email, email));
      ids[email] = row.id;
    }
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  describe.each(Object.keys(SIZES) as (keyof typeof SIZES)[])('at %s size', (size) => {
    it('11: Review on the dashboard opens that one request with its evidence in place; the counts agree', () =>
      screenshotOnFailure(browser, `mentor-queue-${size}`, async () => {
        const code = size === 'tablet' ? 'T4' : 'D6';
        const candidate = await newPage(browser, app.baseUrl, SIZES[size]);
        await login(candidate, 'candidate3@cadre.test');
        await candidate.goto(`/cohorts/${app.cohortId}/candidates/${ids['candidate3@cadre.test']}/competencies`);
        const card = candidate.getByTestId(`competency-${code}`);
        await card.getByText('Request sign-off').click();
        await card.getByLabel('Your reflection').fill('I kept the group calm by naming what I saw and offering a choice, and I noted what I would change.');
        await card.getByLabel('Evidence files').setInputFiles([
          { name: 'session-plan.pdf', mimeType: 'application/pdf', buffer: PDF },
          { name: 'flipchart.png', mimeType: 'image/png', buffer: PNG },
        ]);
        await Promise.all([candidate.waitForURL(/done=requested/), card.getByRole('button', { name: 'Send for sign-off' }).click()]);
        await candidate.context().close();

        const mentor = await newPage(browser, app.baseUrl, SIZES[size]);
        await login(mentor, 'mentor1@cadre.test');
        await mentor.goto('/mentor');
        await mentor.getByRole('heading', { level: 1, name: 'Mentor dashboard' }).waitFor();
        await look(mentor, 'dashboard', size);
        const headline = await mentor.getByText(/requests? (is|are) waiting, oldest first/).textContent();
        const dashboardCount = Number(/^(\d+)/.exec(headline ?? '')?.[1]);
        const row = mentor.getByTestId('waiting-row').filter({ hasText: 'Daniel Kim' }).filter({ hasText: code });
        await Promise.all([mentor.waitForURL(/\/signoffs\/[0-9a-f-]{36}$/), row.getByTestId('review-link').click()]);
        // Only this request, its evidence shown before the decision.
        expect(await mentor.getByTestId('queue-item').count()).toBe(1);
        await mentor.getByRole('heading', { level: 1, name: /Daniel Kim — / }).waitFor();
        const thumb = mentor.getByTestId('evidence-thumb');
        await thumb.waitFor();
        expect(await thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
        const open = mentor.getByTestId('evidence-open');
        expect(await open.textContent()).toBe('session-plan.pdf');
        expect(await open.getAttribute('download')).toBeNull();
        await look(mentor, 'signoff-request', size);
        // The whole queue counts what the dashboard counts.
        await mentor.getByTestId('whole-queue').click();
        await mentor.getByRole('heading', { level: 1, name: 'Sign-off queue' }).waitFor();
        expect(Number(/^(\d+)/.exec((await mentor.getByTestId('queue-count').textContent()) ?? '')?.[1])).toBe(dashboardCount);
        await look(mentor, 'signoff-queue', size);
        await mentor.context().close();
      }));

    it('10, 12, 13: the candidate’s page speaks about Sam and leads to Sam’s record; scoring shows a running score; the final sign-off shows only when allowed', () =>
      screenshotOnFailure(browser, `mentor-record-${size}`, async () => {
        const mentor = await newPage(browser, app.baseUrl, SIZES[size]);
        await login(mentor, 'mentor1@cadre.test');
        await mentor.goto(`/cohorts/${app.cohortId}/candidates/${ids['candidate1@cadre.test']}`);
        await mentor.getByRole('heading', { level: 1, name: 'Sam Taylor' }).waitFor();
        const main = (await mentor.locator('main').textContent()) ?? '';
        expect(main).toContain('Sam is at 64%');
        expect(main).not.toMatch(/\byou are at\b|\byour\b/i);
        await look(mentor, 'candidate-programme', size);
        await Promise.all([mentor.waitForURL(/\/competencies$/), mentor.getByRole('link', { name: 'Sam’s competencies and evidence' }).click()]);
        await mentor.getByRole('heading', { level: 1, name: /Sam Taylor/ }).waitFor();

        await mentor.goto(`/cohorts/${app.cohortId}/candidates/${ids['candidate3@cadre.test']}/assess/knowledge-module`);
        const score = mentor.getByTestId('running-score');
        await score.filter({ hasText: 'Tap a level' }).waitFor();
        const criteria = await mentor.getByTestId('criterion').all();
        await criteria[0].locator('.level-option label').first().click();
        await score.filter({ hasText: /^Running score: \d/ }).waitFor();
        for (const c of criteria.slice(1)) await c.locator('.level-option label').last().click();
        await score.filter({ hasText: `${criteria.length} of ${criteria.length} criteria scored` }).waitFor();
        await look(mentor, 'rubric-scoring', size);

        await mentor.goto(`/cohorts/${app.cohortId}/stages/remedial-workshop`);
        for (const card of await mentor.getByTestId('candidate-workshop').all()) {
          const form = await card.getByTestId('sign-readiness').count();
          const blocked = await card.getByTestId('signoff-blocked').count();
          expect(form + blocked).toBeLessThanOrEqual(1);
        }
        await look(mentor, 'remedial-workshop', size);
        await mentor.context().close();
      }));

    it('15: the dashboard’s Running now opens the live room and attainment; offline never says Connected; an ended room lays its notes out', () =>
      screenshotOnFailure(browser, `mentor-live-${size}`, async () => {
        const mentor = await newPage(browser, app.baseUrl, SIZES[size]);
        await login(mentor, 'mentor1@cadre.test');
        await mentor.goto(`/cohorts/${app.cohortId}/live`);
        await mentor.locator('#field-candidateId').selectOption({ label: 'Daniel Kim' });
        await mentor.getByLabel('Title').fill(`Breakaway demonstration (${size})`);
        const sessions = mentor.getByLabel('Co-delivery session (optional)');
        const options = await sessions.locator('option').all();
        if (options.length > 1) await sessions.selectOption({ index: 1 });
        await Promise.all([mentor.waitForURL(/\/live\/[0-9a-f-]{36}$/), mentor.getByTestId('open-room').click()]);

        await mentor.goto('/mentor');
        const item = mentor.getByTestId('running-item').filter({ hasText: `Breakaway demonstration (${size})` });
        await item.waitFor();
        await look(mentor, 'dashboard-running', size);
        const attainment = item.getByRole('link', { name: /^Record attainment/ });
        expect(await attainment.getAttribute('href')).toMatch(/\/stages\/co-delivery/);
        await Promise.all([mentor.waitForURL(/\/live\/[0-9a-f-]{36}$/), item.getByRole('link', { name: 'Open the live room with Daniel Kim' }).click()]);
        const status = mentor.getByTestId('connection-status');
        await status.filter({ hasText: /^Connected$/ }).waitFor();
        await mentor.getByRole('textbox', { name: 'Note' }).fill('Clear, calm demonstration of the release; the group copied it well.');
        await mentor.getByTestId('post-note').click();
        await mentor.getByTestId('live-note').first().waitFor();
        await mentor.context().setOffline(true);
        await status.filter({ hasText: /^Offline/ }).waitFor();
        expect(await status.getAttribute('data-state')).toBe('offline');
        await look(mentor, 'live-room-offline', size);
        await mentor.context().setOffline(false);
        await status.filter({ hasText: /^Connected$/ }).waitFor();

        const roomUrl = mentor.url();
        mentor.once('dialog', (d) => void d.accept());
        await Promise.all([mentor.waitForURL(/\/timeline$/), mentor.getByTestId('end-session').click()]);
        await mentor.goto(roomUrl);
        await mentor.getByTestId('connection-status').filter({ hasText: 'This session ended' }).waitFor();
        expect(await mentor.getByTestId('note-form').count()).toBe(0);
        // The notes take the page's width (columns on a laptop), not a narrow side column.
        const notes = mentor.getByTestId('live-notes');
        const width = await notes.evaluate((el) => el.getBoundingClientRect().width);
        const main = await mentor.locator('main').evaluate((el) => el.getBoundingClientRect().width);
        expect(width).toBeGreaterThan(main * 0.8);
        await look(mentor, 'live-room-ended', size);
        await mentor.context().close();
      }));
  });
});
