/** The authorisation matrix's row format, the row loader, and the request runner. Rows live in `rows/<area>.ts`. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Response, Test } from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { Db } from '../../server/db';
import type { RouteInfo } from '../../server/http/router';
import type { TestApp } from '../support/app';
import type { Tenant, World } from '../support/factories';

/** The roles the matrix runs every route as. The actor (except admin and anonymous) is from tenant A. */
export const ROLES = ['anonymous', 'admin', 'lead', 'mentor', 'candidate'] as const;
/** One of the matrix's roles. */
export type MatrixRole = (typeof ROLES)[number];
/** A logged-in role. */
export type StaffOrCandidate = Exclude<MatrixRole, 'anonymous'>;

/**
 * What a route should answer:
 * - 'allow': authorisation passed and the (well-formed) request did its work — a 2xx or 3xx, and not a redirect to the
 *   login page; a 400 is not "allowed" (send a valid body), and a refusal (401/403/404) never is;
 * - 401 / 403 / 404: exactly that status (refused);
 * - 409 / 410: exactly that status — allowed past authorisation, then a business answer about the object's state;
 * - 'login': the anonymous answer — 401 under /api (and for page POSTs), 302 → /login?next=… for page GETs;
 * - 'sign-in': a public step that did its work and sends the browser to sign in first (3xx → /login?next=…).
 */
export type Expect = 'allow' | 'login' | 'sign-in' | 401 | 403 | 404 | 409 | 410;

/** Expectations for the four logged-in roles. */
export type RoleExpectations = Record<StaffOrCandidate, Expect>;

/** Which tenant's ids a request uses: tenant A ("own", the actor's organisation) or tenant B ("other"). */
export type Scope = 'own' | 'other';

/** What a row's builders receive. */
export type RowContext = {
  db: Db;
  app: TestApp;
  world: World;
  /** The tenant whose ids to use: world.a for 'own', world.b for 'other'. */
  tenant: Tenant;
  scope: Scope;
  role: MatrixRole;
  /** The acting user (undefined when anonymous): world.admin, or world.a.lead / .mentor / .candidate. */
  actor?: { id: string; email: string };
  /** A short unique string, for bodies that must differ on every call. */
  uniq(): string;
  /** Runs `build` once per (key, scope) for the whole file and returns the cached result (shared fixtures). */
  memo<T>(key: string, build: () => Promise<T>): Promise<T>;
};

/** One route's row: how to build its request for own/other, and what each role should get. */
export type AuthzRow = {
  /** URL parameters (`:cohortId` → value). Create per-call objects here for routes that change or delete them. */
  params?: (c: RowContext) => Record<string, string> | Promise<Record<string, string>>;
  /** JSON body (API) or form fields (pages; `_csrf` is added); may be async. Valid and unique per call for writes. */
  body?: (c: RowContext) => unknown;
  /** Query string values. */
  query?: (c: RowContext) => Record<string, string> | Promise<Record<string, string>>;
  /** Sends the body itself (multipart uploads, headers); receives the awaited result of `body` (if any). Synchronous:
   * do async preparation in `body`. */
  request?: (req: Test, c: RowContext, body: unknown) => Test;
  /** Expectations with tenant A's ids. */
  own: RoleExpectations;
  /** Expectations with tenant B's ids; 'same' when the route takes no tenant ids. */
  other: RoleExpectations | 'same';
  /** Anonymous expectation (default 'login'). */
  anonymous?: Expect;
  /** Log in afresh for each call (routes that end or replace the session: logout, login). */
  fresh?: boolean;
};

/** An area's rows, keyed `"METHOD /path/:param"` exactly as in the route registry. */
export type AuthzRows = Record<string, AuthzRow>;

/** The registry key of a route. */
export function routeKey(route: Pick<RouteInfo, 'method' | 'path'>): string {
  return `${route.method.toUpperCase()} ${route.path}`;
}

/** Loads every `rows/*.ts` file (each exports `rows: AuthzRows`); duplicate keys across files are an error. */
export function loadRows(dir = path.join(__dirname, 'rows')): { rows: AuthzRows; duplicates: string[]; files: string[] } {
  const rows: AuthzRows = {};
  const duplicates: string[] = [];
  const files = readdirSync(dir)
    .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, file)) as { rows?: AuthzRows };
    if (!mod.rows) throw new Error(`test/authz/rows/${file} must export \`rows\` (AuthzRows)`);
    for (const [key, row] of Object.entries(mod.rows)) {
      if (rows[key]) duplicates.push(`${key} (again in ${file})`);
      rows[key] = row;
    }
  }
  return { rows, duplicates, files };
}

/** Fills `:param`s in a registry path. */
export function fillPath(routePath: string, params: Record<string, string>): string {
  return routePath.replace(/:(\w+)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`the row gives no value for :${name}`);
    return encodeURIComponent(v);
  });
}

/** Does the response meet the expectation? Returns null when it does, otherwise what was wrong. */
export function judge(expect: Expect, method: string, routePath: string, res: { status: number; headers: Record<string, string> }): string | null {
  const location = res.headers.location ?? '';
  const toLogin = res.status >= 300 && res.status < 400 && location.startsWith('/login?next=');
  const api = routePath.startsWith('/api/');
  if (expect === 'allow') {
    if ([401, 403, 404].includes(res.status)) return `expected allowed, got refused (${res.status})`;
    if (res.status >= 500) return `expected allowed, got a server error ${res.status}`;
    if (toLogin) return `expected allowed, got a redirect to ${location}`;
    if (res.status >= 400) return `expected allowed (2xx/3xx), got ${res.status} — send a well-formed body, or expect the business answer (409/410) exactly`;
    return null;
  }
  if (expect === 'sign-in') return toLogin ? null : `expected a redirect to sign in first, got ${res.status}${location ? ` → ${location}` : ''}`;
  if (expect === 'login') {
    if (api || method !== 'GET') return res.status === 401 ? null : `expected 401 (anonymous), got ${res.status}`;
    return toLogin ? null : `expected 302 → /login?next=…, got ${res.status}${location ? ` → ${location}` : ''}`;
  }
  return res.status === expect ? null : `expected ${expect}, got ${res.status}`;
}

/** Sends one matrix request with `agent` (a CSRF token is added to page form posts). */
export async function send(agent: TestAgent, route: RouteInfo, row: AuthzRow, c: RowContext, csrfToken: string | undefined): Promise<Response> {
  const params = (await row.params?.(c)) ?? {};
  const url = fillPath(route.path, params);
  let req: Test = agent[route.method](url);
  const query = await row.query?.(c);
  if (query) req = req.query(query);
  const isApi = route.path.startsWith('/api/');
  if (!isApi && route.method !== 'get' && csrfToken) req = req.set('x-csrf-token', csrfToken);
  const body = await row.body?.(c);
  if (row.request) {
    req = row.request(req, c, body);
  } else if (row.body) {
    req = isApi ? req.send(body as object) : req.type('form').send({ ...(body as Record<string, unknown>), ...(csrfToken ? { _csrf: csrfToken } : {}) });
  } else if (!isApi && route.method !== 'get' && csrfToken) {
    req = req.type('form').send({ _csrf: csrfToken });
  }
  return await req.redirects(0);
}
