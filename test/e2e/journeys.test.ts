/** The three journeys of issue 7 in one app, in order: a candidate on the keyboard alone (timeline, real video playback
 * to a complete stage, knowledge check, a sign-off request with evidence, live feedback); a mentor (signs that request
 * off, scores a rubric and runs a live room on a tablet, with a note sent while the candidate was offline); a lead
 * (heatmaps, a candidate, the CSV and the PDF). axe checks every page visited: 0 serious or critical. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { users } from '../../server/db/tables';
import { checkA11y, horizontalOverflow, DEMO_PASSWORD, describeBrowser, launchBrowser, login, newPage, screenshotOnFailure, startE2E, VIEWPORTS, type E2EApp } from './support';
import { keyboardLogin, tabAndPress, tabAndType, tabTo } from './support/journeys';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** axe on the page as it is now: no serious or critical violations (the path is in the failure message). */
async function accessible(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1 }).waitFor();
  const path = new URL(page.url()).pathname;
  expect({ path, violations: await checkA11y(page) }).toEqual({ path, violations: [] });
}

describeBrowser('the candidate, mentor and lead journeys', () => {
  let app: E2EApp;
  let browser: Browser;
  let candidateId: string;
  beforeAll(async () => {
    app = await startE2E();
    browser = await launchBrowser();
    const [row] = await app.database.db.select({ id: users.id }).from(users).where(eq(users.email, 'candidate1@cadre.test'));
    candidateId = row.id;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('candidate (keyboard only): timeline, pre-load videos played to complete, sign-off request, live feedback', () =>
    screenshotOnFailure(browser, 'journey-candidate', async () => {
      const page = await newPage(browser, app.baseUrl);
      await keyboardLogin(page, 'candidate1@cadre.test', DEMO_PASSWORD);
      await page.getByTestId('timeline').waitFor();
      await accessible(page);
      const intro = page.locator('[data-stage-key="zoom-intro"]');
      expect(await intro.getByTestId('stage-status').textContent()).toBe('Locked');
      expect(await intro.getByTestId('lock-reason').textContent()).toMatch(/Why it is locked:\s*Complete 'Pre-load videos' first\./);

      // Open the pre-load stage from the timeline and play each unwatched video to its end (no seeking).
      await Promise.all([page.waitForURL(/\/stages\/preload-video/), tabAndPress(page, page.locator('[data-stage-key="preload-video"]').getByRole('link', { name: /Go to Pre-load videos/ }))]);
      await accessible(page);
      // 1.75× keeps under the server's cap (2× wall time); a video short of 90% after a busy moment is simply played again.
      for (let played = 0; played < 6; played += 1) {
        const unmet = await page.getByTestId('video-row').filter({ hasNot: page.locator('.status-complete') }).count();
        if (!unmet) break;
        const video = page.getByTestId('video-player');
        await video.evaluate(async (el) => {
          const v = el as HTMLVideoElement;
          v.muted = true;
          v.playbackRate = 1.75;
          v.defaultPlaybackRate = 1.75;
          await new Promise<void>((resolve) => (v.readyState >= 1 ? resolve() : v.addEventListener('loadedmetadata', () => resolve(), { once: true })));
        });
        await tabTo(page, video);
        await page.keyboard.press('Space');
        await page.waitForFunction(() => !(document.querySelector('video') as HTMLVideoElement).paused, undefined, { timeout: 5_000 });
        // Played to the end; then wait for the player's last heartbeat to be answered.
        await video.evaluate((el) => new Promise<void>((resolve) => {
          const settle = () => {
            const at = performance.now();
            const poll = () => {
              const answered = performance.getEntriesByType('resource').some((e) => e.name.includes('/heartbeats') && e.startTime >= at - 100 && (e as PerformanceResourceTiming).responseEnd > 0);
              if (answered || performance.now() - at > 5_000) resolve();
              else setTimeout(poll, 100);
            };
            poll();
          };
          if ((el as HTMLVideoElement).ended) resolve();
          else el.addEventListener('ended', settle, { once: true });
        }));
        await page.reload();
        await page.getByTestId('video-list').waitFor();
      }
      expect(await page.getByTestId('video-row').filter({ hasNot: page.locator('.status-complete') }).count()).toBe(0);

      // The knowledge check: arrow keys choose an answer in each radio group.
      const quiz = page.getByTestId('quiz-form');
      for (const group of await quiz.locator('fieldset').all()) {
        await tabTo(page, group.getByRole('radio').first());
        await page.keyboard.press('ArrowDown');
        expect(await group.getByRole('radio').nth(1).isChecked()).toBe(true);
      }
      await Promise.all([page.waitForLoadState('load'), page.waitForURL(/preload-video/), tabAndPress(page, quiz.getByRole('button', { name: 'Submit answers' }))]);
      await page.getByTestId('quiz-result').getByText(/passed\./).waitFor();
      await accessible(page);
      expect(await page.getByTestId('stage-status').textContent()).toBe('Complete');

      // Back on the timeline, the stage is complete and the next one open.
      await Promise.all([page.waitForURL(/\/candidates\//), tabAndPress(page, page.getByRole('link', { name: 'Your programme' }))]);
      await page.getByTestId('timeline').waitFor();
      expect(await page.locator('[data-stage-key="preload-video"]').getByTestId('stage-status').textContent()).toBe('Complete');
      expect(await intro.getByTestId('stage-status').textContent()).not.toBe('Locked');
      await accessible(page);

      // A sign-off request with a reflection and an evidence file.
      await page.goto(`/cohorts/${app.cohortId}/candidates/${candidateId}/competencies`);
      await accessible(page);
      const card = page.getByTestId('competency-T4');
      await tabAndPress(page, card.locator('details.request-form > summary'));
      await tabAndType(page, card.getByLabel('Your reflection'), 'I linked the session to an incident the group had lived through, and they joined in.');
      await tabTo(page, card.getByLabel('Evidence files'));
      await page.locator(':focus').setInputFiles({ name: 'session-plan.pdf', mimeType: 'application/pdf', buffer: PDF });
      await Promise.all([page.waitForURL(/done=requested/), tabAndPress(page, card.getByRole('button', { name: 'Send for sign-off' }))]);
      await page.getByTestId('done').waitFor();
      expect(await page.getByTestId('competency-T4').getByTestId('status').textContent()).toBe('Pending — waiting for a mentor');
      await accessible(page);
      await page.context().close();

      // Feedback from a finished live session (candidate 3's seeded one), found from the cohort's live page.
      const reader = await newPage(browser, app.baseUrl);
      await keyboardLogin(reader, 'candidate3@cadre.test', DEMO_PASSWORD);
      await reader.goto(`/cohorts/${app.cohortId}/live`);
      await accessible(reader);
      await Promise.all([reader.waitForURL(/\/timeline$/), tabAndPress(reader, reader.getByTestId('live-room-row').first().getByRole('link', { name: /^Timeline/ }))]);
      expect(await reader.getByTestId('timeline-note').count()).toBe(10);
      await reader.getByTestId('timeline').getByText('Clear, warm welcome').waitFor();
      await accessible(reader);
      await reader.context().close();
    }), 150_000);

  it('mentor: signs off the request from the queue, scores a rubric and runs a live room on a tablet', () =>
    screenshotOnFailure(browser, 'journey-mentor', async () => {
      const mentor = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(mentor, 'mentor1@cadre.test');
      await mentor.goto(`/cohorts/${app.cohortId}/signoffs`);
      await accessible(mentor);
      const item = mentor.getByTestId('queue-item').filter({ hasText: 'Motivating learners' }).filter({ hasText: 'Sam Taylor' });
      await item.getByRole('link', { name: 'session-plan.pdf' }).waitFor();
      await item.getByLabel('Decision').selectOption('sign_off');
      await item.getByLabel('Rating (to sign off)').selectOption({ label: 'Competent' });
      await Promise.all([mentor.waitForURL(/done=sign_off/), item.getByRole('button', { name: 'Record decision' }).click()]);
      await mentor.getByTestId('done').waitFor();
      await accessible(mentor);

      // Rubric scoring at 768×1024.
      await mentor.goto(`/cohorts/${app.cohortId}/candidates/${candidateId}/assess/knowledge-module`);
      await accessible(mentor);
      // What it is about starts on the candidate's current stage as a whole, so the defaults save.
      for (const fieldset of await mentor.getByTestId('criterion').all()) await fieldset.getByText('Secure', { exact: true }).click();
      await Promise.all([mentor.waitForURL(/assessments\?done=1/), mentor.getByRole('button', { name: 'Save assessment' }).click()]);
      await mentor.getByTestId('done').waitFor();
      await mentor.getByTestId('assessment-group').first().waitFor();
      await accessible(mentor);
      expect(await horizontalOverflow(mentor)).toBeLessThanOrEqual(0);

      // The candidate sees the sign-off.
      const candidate = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(candidate, 'candidate1@cadre.test');
      await candidate.goto(`/cohorts/${app.cohortId}/candidates/${candidateId}/competencies`);
      expect(await candidate.getByTestId('competency-T4').getByTestId('status').textContent()).toBe('Signed');

      // A live room: notes appear in the candidate's browser as they are sent.
      await mentor.goto(`/cohorts/${app.cohortId}/live`);
      await accessible(mentor);
      const form = mentor.getByTestId('new-room-form');
      await form.getByLabel('Candidate', { exact: true }).selectOption({ label: 'Sam Taylor' });
      await form.getByLabel('Title', { exact: true }).fill('Practice delivery — non-escalation');
      await Promise.all([mentor.waitForURL(/\/live\/[0-9a-f-]{36}$/), form.getByRole('button', { name: 'Open live session' }).click()]);
      await mentor.getByTestId('connection-status').getByText('Connected', { exact: true }).waitFor();
      if ((await mentor.getByTestId('quiet-toggle').getAttribute('aria-pressed')) === 'true') {
        await mentor.getByTestId('quiet-toggle').click();
        await mentor.getByTestId('quiet-state').getByText(/^Off:/).waitFor();
      }
      await accessible(mentor);
      const roomPath = new URL(mentor.url()).pathname;
      await candidate.goto(roomPath);
      await candidate.getByTestId('connection-status').getByText('Connected', { exact: true }).waitFor();
      await candidate.getByTestId('quiet-note').getByText('Notes arrive as your mentors write them.').waitFor();
      await accessible(candidate);
      const candidateNotes = candidate.getByTestId('live-notes').getByTestId('live-note');

      await mentor.getByLabel('Note', { exact: true }).fill('Warm welcome: you named the purpose and how long it would take.');
      await mentor.getByTestId('post-note').click();
      await candidateNotes.getByText('Warm welcome').waitFor();

      // The candidate's page goes offline; a note sent meanwhile arrives once when it is back.
      await candidate.context().setOffline(true);
      await candidate.evaluate(() => window.dispatchEvent(new Event('offline')));
      app.cadre.io.in(`user:${candidateId}`).disconnectSockets(true);
      await candidate.getByTestId('connection-status').getByText(/^(Offline|Reconnecting…)/).waitFor();
      await mentor.getByLabel('Note', { exact: true }).fill('Give space before the demonstration: step back one pace.');
      await mentor.getByLabel('To work on', { exact: true }).check();
      await mentor.getByTestId('post-note').click();
      await mentor.getByTestId('live-notes').getByTestId('live-note').first().getByText(/Sent|Delivered/).waitFor();
      expect(await candidateNotes.count()).toBe(1);
      await candidate.context().setOffline(false);
      await candidate.evaluate(() => window.dispatchEvent(new Event('online')));
      await candidate.getByTestId('connection-status').getByText('Connected', { exact: true }).waitFor({ timeout: 20_000 });
      await candidateNotes.getByText('Give space before the demonstration').waitFor();
      await new Promise((r) => setTimeout(r, 500));
      expect(await candidateNotes.count()).toBe(2);
      expect(await candidateNotes.getByText('Give space before the demonstration').count()).toBe(1);
      await accessible(candidate);
      const overflow = await horizontalOverflow(mentor);
      expect(overflow).toBeLessThanOrEqual(0);
      await mentor.context().close();
      await candidate.context().close();
    }), 120_000);

  it('lead: readiness on a 768 px tablet with nothing clipped, a candidate, the CSV opened and the PDF rendered', () =>
    screenshotOnFailure(browser, 'journey-lead', async () => {
      const lead = await newPage(browser, app.baseUrl, VIEWPORTS.tablet);
      await login(lead, 'lead@cadre.test');
      await lead.goto('/lead');
      await lead.getByTestId('cohort-compare').waitFor();
      await accessible(lead);
      await lead.goto(`/cohorts/${app.cohortId}/readiness`);
      const matrix = lead.getByTestId('readiness-matrix');
      await matrix.waitFor();
      // A card per candidate at 768 px: each named once, each inside the viewport, nothing scrolling sideways.
      const names = (await matrix.getByTestId('candidate-name').allTextContents()).map((n) => n.trim());
      expect(names.length).toBeGreaterThanOrEqual(3);
      expect(new Set(names).size).toBe(names.length);
      expect(await lead.getByRole('link', { name: names[0], exact: true }).count()).toBe(1);
      const clipped = await lead.evaluate(() =>
        [...document.querySelectorAll('[data-testid="candidate-row"], [data-testid="candidate-row"] td, [data-testid="candidate-row"] th')].filter((el) => {
          const r = el.getBoundingClientRect();
          return r.left < 0 || r.right > document.documentElement.clientWidth || el.scrollWidth > el.clientWidth + 1;
        }).length,
      );
      expect(clipped).toBe(0);
      expect(await horizontalOverflow(lead)).toBeLessThanOrEqual(0);
      // Every candidate who is not ready says what would make them ready and when they could be.
      for (const outlook of await matrix.getByTestId('outlook').all()) expect(await outlook.innerText()).toMatch(/Ready to deliver|Projected ready by|No date can be projected/);
      await accessible(lead);

      await Promise.all([lead.waitForURL(/\/candidates\//), matrix.getByRole('link', { name: 'Sam Taylor' }).click()]);
      await lead.getByTestId('timeline').waitFor();
      await accessible(lead);
      await lead.goBack();

      const exports = lead.getByTestId('exports');
      const [csv] = await Promise.all([lead.waitForEvent('download'), exports.getByRole('link', { name: 'Readiness heatmap (CSV)' }).click()]);
      expect(csv.suggestedFilename()).toMatch(/\.csv$/);
      const csvText = (await streamText(await csv.createReadStream())).toString('utf8');
      // Opened as a spreadsheet would: the BOM, one header row, a row per candidate in people's words.
      expect(csvText.charCodeAt(0)).toBe(0xfeff);
      const lines = csvText.slice(1).trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^Candidate,E-mail,Ready to deliver,State,Stage 1: /);
      expect(lines).toHaveLength(names.length + 1);
      for (const name of names) expect(csvText).toContain(name);
      expect(csvText).toMatch(/,(At risk|In progress|Ready to deliver|Blocked),/);
      expect(csvText).not.toMatch(/\bat_risk\b|\bin_progress\b|T\d\d:\d\d:\d\d/);

      const [pdf] = await Promise.all([lead.waitForEvent('download'), exports.getByRole('link', { name: 'Cohort report for inspectors (PDF)' }).click()]);
      expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cadre-lead-')), 'report.pdf');
      await pdf.saveAs(file);
      // Rendered and read back: the cover names the provider, the client and the cohort; the summary page draws.
      const cover = execFileSync('pdftotext', ['-f', '1', '-l', '1', file, '-']).toString();
      expect(cover).toContain('Trainer readiness report');
      expect(cover).toContain('Harbourside Care');
      const all = execFileSync('pdftotext', [file, '-']).toString();
      for (const name of names) expect(all).toContain(name);
      expect(all).toContain('Every sign-off decision in this report is recorded in an append-only, tamper-evident record');
      execFileSync('pdftoppm', ['-f', '3', '-l', '3', '-r', '40', '-png', file, path.join(path.dirname(file), 'summary')]);
      expect(readdirSync(path.dirname(file)).some((f) => /^summary-\d+\.png$/.test(f))).toBe(true);
      await lead.context().close();
    }), 120_000);
});

/** Reads a download's stream to the end. */
async function streamText(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
