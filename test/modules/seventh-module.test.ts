/**
 * A throwaway seventh stage from a fixture folder (test/fixtures/modules/seventh/peer-review): it loads, migrates its
 * own table, gates (its requirement kind evaluates in a stage), seeds, shows its links, and every route it adds has
 * a row in the authorisation matrix — with no file outside its folder touched.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { createApp } from '../../server/app';
import { copyTemplateStages } from '../../server/cohorts/commands';
import { cohortStages, programmeTemplates, templateStages } from '../../server/db/tables';
import { createLogger } from '../../server/logger';
import { discoverModules, StageLoadError, validateManifests } from '../../server/modules/loader';
import type { StageManifest } from '../../server/modules/types';
import { seedProgrammeTemplate } from '../../seed/programme';
import { seedDemo } from '../../seed/demo';
import { asc, eq, isNull } from 'drizzle-orm';
import { startTestApp, testConfig, type TestApp } from '../support/app';
import { openTestDatabase } from '../support/db';
import { buildWorld, type World } from '../support/factories';
import { judge, ROLES, routeKey, send, type AuthzRow, type Expect, type MatrixRole, type RowContext } from '../authz/support';
import peerReview from '../fixtures/modules/seventh/peer-review';
import { rows as peerReviewRows } from '../fixtures/modules/seventh/peer-review/authz/rows';

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../..');
const folder = 'test/fixtures/modules/seventh/peer-review';
const installed = (): StageManifest[] => [...discoverModules(), peerReview];

/** Every file under `dir` (relative to the repository root). */
function walk(dir: string): string[] {
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? (name === 'node_modules' ? [] : walk(rel)) : [rel];
  });
}

async function tableExists(database: { query: (t: string, p?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }> }, name: string): Promise<boolean> {
  const { rows } = await database.query('select to_regclass($1) as t', [`public.${name}`]);
  return rows[0]?.t !== null;
}

describe('a seventh stage module from one folder', () => {
  it('touches no file outside its folder: no core file, built-in module, view, seed or matrix row names it', () => {
    const outside = ['server', 'modules', 'views', 'seed', 'scripts', 'public', 'test/authz', 'drizzle.config.ts', 'package.json'].flatMap((p) => (p.includes('.') ? [p] : walk(p)));
    expect(outside.length).toBeGreaterThan(100);
    const naming = outside.filter((f) => /peer[-_]review/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(naming).toEqual([]);
    expect(walk(folder).sort()).toEqual(
      expect.arrayContaining([`${folder}/index.ts`, `${folder}/schema.ts`, `${folder}/migrations/0000_init.sql`, `${folder}/migrations/meta/_journal.json`, `${folder}/views/page.hbs`, `${folder}/authz/rows.ts`]),
    );
  });

  it('loads and migrates its own table (recorded in its own migrations table) when an app is created with it', async () => {
    const database = await openTestDatabase();
    try {
      expect(await tableExists(database, 'peer_review_reviews')).toBe(false);
      const config = testConfig();
      const app = await createApp({ database, config, logger: createLogger(config.logLevel), modules: installed() });
      await app.close();
      expect(await tableExists(database, 'peer_review_reviews')).toBe(true);
      const { rows } = await database.query('select count(*)::int as n from drizzle.__drizzle_migrations_peer_review');
      expect(rows[0].n).toBe(1);
    } finally {
      await database.drop();
    }
  });

  it('fails at boot with a named error when its metadata is wrong or its tables are missing', async () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        if (err instanceof StageLoadError) return err.code;
        throw err;
      }
      return 'nothing thrown';
    };
    const stray = pgTable('reviews', { id: uuid('id').primaryKey() });
    expect(codeOf(() => validateManifests([{ ...peerReview, schema: { ...peerReview.schema, stray } }]))).toBe('CADRE_ERR_STAGE_TABLE_PREFIX');
    expect(codeOf(() => validateManifests([{ ...peerReview, migrations: path.join(root, folder, 'no-such-folder') }]))).toBe('CADRE_ERR_STAGE_MIGRATIONS_MISSING');
    expect(codeOf(() => validateManifests([{ ...peerReview, programme: { order: 0, startDay: 80, endDay: 85 } }]))).toBe('CADRE_ERR_STAGE_BAD_PROGRAMME');
    expect(codeOf(() => validateManifests([{ ...peerReview, programme: { order: 7, startDay: 85, endDay: 80 } }]))).toBe('CADRE_ERR_STAGE_BAD_PROGRAMME');
    expect(codeOf(() => validateManifests([{ ...peerReview, adminLinks: [{ label: 'Elsewhere', href: 'https://example.org/' }] }]))).toBe('CADRE_ERR_STAGE_BAD_LINK');
    expect(codeOf(() => validateManifests([{ ...peerReview, nav: [{ label: 'Nobody', href: '/stages/peer-review/guidance', for: [] }] }]))).toBe('CADRE_ERR_STAGE_BAD_LINK');

    // A declared table that its migrations never create: the app refuses to boot.
    const unmigrated = pgTable('peer_review_drafts', { id: uuid('id').primaryKey() });
    const database = await openTestDatabase();
    try {
      await expect(createApp({ database, config: testConfig(), modules: [...discoverModules(), { ...peerReview, schema: { ...peerReview.schema, unmigrated } }] })).rejects.toThrow(
        /^CADRE_ERR_STAGE_TABLES_MISSING: .*module 'peer-review': peer_review_drafts/,
      );
    } finally {
      await database.drop();
    }
  });

  it('seeds: the built-in programme takes it in its declared order and day window, and its seed hook writes its demo rows', async () => {
    const database = await openTestDatabase();
    try {
      const config = testConfig();
      const app = await createApp({ database, config, logger: createLogger(config.logLevel), modules: installed() });
      await seedDemo(database.db, config, app.modules);
      await app.close();
      const stages = await database.db
        .select({ key: templateStages.moduleKey, position: templateStages.position, startDay: templateStages.startDay, endDay: templateStages.endDay })
        .from(templateStages)
        .innerJoin(programmeTemplates, eq(programmeTemplates.id, templateStages.templateId))
        // The full programme (the demo also seeds an annual refresher of it, with its own short stage list).
        .where(isNull(programmeTemplates.refresherOf))
        .orderBy(asc(templateStages.position));
      expect(stages.map((s) => s.key)).toEqual(['preload-video', 'zoom-intro', 'transfer-week', 'projects-week', 'co-delivery', 'remedial-workshop', 'peer-review']);
      expect(stages.at(-1)).toEqual({ key: 'peer-review', position: 7, startDay: 80, endDay: 85 });
      const { rows } = await database.query('select count(*)::int as n from peer_review_reviews');
      expect(rows[0].n).toBe(1);
    } finally {
      await database.drop();
    }
  });
});

