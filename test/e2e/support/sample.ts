/** The sampled browser crawl's parts: find, over HTTP, one page per registered route pattern a person can reach, then
 * check each page in the browser for sideways scroll (naming the element that sticks out) and axe violations. */
import type { APIRequestContext, Page } from 'playwright-core';
import type { RouteInfo } from '../../../server/http/router';
import { checkA11y } from './a11y';
import { followable, shapeOf } from './crawl';

/** A registered GET route as a matcher: its pattern (`/cohorts/:cohortId/signoffs`) and how specific it is. */
type Pattern = { path: string; re: RegExp; literals: number };

/** Matchers for the registry's GET routes, most specific first (a literal segment beats a parameter). */
export function routePatterns(routes: RouteInfo[]): Pattern[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...new Set(routes.filter((r) => r.method === 'get').map((r) => r.path))]
    .map((path) => ({
      path,
      re: new RegExp(`^${path.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : escape(seg))).join('/')}/?$`),
      literals: path.split('/').filter((seg) => seg && !seg.startsWith(':')).length,
    }))
    .sort((a, b) => b.literals - a.literals || b.path.length - a.path.length);
}

/** The registry pattern an address answers to (or its folded shape when no registered route matches). */
export function patternOf(url: URL, patterns: Pattern[]): string {
  return patterns.find((p) => p.re.test(url.pathname))?.path ?? shapeOf(url);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** An attribute's text as the browser reads it (handlebars writes `=` as `&#x3D;`). */
const decode = (s: string) =>
  s.replace(/&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-f]+));/gi, (m, named?: string, dec?: string, hex?: string) =>
    named ? ENTITIES[named] : dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : m,
  );
function linksOf(html: string, base: URL): URL[] {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"#][^"]*)"/gi)].flatMap((m) => {
    try {
      return [new URL(decode(m[1]), base)];
    } catch {
      return [];
    }
  });
}

const FILE = /\.[a-z0-9]{2,5}$/i;

/** One sampled page: the first address met for a pattern. */
export type Sample = { pattern: string; path: string };

/**
 * Follows links over HTTP (the browser's cookies, so as the logged-in person) from `start`, and returns the first HTML
 * page met for each route pattern, in the order found. Each pattern is fetched at most `perPattern` times, so links
 * that only a second instance offers are still found without opening every row of every list.
 */
export async function samplePages(request: APIRequestContext, origin: string, patterns: Pattern[], start: string[], perPattern = 2, maxFetches = 250): Promise<{ samples: Sample[]; broken: string[] }> {
  const queue = start.map((p) => ({ url: new URL(p, origin), from: '(start)' }));
  const seen = new Set<string>();
  const fetched = new Map<string, number>();
  const samples = new Map<string, Sample>();
  const broken: string[] = [];
  let fetches = 0;
  while (queue.length && fetches < maxFetches) {
    const { url, from } = queue.shift() as { url: URL; from: string };
    url.hash = '';
    const key = url.pathname + url.search;
    if (seen.has(key)) continue;
    seen.add(key);
    // A file (a CSV, PDF, badge, QR code or calendar) is not a page to lay out; the HTTP crawl checks that it answers.
    if (FILE.test(url.pathname)) continue;
    const pattern = patternOf(url, patterns);
    if ((fetched.get(pattern) ?? 0) >= perPattern) continue;
    fetched.set(pattern, (fetched.get(pattern) ?? 0) + 1);
    fetches += 1;
    const res = await request.get(url.href, { maxRedirects: 5 });
    if (res.status() >= 400) {
      broken.push(`${key} (linked from ${from}) answered ${res.status()}`);
      continue;
    }
    if (!(res.headers()['content-type'] ?? '').includes('text/html')) continue;
    const landed = new URL(res.url());
    if (landed.origin !== origin) continue;
    const landedPattern = patternOf(landed, patterns);
    const landedKey = landed.pathname + landed.search;
    if (!samples.has(landedPattern)) samples.set(landedPattern, { pattern: landedPattern, path: landedKey });
    seen.add(landedKey);
    for (const next of linksOf(await res.text(), landed)) if (followable(next, origin)) queue.push({ url: next, from: landedKey });
  }
  return { samples: [...samples.values()], broken };
}

