/** The browser crawl (issue 12, "Done when"; the fast HTTP crawl in test/crawl runs in every `npm test`): logged in as each demo person, follow every same-origin link that can be reached
 * (GET only, a few pages per address shape) at 768×1024 and 1366×900, and fail on any 4xx/5xx, visible text that
 * looks like an id or a system word, a page wider than the viewport, or an axe serious/critical violation.
 *
 * Known exceptions are pages another colleague owns, each named with the issue point that fixes it: the goal is an
 * empty list. Remove an entry when its page is fixed (a stale entry is reported below). */
import type { Browser } from 'playwright-core';
import { crawl, type CrawlProblem, type KnownException } from './support/crawl';
import { describeBrowser, launchBrowser, login, newPage, startE2E, type E2EApp } from './support';

const VIEWPORTS = [
  { width: 768, height: 1024 },
  { width: 1366, height: 900 },
];

/** Pages known to fail a check, with who fixes them. */
// Empty: the three pages once listed here are fixed (signed-off evidence is named in words, "Attach as evidence" picks
// from lists, the programme editor's JSON sits closed under "Advanced"); the fast HTTP crawl (test/crawl) guards them.
const EXCEPTIONS: Record<string, KnownException[]> = { all: [] };

/** Every demo login, and pages each must be able to reach from the menu (a dead end is a failure too). */
const PEOPLE: { email: string; mustReach: RegExp[] }[] = [
  { email: 'candidate1@cadre.test', mustReach: [] },
  { email: 'candidate2@cadre.test', mustReach: [] },
  { email: 'candidate3@cadre.test', mustReach: [] },
  { email: 'mentor1@cadre.test', mustReach: [] },
  { email: 'mentor2@cadre.test', mustReach: [] },
  { email: 'lead@cadre.test', mustReach: [] },
  { email: 'admin@cadre.test', mustReach: [] },
];

function describeProblem(p: CrawlProblem): string {
  return `${p.kind}${p.viewport ? ` at ${p.viewport}` : ''} on ${p.path}: ${p.detail}`;
}

// About 10 minutes for the seven people on this machine: run it with CADRE_CRAWL=1 (not yet part of the default e2e run).
const describeCrawl = process.env.CADRE_CRAWL === '1' ? describeBrowser : describe.skip;

describeCrawl('the crawl: every page each demo person can reach', () => {
  let app: E2EApp;
  let browser: Browser;
  const excusedSeen = new Set<KnownException>();
  let crawled = 0;
  beforeAll(async () => {
    app = await startE2E();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  for (const person of PEOPLE) {
    it(`${person.email}: no error, id, system word, sideways scroll or serious accessibility problem`, async () => {
      const page = await newPage(browser, app.baseUrl, VIEWPORTS[0]);
      await login(page, person.email);
      const exceptions = [...EXCEPTIONS.all, ...(EXCEPTIONS[person.email] ?? [])];
      const result = await crawl(page, { start: [new URL(page.url()).pathname, '/'], viewports: VIEWPORTS, exceptions });
      await page.context().close();
      crawled += 1;
      for (const p of result.excused) {
        const owner = exceptions.find((e) => e.kinds.includes(p.kind) && e.pattern.test(p.path));
        if (owner) excusedSeen.add(owner);
      }
      if (result.excused.length) console.info(`${person.email}: known exceptions still open —\n  ${result.excused.map(describeProblem).join('\n  ')}`);
      expect(result.problems.map(describeProblem)).toEqual([]);
      const unreached = person.mustReach.filter((re) => !result.visited.some((v) => re.test(v))).map(String);
      expect({ unreached, visited: unreached.length ? result.visited : [] }).toEqual({ unreached: [], visited: [] });
      expect(result.visited.length).toBeGreaterThan(3);
    }, 600_000);
  }

  it('lists no exception that no longer happens', () => {
    if (crawled < PEOPLE.length) return; // only a full crawl can tell (e.g. not when one person is picked with -t)
    const stale = Object.values(EXCEPTIONS)
      .flat()
      .filter((e) => !excusedSeen.has(e))
      .map((e) => `${String(e.pattern)} (${e.kinds.join(', ')}) — ${e.owner}`);
    expect(stale).toEqual([]);
  });
});