describe('a seventh stage module, installed', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await startTestApp({ modules: installed() });
    const db = t.database.db;
    const templateId = await seedProgrammeTemplate(db, t.cadre.modules, null);
    const startsOn = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    w = await buildWorld(db, (cohortId) => copyTemplateStages(db, cohortId, templateId, startsOn).then(() => undefined));
  });
  afterAll(() => t.stop());

  it('gates: locked behind the previous stage, then its own requirement kind decides completion', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const url = `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/progress`;
    type Progress = { stages: { key: string; status: string; requirements: { when: string; reason: string; met: boolean }[] }[] };
    const peer = async () => ((await mentor.get(url)).body as Progress).stages.find((s) => s.key === 'peer-review');
    expect((await peer())?.status).toBe('locked');
    expect((await peer())?.requirements.find((r) => r.when === 'complete')?.reason).toBe('Receive 1 peer review — 0 so far');

    // Open it (as if the stages before it were done): its own requirement kind now decides.
    await t.database.db.update(cohortStages).set({ openRequirements: [] }).where(eq(cohortStages.moduleKey, 'peer-review'));
    expect((await peer())?.status).toBe('open');

    const candidate = await t.loginAs(w.a.candidate.email);
    const page = await candidate.get(`/cohorts/${w.a.cohort.id}/stages/peer-review`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('You have 0 reviews.');

    expect((await candidate.post(`/api/v1/cohorts/${w.a.cohort.id}/stages/peer-review/reviews`).send({ candidateId: w.a.candidate.id, body: 'Self-review' })).status).toBe(403);
    expect((await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/stages/peer-review/reviews`).send({ candidateId: w.a.candidate.id, body: 'Warm welcome; check the mats first.' })).status).toBe(201);
    expect((await peer())?.status).toBe('complete');
    expect((await candidate.get(`/cohorts/${w.a.cohort.id}/stages/peer-review`)).text).toContain('You have 1 review.');
  });

  it('shows its admin link to admins and its menu entry to the people it names', async () => {
    const admin = await t.loginAs(w.admin.email);
    expect((await admin.get('/admin')).text).toContain('<a href="/stages/peer-review/guidance">Peer review guidance</a>');
    const mentorHome = (await (await t.loginAs(w.a.mentor.email)).get('/cohorts')).text;
    expect(mentorHome).toMatch(/<li><a href="\/stages\/peer-review\/guidance"\s*>Peer reviews<\/a><\/li>/);
    const candidateHome = (await (await t.loginAs(w.a.candidate.email)).get('/cohorts')).text;
    expect(candidateHome).not.toContain('Peer reviews');
  });

  it('appears in the authorisation matrix: every route it adds has a row, shipped in its folder, and each row holds', async () => {
    const rows = peerReviewRows as unknown as Record<string, AuthzRow>;
    const added = [...new Map(t.cadre.routes.routes.filter((r) => r.path.includes('peer-review')).map((r) => [routeKey(r), r])).values()];
    expect(added.map(routeKey).sort()).toEqual(Object.keys(rows).sort());
    const agents = new Map<MatrixRole, { agent: Awaited<ReturnType<TestApp['loginAs']>>; csrf: string }>();
    const actorFor = (role: MatrixRole) => (role === 'anonymous' ? undefined : role === 'admin' ? w.admin : w.a[role]);
    for (const role of ROLES) {
      const actor = actorFor(role);
      const agent = actor ? await t.loginAs(actor.email) : t.anonymous();
      agents.set(role, { agent, csrf: await t.csrf(agent, actor ? '/cohorts' : '/login') });
    }
    const problems: string[] = [];
    for (const route of added) {
      const row = rows[routeKey(route)];
      for (const scope of ['own', 'other'] as const) {
        const expectations = scope === 'own' || row.other === 'same' ? row.own : row.other;
        for (const role of ROLES) {
          const expected: Expect = role === 'anonymous' ? (row.anonymous ?? 'login') : expectations[role];
          const c: RowContext = {
            db: t.database.db,
            app: t,
            world: w,
            tenant: scope === 'own' ? w.a : w.b,
            scope,
            role,
            actor: actorFor(role),
            uniq: () => randomBytes(5).toString('hex'),
            memo: (_name, build) => build(),
          };
          const { agent, csrf } = agents.get(role) as { agent: Awaited<ReturnType<TestApp['loginAs']>>; csrf: string };
          const wrong = judge(expected, route.method.toUpperCase(), route.path, await send(agent, route, row, c, csrf));
          if (wrong) problems.push(`${routeKey(route)} ${scope} ${role}: ${wrong}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
