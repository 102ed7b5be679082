/** Journey in a real browser (tablet size): a mentor posts in quiet mode, the candidate taps "I'm done", the
 * mentor sees "Seen"; notes written while offline wait in the outbox and arrive once. axe checks each page. */
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, TEST_PASSWORD, type World } from '../support/factories';
import { checkA11y, describeBrowser, launchBrowser, login, newPage, screenshotOnFailure, VIEWPORTS } from '../e2e/support';

describeBrowser('live feedback in the browser', () => {
  let t: TestApp;
  let url: string;
  let w: World;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApp();
    url = await t.listen();
    w = await buildWorld(t.database.db);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const noteItems = (page: Page) => page.getByTestId('live-notes').getByTestId('live-note');

  it('holds, releases, shows state, and sends what was written offline exactly once', () =>
    screenshotOnFailure(browser, 'live-feedback', async () => {
      // The candidate waits on their live notes page; a room opened for them is said there, with its link.
      const candidate = await newPage(browser, url, VIEWPORTS.tablet);
      await login(candidate, w.a.candidate.email, TEST_PASSWORD);
      await candidate.goto(`/cohorts/${w.a.cohort.id}/live`);
      await candidate.waitForFunction(() => typeof (window as unknown as { io?: unknown }).io === 'function');
      const mentor = await newPage(browser, url, VIEWPORTS.tablet);
      await login(mentor, w.a.mentor.email, TEST_PASSWORD);
      await mentor.goto(`/cohorts/${w.a.cohort.id}/live`);
      expect(await checkA11y(mentor)).toEqual([]);
      const form = mentor.getByTestId('new-room-form');
      await form.getByLabel('Candidate', { exact: true }).selectOption({ label: 'Candidate A' });
      await form.getByLabel('Title', { exact: true }).fill('Day 2 — breakaway demonstration');
      await Promise.all([mentor.waitForURL(/\/live\/[0-9a-f-]{36}$/), form.getByRole('button', { name: 'Open live session' }).click()]);
      await mentor.getByTestId('connection-status').getByText('Connected', { exact: true }).waitFor();
      expect(await checkA11y(mentor)).toEqual([]);

      await mentor.getByLabel('Note', { exact: true }).fill('Pause after each breakaway step and ask someone to say it back.');
      await mentor.getByLabel('To work on', { exact: true }).check();
      const pace = mentor.getByTestId('tag-pace');
      await pace.click();
      expect(await pace.getAttribute('aria-pressed')).toBe('true');
      await mentor.getByTestId('post-note').click();
      await noteItems(mentor).first().getByText('Held (quiet mode)').waitFor();
      await mentor.getByTestId('held-count').getByText('1 note held in quiet mode').waitFor();
      expect(await pace.getAttribute('aria-pressed')).toBe('false');

      const flash = candidate.getByTestId('notification-flash');
      await flash.getByText(`${w.a.mentor.name} opened a live feedback room for you`, { exact: true }).waitFor();
      expect(await checkA11y(candidate)).toEqual([]);
      await Promise.all([candidate.waitForURL(mentor.url()), flash.getByRole('link', { name: /^Open/ }).click()]);
      await candidate.getByTestId('connection-status').getByText('Connected', { exact: true }).waitFor();
      await candidate.getByText('1 note is waiting for when you finish.').waitFor();
      // The count follows the mentor's notes without a reload.
      await mentor.getByLabel('Note', { exact: true }).fill('Good check-in with the quiet learner at the back.');
      await mentor.getByTestId('post-note').click();
      await candidate.getByText('2 notes are waiting for when you finish.').waitFor();
      expect(await noteItems(candidate).count()).toBe(0);
      expect(await checkA11y(candidate)).toEqual([]);
      await candidate.getByRole('button', { name: "I'm done — show my notes" }).click();
      await noteItems(candidate).getByText('Pause after each breakaway step').waitFor();
      await candidate.getByText('No notes waiting.').waitFor();
      await noteItems(mentor).first().getByText('Seen').waitFor();

      // Offline: the note waits in the outbox with a clear status, then arrives once when back.
      await mentor.getByTestId('quiet-toggle').click();
      await mentor.getByTestId('quiet-state').getByText(/^Off:/).waitFor();
      expect(await mentor.getByTestId('quiet-toggle').getAttribute('aria-pressed')).toBe('false');
      await candidate.getByTestId('quiet-note').getByText('Notes arrive as your mentors write them.').waitFor();
      await mentor.context().setOffline(true);
      await mentor.evaluate(() => window.dispatchEvent(new Event('offline')));
      t.cadre.io.in(`user:${w.a.mentor.id}`).disconnectSockets(true);
      await mentor.getByTestId('connection-status').getByText(/^(Offline|Reconnecting…)/).waitFor();
      await mentor.getByLabel('Note', { exact: true }).fill('Lovely calm voice when the learner raised theirs.');
      await mentor.getByTestId('post-note').click();
      await mentor.getByTestId('connection-status').getByText(/1 note waiting to send$/).waitFor();
      expect(await mentor.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('cadre.live.outbox.')).map((k) => JSON.parse(localStorage.getItem(k) ?? '[]').length))).toEqual([1]);
      await mentor.context().setOffline(false);
      await mentor.evaluate(() => window.dispatchEvent(new Event('online')));
      await mentor.getByTestId('connection-status').getByText('Connected', { exact: true }).waitFor();
      await noteItems(candidate).getByText('Lovely calm voice').waitFor();
      await noteItems(mentor).first().getByText(/Sent|Delivered|Seen/).waitFor();
      await new Promise((r) => setTimeout(r, 500));
      expect(await noteItems(candidate).count()).toBe(3);
      expect(await noteItems(mentor).count()).toBe(3);

      const overflow = await mentor.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // A note the form could not have made (an edited device store, 18,000 characters) is set aside with its
      // reason instead of being resent for ever; the note queued after it still arrives.
      const roomId = mentor.url().split('/').pop() as string;
      await mentor.evaluate((id) => {
        const key = `cadre.live.outbox.${id}`;
        const note = (body: string) => ({ roomId: id, clientId: crypto.randomUUID(), body, kind: 'strength', criterionId: null, tags: [], atOffsetMs: 1000 });
        localStorage.setItem(key, JSON.stringify([note('too long '.repeat(2000)), note('Checked the exits with the group before starting.')]));
      }, roomId);
      await mentor.reload();
      await mentor.getByText(/^Not sent: this note is too large to send/).waitFor();
      await noteItems(candidate).getByText('Checked the exits with the group').waitFor();
      expect(await mentor.evaluate((id) => localStorage.getItem(`cadre.live.outbox.${id}`), roomId)).toBe('[]');

      // The mentor ends the session: the candidate's open page says so and offers the timeline.
      mentor.once('dialog', (d) => void d.accept());
      await Promise.all([mentor.waitForURL(/\/timeline$/), mentor.getByRole('button', { name: /End (the )?session/ }).click()]);
      const ended = candidate.getByTestId('room-ended');
      await ended.getByText('This live session has ended.').waitFor();
      expect(await candidate.getByTestId('im-done').count()).toBe(0);
      expect(await checkA11y(candidate)).toEqual([]);
      await Promise.all([candidate.waitForURL(/\/timeline$/), ended.getByRole('link', { name: 'Open your feedback timeline' }).click()]);
      expect(await candidate.getByTestId('timeline-note').count()).toBe(4);
      expect(await checkA11y(candidate)).toEqual([]);
    }));
});
