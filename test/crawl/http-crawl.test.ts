/** The fast crawl (issue 12.4), part of every `npm test`: logged in as each demo person, follow every link the pages
 * offer over HTTP (GET, a few pages per address shape) and fail on what a person should never meet — a 4xx/5xx or a
 * dead link, visible text that looks like an id, JSON or a system word (snake_case, module:key), and a "0 of 0"
 * measure of something that does not apply, or a token in a form's action or a link (issue 10.14). The browser crawl (test/e2e/crawl.test.ts, CADRE_CRAWL=1) adds layout
 * and axe at both viewports. */
import type TestAgent from 'supertest/lib/agent';
import { seedDemo } from '../../seed/demo';
import { followable, shapeOf, SYSTEM_WORD, UUID_LIKE } from '../e2e/support/crawl';
import { startTestApp, type TestApp } from '../support/app';

const PEOPLE = ['candidate1@cadre.test', 'candidate2@cadre.test', 'candidate3@cadre.test', 'mentor1@cadre.test', 'mentor2@cadre.test', 'lead@cadre.test', 'admin@cadre.test'];
const ORIGIN = 'http://cadre.test';
const PER_SHAPE = 2;
const MAX_PAGES = 120;
const ZERO_OF_ZERO = /\b0 of 0\b/;
const JSON_LIKE = /\{\s*"[A-Za-z_]+"\s*:|\[\s*\{\s*"/;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', nbsp: ' ' };
const decode = (s: string) =>
  s.replace(/&(?:(amp|lt|gt|quot|nbsp)|#(\d+)|#x([0-9a-f]+));/gi, (m, named?: string, dec?: string, hex?: string) =>
    named ? ENTITIES[named] : dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : m,
  );

/** What a person reads on the page: the body's text (scripts, styles and hidden templates left out), the values of
 * visible text boxes, and the options of drop-downs. */
export function visibleText(html: string): string {
  const body = (/<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html)
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|template)\b[\s\S]*?<\/\1>/gi, ' ')
    // An expert's raw view (the programme editor's JSON) sits closed in <details class="advanced">, opened on purpose.
    .replace(/<details class="advanced"[\s\S]*?<\/details>/gi, ' ');
  const values = [...body.matchAll(/<input\b(?![^>]*type="(?:hidden|checkbox|radio|submit|file)")[^>]*\bvalue="([^"]*)"/gi)].map((m) => m[1]);
  const text = body.replace(/<[^>]+>/g, ' ');
  return decode([text, ...values].join('\n')).replace(/[ \t]+/g, ' ');
}

/** Every link on the page (a[href]), as URLs against the page's address. */
function linksOf(html: string, base: URL): URL[] {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"#][^"]*)"/gi)].flatMap((m) => {
    try {
      return [new URL(decode(m[1]), base)];
    } catch {
      return [];
    }
  });
}

function firstMatches(text: string, re: RegExp): string[] {
  const out = new Map<string, string>();
  for (const m of text.matchAll(new RegExp(re.source, `${re.flags.replace('g', '')}g`))) {
    if (out.size >= 3) break;
    const at = m.index ?? 0;
    if (!out.has(m[0])) out.set(m[0], `"${m[0]}" in …${text.slice(Math.max(0, at - 50), at + m[0].length + 50).replace(/\s+/g, ' ').trim()}…`);
  }
  return [...out.values()];
}

async function crawlAs(agent: TestAgent, start: string[]): Promise<{ visited: string[]; problems: string[] }> {
  const queue = start.map((p) => ({ url: new URL(p, ORIGIN), from: '(start)' }));
  const seen = new Set<string>();
  const shapes = new Map<string, number>();
  const visited: string[] = [];
  const problems: string[] = [];
  while (queue.length && visited.length < MAX_PAGES) {
    const { url, from } = queue.shift() as { url: URL; from: string };
    const key = url.pathname + url.search;
    if (seen.has(key)) continue;
    seen.add(key);
    const shape = shapeOf(url);
    if ((shapes.get(shape) ?? 0) >= PER_SHAPE) continue;
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    const res = await agent.get(key).redirects(5);
    visited.push(key);
    if (res.status >= 400) {
      problems.push(`${key} (linked from ${from}) answered ${res.status}`);
      continue;
    }
    if (!String(res.headers['content-type'] ?? '').includes('text/html')) continue;
    const text = visibleText(res.text);
    for (const d of firstMatches(text, UUID_LIKE)) problems.push(`${key}: an id on screen — ${d}`);
    for (const d of firstMatches(text, SYSTEM_WORD)) problems.push(`${key}: a system word on screen — ${d}`);
    for (const d of firstMatches(text, ZERO_OF_ZERO)) problems.push(`${key}: a measure of nothing — ${d}`);
    for (const d of firstMatches(text, JSON_LIKE)) problems.push(`${key}: JSON on screen — ${d}`);
    // Secrets stay out of addresses (issue 10.14): no form's action and no link carries a CSRF or other token.
    for (const m of res.text.matchAll(/(?:action|href)="([^"]*)"/g)) {
      const address = m[1].replace(/&amp;/g, '&');
      if (/[?&](_csrf|csrf|token)=/i.test(address)) problems.push(`${key}: a token in an address — ${address}`);
    }
    for (const next of linksOf(res.text, new URL(key, ORIGIN))) if (followable(next, ORIGIN)) queue.push({ url: next, from: key });
  }
  return { visited, problems };
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { PUBLIC_URL: ORIGIN } });
  await seedDemo(t.database.db, t.config, t.cadre.modules);
}, 120_000);
afterAll(() => t?.stop());

describe('the fast crawl: every page each demo person can reach, over HTTP', () => {
  for (const email of PEOPLE) {
    it(`${email}: no error, dead link, id, JSON, system word, "0 of 0" or token in an address`, async () => {
      const agent = t.anonymous();
      const login = await agent.post('/api/v1/session').send({ email, password: 'cadre-demo' });
      expect(login.status).toBe(200);
      const { visited, problems } = await crawlAs(agent, ['/']);
      if (process.env.CRAWL_LIST) console.info(`${email}: ${visited.length} pages\n${visited.join("\n")}`);
      expect(problems).toEqual([]);
      expect(visited.length).toBeGreaterThan(8);
    });
  }
});
