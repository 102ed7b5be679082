/** The kept view engine (server/http/views.ts): the first render of a page (templates still being read) and every later
 * one (synchronous) give the same page, and a template that throws hands its error to the render's callback on both
 * paths, so the request gets the error page instead of hanging on an unhandled rejection. */
import express from 'express';
import { setupViews } from '../../server/http/views';

function renderWith(app: express.Express, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => app.render(view, locals, (err, html) => (err ? reject(err) : resolve(html))));
}

it('renders the same page the first time and from then on', async () => {
  const app = express();
  setupViews(app, [], { cache: true });
  const locals = { title: 'Log in', email: 'sam@example.test' };
  const first = await renderWith(app, 'pages/login', locals);
  const again = await renderWith(app, 'pages/login', locals);
  expect(first).toContain('<title>');
  expect(first).toContain('sam@example.test');
  expect(again).toBe(first);
});

it("hands a template's error to the callback, the first time and from then on", async () => {
  const app = express();
  setupViews(app, [], { cache: true });
  // The `json` helper cannot write a BigInt: the template throws while rendering.
  const locals = { title: 'Readiness', charts: { total: 1, completions: BigInt(1) } };
  await expect(renderWith(app, 'readiness/cohort', locals)).rejects.toThrow(/BigInt/);
  await expect(renderWith(app, 'readiness/cohort', locals)).rejects.toThrow(/BigInt/);
});
