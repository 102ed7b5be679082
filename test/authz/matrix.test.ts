/**
 * The authorisation matrix: every registered route × every role × own/other organisation.
 * Rows live in test/authz/rows/<area>.ts (see support.ts for the format). A route without a row fails
 * "every route has a row", which prints the missing keys and a row to start from.
 */
import { randomBytes } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent';
import type { RouteInfo } from '../../server/http/router';
import { copyTemplateStages } from '../../server/cohorts/commands';
import { seedProgrammeTemplate } from '../../seed/programme';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';
import { judge, loadRows, ROLES, routeKey, send, type Expect, type MatrixRole, type RowContext, type Scope } from './support';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default (the project-level testTimeout is not applied).
jest.setTimeout(60_000);

const { rows, duplicates, files } = loadRows();

let t: TestApp;
let world: World;
const agents = new Map<MatrixRole, { agent: TestAgent; csrf: string }>();
const memos = new Map<string, Promise<unknown>>();

function actorFor(role: MatrixRole): { id: string; email: string } | undefined {
  if (role === 'anonymous') return undefined;
  if (role === 'admin') return world.admin;
  return world.a[role];
}

async function newAgent(role: MatrixRole): Promise<{ agent: TestAgent; csrf: string }> {
  const actor = actorFor(role);
  const agent = actor ? await t.loginAs(actor.email) : t.anonymous();
  return { agent, csrf: await t.csrf(agent, actor ? '/cohorts' : '/login') };
}

/** The sentence a page answer carries: its error box or notice (tags stripped), else its lead paragraph. */
function pageSentence(html: string): string | undefined {
  const box = /<div class="(?:error-summary|notice[^"]*)"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? /<p class="lead">([^<]*)<\/p>/.exec(html)?.[1];
  return box?.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() || undefined;
}

function registered(): RouteInfo[] {
  const seen = new Map<string, RouteInfo>();
  for (const r of t.cadre.routes.routes) if (!seen.has(routeKey(r))) seen.set(routeKey(r), r);
  return [...seen.values()];
}

beforeAll(async () => {
  t = await startTestApp();
  const db = t.database.db;
  // Each tenant's cohort gets its own copy of the built-in programme (every installed stage), started 30 days ago.
  const templateId = await seedProgrammeTemplate(db, t.cadre.modules, null);
  const startsOn = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  world = await buildWorld(db, async (cohortId) => {
    await copyTemplateStages(db, cohortId, templateId, startsOn);
  });
  for (const role of ROLES) agents.set(role, await newAgent(role));
}, 120_000);

afterAll(() => t.stop());

describe('authorisation matrix', () => {
  it('every route has a row', () => {
    const missing = registered()
      .map(routeKey)
      .filter((k) => !rows[k])
      .sort();
    if (missing.length) {
      throw new Error(
        `${missing.length} route(s) have no row in test/authz/rows/*.ts (files: ${files.join(', ')}):\n` +
          missing.map((k) => `  '${k}'`).join('\n') +
          `\nAdd to your area's file, e.g.\n  '${missing[0]}': { params: (c) => ({ cohortId: c.tenant.cohort.id }), own: { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 403 }, other: { admin: 'allow', lead: 404, mentor: 404, candidate: 404 } },`,
      );
    }
  });

  it('no route has two rows', () => {
    expect(duplicates).toEqual([]);
  });

  for (const key of Object.keys(rows).sort()) {
    it(key, async () => {
      const row = rows[key];
      const route = registered().find((r) => routeKey(r) === key);
      if (!route) throw new Error(`row '${key}' names no registered route (registry keys look like 'GET /api/v1/cohorts/:cohortId')`);
      const problems: string[] = [];
      for (const scope of ['own', 'other'] as Scope[]) {
        const expectations = scope === 'own' || row.other === 'same' ? row.own : row.other;
        for (const role of ROLES) {
          const expected: Expect = role === 'anonymous' ? (row.anonymous ?? 'login') : expectations[role];
          const c: RowContext = {
            db: t.database.db,
            app: t,
            world,
            tenant: scope === 'own' ? world.a : world.b,
            scope,
            role,
            actor: actorFor(role),
            uniq: () => randomBytes(5).toString('hex'),
            memo: <T>(name: string, build: () => Promise<T>) => {
              const k = `${name}|${scope}`;
              if (!memos.has(k)) memos.set(k, build());
              return memos.get(k) as Promise<T>;
            },
          };
          const { agent, csrf } = row.fresh ? await newAgent(role) : (agents.get(role) as { agent: TestAgent; csrf: string });
          const res = await send(agent, route, row, c, csrf);
          const wrong = judge(expected, route.method.toUpperCase(), route.path, res);
          if (wrong) {
            const page = pageSentence(res.text ?? '');
            const detail = res.body?.error?.message ?? page ?? (res.text ?? '').replace(/\s+/g, ' ').slice(0, 160);
            problems.push(`  ${scope.padEnd(5)} ${role.padEnd(9)} ${wrong}${detail ? ` — ${detail}` : ''}`);
          }
        }
      }
      if (problems.length) throw new Error(`${key}\n${problems.join('\n')}`);
    });
  }
});
