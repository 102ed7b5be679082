/** The sampled browser crawl (issue 12, "Done when"), part of every e2e run: for each demo role, one page per route
 * pattern the person can reach (links followed over HTTP, grouped by the route registry's GET paths, e.g.
 * `/cohorts/:cohortId/signoffs`), opened in chromium at 768×1024 and 1366×900. It fails on a page wider than the
 * viewport (naming the element that sticks out) and on an axe serious/critical violation (naming rule and element).
 * The fast HTTP crawl (test/crawl) covers every link for dead ends, ids and system words; the full browser crawl
 * (test/e2e/crawl.test.ts, CADRE_CRAWL=1) opens every page shape. */
import type { Browser } from 'playwright-core';
import { checkSamples, overflowCulprit, routePatterns, samplePages, type PageProblem } from './support/sample';
import { AXE_SOURCE, checkA11y, describeBrowser, launchBrowser, login, newPage, startE2E, type E2EApp } from './support';

const VIEWPORTS = [
  { width: 768, height: 1024 },
  { width: 1366, height: 900 },
];

/** One person per demo role; CADRE_SAMPLE_EVERYONE=1 adds the other demo people (their data differs: mentor2's
 * waiting list once made the mentor dashboard scroll sideways where mentor1's did not). */
const PEOPLE = [
  'candidate1@cadre.test',
  'mentor1@cadre.test',
  'lead@cadre.test',
  'admin@cadre.test',
  'trainer1@cadre.test',
  ...(process.env.CADRE_SAMPLE_EVERYONE === '1' ? ['candidate2@cadre.test', 'candidate3@cadre.test', 'mentor2@cadre.test', 'trainer2@cadre.test'] : []),
];

const describeProblem = (p: PageProblem) => `${p.kind} at ${p.viewport} on ${p.path} (${p.pattern}): ${p.detail}`;

describeBrowser('the sampled crawl: one page per route pattern, per role, at tablet and laptop width', () => {
  let app: E2EApp;
  let browser: Browser;
  const started = Date.now();
  beforeAll(async () => {
    app = await startE2E();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    const cpu = process.cpuUsage();
    console.info(`sampled crawl: ${((Date.now() - started) / 1000).toFixed(1)} s in all; the app and the test used ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU`);
  });

  it('catches what it looks for: a page too wide, a table that scrolls sideways, an unlabelled field', async () => {
    const page = await newPage(browser, app.baseUrl, VIEWPORTS[0]);
    await page.goto('/login');
    // Sizes set through the style object: the app's CSP ignores style attributes in markup.
    await page.evaluate(() => {
      const main = document.querySelector('main') ?? document.body;
      main.insertAdjacentHTML('beforeend', '<div class="too-wide">wide</div><div class="table-scroll"><table class="table"><tr><td>cell</td></tr></table></div><input type="text" class="nameless">');
      (main.querySelector('.too-wide') as HTMLElement).style.width = '900px';
      (main.querySelector('.table-scroll td') as HTMLElement).style.minWidth = '1200px';
    });
    const { wider, element, scrollers } = await overflowCulprit(page);
    expect({ wider: wider > 0, element, scrollers: scrollers.length }).toEqual({ wider: true, element: expect.stringMatching(/^div\.too-wide \(900px wide/), scrollers: 1 });
    expect(scrollers[0]).toMatch(/^div\.table-scroll .* scrolls sideways to show \d+px$/);
    expect((await checkA11y(page)).map((v) => v.id)).toContain('label');
    await page.context().close();
  });

  for (const email of PEOPLE) {
    it(`${email}: every kind of page fits the viewport and has no serious accessibility problem`, async () => {
      const t0 = Date.now();
      const page = await newPage(browser, app.baseUrl, VIEWPORTS[0]);
      await page.context().addInitScript(AXE_SOURCE);
      await login(page, email);
      const origin = new URL(page.url()).origin;
      const patterns = routePatterns(app.cadre.routes.routes);
      const { samples, broken } = await samplePages(page.context().request, origin, patterns, [new URL(page.url()).pathname, '/']);
      const t1 = Date.now();
      // Two tabs of the same session share the samples (the browser and the app each get a core's worth of work).
      const problems = await checkSamples([page, await page.context().newPage()], samples, VIEWPORTS);
      await page.context().close();
      console.info(`${email}: ${samples.length} patterns, found in ${((t1 - t0) / 1000).toFixed(1)} s, checked in ${((Date.now() - t1) / 1000).toFixed(1)} s\n  ${samples.map((s) => s.path).join('\n  ')}`);
      expect(broken).toEqual([]);
      expect(problems.map(describeProblem)).toEqual([]);
      expect(samples.length).toBeGreaterThan(5);
    }, 300_000);
  }
});