/** What sticks out sideways on the page: how far the page itself scrolls and the element most to blame (the outermost
 * element that reaches past the viewport's right edge while its parent does not), and every box inside the page that
 * scrolls sideways on its own (a table in a `.table-scroll` wider than the screen: columns a tablet user must hunt
 * for). A box marked `data-scrolls="matrix"` (a grid of people × criteria, read across) may scroll. */
export async function overflowCulprit(page: Page): Promise<{ wider: number; element?: string; scrollers: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const wider = root.scrollWidth - root.clientWidth;
    const describe = (el: Element, width: number) => {
      const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + [...el.classList].map((c) => `.${c}`).join('');
      const label = el.getAttribute('aria-label') ?? el.querySelector('caption, [data-testid]')?.getAttribute('data-testid') ?? '';
      const text = (el as HTMLElement).innerText?.replace(/\s+/g, ' ').trim().slice(0, 40) ?? '';
      return `${name}${label ? ` [${label}]` : ''} (${Math.round(width)}px wide${text ? `, "${text}…"` : ''})`;
    };
    const scrollers = [...document.body.querySelectorAll('*')]
      .filter((el) => {
        if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth === 0) return false;
        if (el.closest('[data-scrolls="matrix"]') || el.matches('textarea, pre, code, input, select')) return false;
        const ox = getComputedStyle(el).overflowX;
        return ox === 'auto' || ox === 'scroll';
      })
      .map((el) => `${describe(el, el.clientWidth)} scrolls sideways to show ${el.scrollWidth}px`);
    if (wider <= 0) return { wider, scrollers };
    const edge = root.clientWidth + 1;
    let best: { el: Element; right: number } | undefined;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right <= edge || r.width === 0) continue;
      // Inside a box that scrolls or clips sideways: that box, not the page, holds it.
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') {
          clipped = true;
          break;
        }
      }
      if (clipped) continue;
      const parent = el.parentElement;
      if (parent && parent !== document.body && parent.getBoundingClientRect().right > edge) continue;
      if (!best || r.right > best.right) best = { el, right: r.right };
    }
    return { wider, element: best ? describe(best.el, best.el.getBoundingClientRect().width) : undefined, scrollers };
  });
}

/** One problem on one sampled page. */
export type PageProblem = { pattern: string; path: string; viewport: string; kind: 'status' | 'overflow' | 'axe'; detail: string };

/** Opens the sample on `page` at the first viewport, then resizes to each other one (the same document laid out
 * again: one load a sample), and reports sideways scroll and serious/critical axe violations at each. */
export async function checkPage(page: Page, sample: Sample, viewports: { width: number; height: number }[]): Promise<PageProblem[]> {
  const problems: PageProblem[] = [];
  for (const [i, vp] of viewports.entries()) {
    const viewport = `${vp.width}×${vp.height}`;
    await page.setViewportSize(vp);
    if (i === 0) {
      const res = await page.goto(sample.path, { waitUntil: 'load' });
      const status = res?.status() ?? 0;
      if (status >= 400) return [{ ...sample, viewport, kind: 'status', detail: `answered ${status}` }];
    }
    const { wider, element, scrollers } = await overflowCulprit(page);
    if (wider > 0) problems.push({ ...sample, viewport, kind: 'overflow', detail: `${wider}px wider than the viewport${element ? `; sticking out: ${element}` : ''}` });
    for (const detail of scrollers) problems.push({ ...sample, viewport, kind: 'overflow', detail });
    for (const v of await checkA11y(page)) problems.push({ ...sample, viewport, kind: 'axe', detail: `${v.id} (${v.help}): ${v.nodes.join(', ')}` });
  }
  return problems;
}

/** Checks every sample with `pages` working side by side (tabs of one logged-in context), in the samples' order. */
export async function checkSamples(pages: Page[], samples: Sample[], viewports: { width: number; height: number }[]): Promise<PageProblem[]> {
  const found: PageProblem[][] = [];
  let next = 0;
  await Promise.all(
    pages.map(async (page) => {
      while (next < samples.length) {
        const i = next++;
        found[i] = await checkPage(page, samples[i], viewports);
      }
    }),
  );
  return found.flat();
}
