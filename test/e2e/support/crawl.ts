/** The crawl: as one logged-in person, follow every same-origin link reachable from the start pages (GET only,
 * bounded: a few pages per address shape) and report what a person should never meet — a 4xx/5xx, visible text that
 * looks like an id or a system word, a page wider than the viewport, an axe serious/critical violation. */
import type { Page } from 'playwright-core';
import { checkA11y } from './a11y';
import { horizontalOverflow } from './layout';

/** What a page can be caught doing. */
export type ProblemKind = 'status' | 'uuid' | 'system-word' | 'overflow' | 'axe';

/** One thing found on one page. */
export type CrawlProblem = { path: string; kind: ProblemKind; detail: string; viewport?: string };

/** A page (by address pattern) where a problem is known and owned by someone else; the comment names the owner. */
export type KnownException = { pattern: RegExp; kinds: ProblemKind[]; owner: string };

/** What the crawl saw. */
export type CrawlResult = { visited: string[]; problems: CrawlProblem[]; excused: CrawlProblem[] };

/** Crawl settings. */
export type CrawlOptions = {
  start: string[];
  /** Viewports every page is checked at (the first is the one the crawl browses at). */
  viewports: { width: number; height: number }[];
  /** At most this many pages per address shape (ids and numbers folded), and this many pages in all. */
  perShape?: number;
  maxPages?: number;
  exceptions?: KnownException[];
};

/** Text that looks like an id (a whole UUID, or one cut short with an ellipsis). */
export const UUID_LIKE = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b[0-9a-f]{8}(?:-[0-9a-f]{0,4})?…/i;
/** snake_case (in_progress, sign_off) and machine keys with a colon (co-delivery:live-note) or a trailing number (demo-t1). */
export const SYSTEM_WORD = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z][a-z-]*[a-z]:[a-z][a-z-]*[a-z]\b|\b[a-z]+(?:-[a-z]+)*-[a-z]*\d+\b/;
const UUID_IN_PATH = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The address shape a page is counted under: ids and numbers folded, query keys sorted (values dropped). */
export function shapeOf(url: URL): string {
  const path = url.pathname.replace(UUID_IN_PATH, ':id').replace(/\/\d+(?=\/|$)/g, '/:n');
  const keys = [...new Set(url.searchParams.keys())].sort();
  return keys.length ? `${path}?${keys.join('&')}` : path;
}

/** Addresses a crawl never follows: logging out, static files, sockets, and downloads that are files not pages. */
export function followable(url: URL, origin: string): boolean {
  if (url.origin !== origin) return false;
  return !/^\/(logout|static\/|socket\.io\/|uploads\/)/.test(url.pathname);
}

/** Visible text of the page, plus what visible text boxes and drop-downs show (a pre-filled id box is text a person
 * reads; a checkbox's value is not). */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    // Inline callbacks only: a named inner function would not survive some transpilers' helpers in the page.
    const fields = [...document.querySelectorAll('input:not([type]), input[type=text], input[type=search], input[type=url], input[type=email], input[type=number], input[type=tel], textarea')]
      .filter((el) => el.getBoundingClientRect().width > 0 && getComputedStyle(el).visibility !== 'hidden')
      .map((el) => (el as HTMLInputElement).value);
    const selects = [...document.querySelectorAll('select')]
      .filter((el) => el.getBoundingClientRect().width > 0 && getComputedStyle(el).visibility !== 'hidden')
      .flatMap((s) => [...s.options].map((o) => o.text));
    return [document.body.innerText, ...fields, ...selects].join('\n');
  });
}

/** Each distinct match with the text around it (at most five), for a readable failure. */
function matches(text: string, re: RegExp): string[] {
  const out = new Map<string, string>();
  for (const m of text.matchAll(new RegExp(re.source, `${re.flags}g`))) {
    if (out.size >= 5) break;
    const at = m.index ?? 0;
    if (!out.has(m[0])) out.set(m[0], `"${m[0]}" in …${text.slice(Math.max(0, at - 40), at + m[0].length + 40).replace(/\s+/g, ' ')}…`);
  }
  return [...out.values()];
}

/** Runs the crawl on a logged-in page. */
export async function crawl(page: Page, options: CrawlOptions): Promise<CrawlResult> {
  const origin = new URL(page.url()).origin;
  const perShape = options.perShape ?? 2;
  const maxPages = options.maxPages ?? 200;
  const queue = options.start.map((p) => new URL(p, origin));
  const seen = new Set<string>();
  const shapes = new Map<string, number>();
  const visited: string[] = [];
  const found: CrawlProblem[] = [];
  const [browse, ...others] = options.viewports;

  while (queue.length && visited.length < maxPages) {
    const url = queue.shift() as URL;
    url.hash = '';
    const key = url.pathname + url.search;
    if (seen.has(key)) continue;
    seen.add(key);
    const shape = shapeOf(url);
    if ((shapes.get(shape) ?? 0) >= perShape) continue;
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);

    // A file (CSV, PDF, calendar, video) is checked by its status only; a page is opened.
    const head = await page.context().request.get(url.href, { maxRedirects: 5 });
    if (head.status() >= 400) {
      found.push({ path: key, kind: 'status', detail: `GET answered ${head.status()}` });
      visited.push(key);
      continue;
    }
    if (!(head.headers()['content-type'] ?? '').includes('text/html')) {
      visited.push(key);
      continue;
    }
    await page.setViewportSize(browse);
    const res = await page.goto(url.href, { waitUntil: 'load' });
    visited.push(key);
    const status = res?.status() ?? 0;
    if (status >= 400) found.push({ path: key, kind: 'status', detail: `GET answered ${status}` });
    const landed = new URL(page.url());
    if (landed.origin !== origin) continue;
    const text = await visibleText(page);
    for (const detail of matches(text, UUID_LIKE)) found.push({ path: key, kind: 'uuid', detail });
    for (const detail of matches(text, SYSTEM_WORD)) found.push({ path: key, kind: 'system-word', detail });
    for (const vp of [browse, ...others]) {
      const label = `${vp.width}×${vp.height}`;
      if (vp !== browse) await page.setViewportSize(vp);
      const wider = await horizontalOverflow(page);
      if (wider > 0) found.push({ path: key, kind: 'overflow', detail: `${wider}px wider than the viewport`, viewport: label });
      for (const v of await checkA11y(page)) found.push({ path: key, kind: 'axe', detail: `${v.id}: ${v.help} (${v.nodes.join(', ')})`, viewport: label });
    }
    const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href));
    for (const href of links) {
      const next = new URL(href, page.url());
      if (followable(next, origin)) queue.push(next);
    }
  }
  const excusedBy = (p: CrawlProblem) => (options.exceptions ?? []).find((e) => e.kinds.includes(p.kind) && e.pattern.test(p.path));
  return { visited, problems: found.filter((p) => !excusedBy(p)), excused: found.filter((p) => excusedBy(p)) };
}
