/**
 * The ceiling page, in its own process: what any implementation of a page must at least do — read the session row
 * (cookie signature checked), run one query, and render the page's real template (the same views, helpers, layout
 * and data Cadre renders for it). Usage: `ceiling-server.ts <email> <path> [kept]` with Cadre's environment (DATA_DIR
 * or DATABASE_URL, SESSION_SECRET). It logs in as `email`, requests `path` from an in-process Cadre once to capture the
 * template and its data, then serves GET /ceiling. It renders the template in full on every request (the issue's
 * ceiling), or with `kept` as Cadre renders a page it keeps (`renderKept`: its parts rendered once, then joined), so
 * that one measures what Cadre's own request path costs beside the same rendering. Prints `READY <url> <cookie>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { openDatabase } from '../../server/db';
import { createLogger } from '../../server/logger';
import { SESSION_COOKIE } from '../../server/http/session';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const signature = require('cookie-signature') as { unsign(value: string, secret: string): string | false };

async function main() {
  const [email, pagePath, mode] = process.argv.slice(2);
  const config = loadConfig();
  const database = await openDatabase(config);
  const cadre = await createApp({ database, config, logger: createLogger('silent') });
  await new Promise<void>((resolve) => cadre.server.listen(0, '127.0.0.1', resolve));
  const inner = `http://127.0.0.1:${(cadre.server.address() as AddressInfo).port}`;

  // Capture what the real route renders: its template and everything it hands the template.
  let captured: { view: string; locals: Record<string, unknown> } | undefined;
  const render = cadre.app.response.render;
  cadre.app.response.render = function (this: express.Response, view: string, options?: object, callback?: (err: Error, html: string) => void) {
    captured = { view, locals: { ...this.locals, ...(options ?? {}) } };
    (render as (...a: unknown[]) => void).apply(this, [view, options, callback]);
  } as typeof render;
  const login = await fetch(`${inner}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'cadre-demo' }) });
  if (login.status !== 200) throw new Error(`login as ${email}: ${login.status}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const first = await fetch(`${inner}${pagePath}`, { headers: { cookie } });
  await first.text();
  if (!captured) throw new Error(`${pagePath} rendered no template (${first.status})`);
  const page = captured;
  if (mode !== 'kept') delete page.locals.keptBody;
  const cohortId = /\/cohorts\/([0-9a-f-]{36})/.exec(first.url)?.[1] ?? null;

  const app = express();
  app.get('/ceiling', async (req, res, next) => {
    try {
      const raw = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE.replace('.', '\\.')}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
      const value = raw ? decodeURIComponent(raw) : '';
      const sid = value.startsWith('s:') ? signature.unsign(value.slice(2), config.sessionSecret) : false;
      if (!sid) return res.status(401).end();
      const session = await database.query('select sess, expire from session where sid = $1 and expire >= now()', [sid], { name: 'ceiling_session' });
      if (!session.rows.length) return res.status(401).end();
      // The one query: the cohort's stages (any page of a cohort reads at least this much).
      await database.query('select id, title, position, starts_on, ends_on from cohort_stages where cohort_id = $1 order by position', [cohortId ?? '00000000-0000-0000-0000-000000000000'], { name: 'ceiling_stages' });
      cadre.app.render(page.view, page.locals, (err, html) => (err ? next(err) : res.type('html').send(html)));
    } catch (err) {
      next(err);
    }
  });
  const server = createServer(app);
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}/ceiling ${encodeURIComponent(cookie)}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void cadre.close().then(() => database.close()).then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
