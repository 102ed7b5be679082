/** The OpenAPI document describes every /api/v1 route in the registry, each with a summary. */
import { startTestApp, type TestApp } from './support/app';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default (the project-level testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

type Operation = { summary?: string; responses?: Record<string, { description?: string }>; parameters?: { name: string; in: string }[] };
type Doc = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };

describe('GET /api/openapi.json', () => {
  let doc: Doc;
  beforeAll(async () => {
    const res = await t.anonymous().get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    doc = res.body as Doc;
  });

  it('is an OpenAPI 3.1 document with info and paths', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(doc.info.title.length).toBeGreaterThan(0);
    expect(typeof doc.info.version).toBe('string');
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    for (const [p, ops] of Object.entries(doc.paths)) {
      expect(p.startsWith('/')).toBe(true);
      expect(p).not.toMatch(/:\w/); // OpenAPI templates are {name}, not :name
      for (const op of Object.values(ops)) expect(Object.keys(op.responses ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('lists every /api/v1 route of the registry with a summary and its path parameters', () => {
    const apiRoutes = t.cadre.routes.routes.filter((r) => r.path.startsWith('/api/v1'));
    expect(apiRoutes.length).toBeGreaterThan(5);
    const problems: string[] = [];
    for (const route of apiRoutes) {
      const key = route.path.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[key]?.[route.method];
      const name = `${route.method.toUpperCase()} ${route.path}`;
      if (!op) {
        problems.push(`${name}: missing from the document`);
        continue;
      }
      if (!route.doc?.summary?.trim() || !op.summary?.trim()) problems.push(`${name}: no summary (give the route a doc object: r.${route.method}('…', { summary, tags }, handler))`);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      const inPath = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort();
      if (JSON.stringify(declared) !== JSON.stringify(inPath)) problems.push(`${name}: path parameters ${declared.join(',')} ≠ ${inPath.join(',')}`);
    }
    expect(problems).toEqual([]);
  });
});
