/** Journey: the knowledge check in a real browser. The admin edits a question (chooses the right answer by selecting
 * it, writes the explanation), moves it and fixes a refused save; the pre-load candidate answers with one answer on
 * each line and, after a wrong answer, reads why. Every page passes axe and fits 768 px; screenshots at 768×1024 and
 * 1366×900 go to test-results/knowledge-check-*.png. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { checkA11y, describeBrowser, horizontalOverflow, launchBrowser, login, newPage, resultsDir, screenshotOnFailure, startE2E, type E2EApp } from './support';

const TABLET = { width: 768, height: 1024 };
const DESKTOP = { width: 1366, height: 900 };

describeBrowser('knowledge check', () => {
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
      await page.waitForTimeout(150);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(resultsDir, `knowledge-check-${name}-${label}.png`), fullPage: true });
    }
    await page.setViewportSize(TABLET);
  }

  it('the admin edits a question; the candidate is taught by a wrong answer', () =>
    screenshotOnFailure(browser, 'knowledge-check', async () => {
      const admin = await newPage(browser, app.baseUrl, TABLET);
      await login(admin, 'admin@cadre.test');
      await admin.goto('/stages/preload-video/admin');
      await Promise.all([admin.waitForURL(/\/questions\?programme=/), admin.getByRole('link', { name: 'Edit the questions' }).click()]);
      const list = admin.getByTestId('question-list');
      expect(await list.getByTestId('question').count()).toBe(3);
      await checkAndShoot(admin, 'editor-list');

      // Edit the third question: the stored right answer is selected; choose another, then empty the question.
      const third = list.getByTestId('question').nth(2);
      await Promise.all([admin.waitForURL(/\/questions\/[0-9a-f-]{36}$/), third.getByRole('link', { name: /Edit/ }).click()]);
      expect(await admin.getByLabel('Answer 2 is the right answer').isChecked()).toBe(true);
      await admin.getByLabel('Answer 4', { exact: true }).fill('A calm conversation about what happened, with the person and the team');
      await admin.getByLabel('Answer 4 is the right answer').check();
      await admin.getByLabel('Question', { exact: true }).fill('');
      await Promise.all([admin.waitForLoadState('load'), admin.getByRole('button', { name: 'Save question' }).click()]);
      const summary = admin.getByTestId('error-summary');
      await summary.getByRole('link', { name: 'Write the question.' }).waitFor();
      // What was typed stays, and the link lands on the field.
      expect(await admin.getByLabel('Answer 4 is the right answer').isChecked()).toBe(true);
      await summary.getByRole('link', { name: 'Write the question.' }).click();
      await checkAndShoot(admin, 'editor-form-error');
      await admin.getByLabel('Question', { exact: true }).fill('What should follow every restrictive intervention?');
      await admin.getByLabel('Explanation shown after a wrong answer').fill('Support for everyone involved and an honest debrief are how the team learns to need restraint less.');
      await Promise.all([admin.waitForURL(/saved=1/), admin.getByRole('button', { name: 'Save question' }).click()]);
      await admin.getByText('Support for everyone involved and an honest debrief').waitFor();

      // Move it up to second place.
      await Promise.all([admin.waitForURL(/saved=1/), list.getByTestId('question').nth(2).getByRole('button', { name: /Move up/ }).click()]);
      expect(await list.getByTestId('question').nth(1).locator('h2').textContent()).toBe('2. What should follow every restrictive intervention?');
      await admin.context().close();

      // The candidate in pre-load answers: one line per answer, label beside its radio.
      const candidate = await newPage(browser, app.baseUrl, TABLET);
      await login(candidate, 'candidate1@cadre.test');
      await candidate.goto(`/cohorts/${app.cohortId}/stages/preload-video#quiz`);
      const quiz = candidate.getByTestId('quiz-form');
      await quiz.waitFor();
      const rows = quiz.locator('.quiz-choice');
      const boxes = await rows.evaluateAll((els) => els.map((el) => { const r = el.getBoundingClientRect(); const radio = el.querySelector('input')!.getBoundingClientRect(); const label = el.querySelector('label')!.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, radioMid: radio.top + radio.height / 2, labelTop: label.top, labelBottom: label.bottom, labelLeft: label.left, radioRight: radio.right }; }));
      expect(boxes.length).toBeGreaterThanOrEqual(9);
      for (const [i, b] of boxes.entries()) {
        expect(b.labelLeft).toBeGreaterThan(b.radioRight); // beside, not below
        expect(b.radioMid).toBeGreaterThanOrEqual(b.labelTop - 2);
        expect(b.radioMid).toBeLessThanOrEqual(b.labelBottom + 2);
        if (i > 0) expect(b.top).toBeGreaterThanOrEqual(boxes[i - 1].bottom - 1); // each on its own line
      }
      await checkAndShoot(candidate, 'candidate-quiz');
      const groups = await quiz.locator('fieldset').all();
      await groups[0].getByLabel('Give space, lower your voice and offer choices').check();
      await groups[1].getByLabel('A calm conversation about what happened, with the person and the team').check();
      await groups[2].getByLabel('Whenever a person refuses care').check();
      await Promise.all([candidate.waitForLoadState('load'), quiz.getByRole('button', { name: 'Submit answers' }).click()]);
      const review = candidate.getByTestId('quiz-review');
      await review.waitFor();
      const wrong = review.getByTestId('quiz-review-item').filter({ hasText: 'When is physical restraint justified?' });
      await wrong.getByText('Your answer: Whenever a person refuses care').waitFor();
      expect(await wrong.getByTestId('quiz-explanation').textContent()).toContain('Refusing care is a person’s right, not a reason to hold them.');
      await checkAndShoot(candidate, 'candidate-review');
      await candidate.context().close();
    }));
});
