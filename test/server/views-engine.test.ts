/** The kept view engine (server/http/views.ts): the first render of a page (templates still being read) and every later
 * one (synchronous) give the same page, and a template that throws hands its error to the render's callback on both
 * paths, so the request gets the error page instead of hanging on an unhandled rejection. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import Handlebars from 'handlebars';
import { LAYOUT_READS, setupViews } from '../../server/http/views';

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

/** The top-level names a template reads (`{{#each}}` blocks read their items' fields: `items` lists those). */
function readsOf(source: string, partials: Record<string, string>, items: Set<string>): Set<string> {
  const reads = new Set<string>();
  type Node = { type: string; [k: string]: unknown };
  const helpers = new Set(['if', 'unless', 'each', 'eq', 'else']);
  const visit = (node: unknown, into: Set<string>): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => visit(n, into));
    const n = node as Node;
    if (n.type === 'PathExpression') {
      const head = (n.parts as string[])[0] ?? String(n.original);
      if (!helpers.has(head)) into.add(head);
      return;
    }
    if (n.type === 'PartialStatement') return visit(Handlebars.parse(partials[String((n.name as { original: string }).original)]), into);
    if (n.type === 'BlockStatement' && (n.path as { original: string }).original === 'each') {
      visit(n.params, into);
      const inner = new Set<string>();
      visit(n.program, inner);
      for (const name of inner) items.add(name);
      return;
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc' && key !== 'strip') visit(value, into);
  };
  visit(Handlebars.parse(source), reads);
  return reads;
}

it('the layout reads only what a kept body’s kept layout is keyed by (LAYOUT_READS, server/http/views.ts)', () => {
  const views = path.resolve(__dirname, '../../views');
  const read = (file: string) => readFileSync(path.join(views, file), 'utf8');
  const items = new Set<string>();
  const reads = readsOf(read('layouts/main.hbs'), { 'nav-links': read('partials/nav-links.hbs') }, items);
  reads.delete('body');
  expect([...reads].sort()).toEqual([...LAYOUT_READS].sort());
  // The menu's entries are keyed by these fields.
  expect([...items].sort()).toEqual(['badge', 'current', 'href', 'label']);
});
