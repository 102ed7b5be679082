/** The stage-plugin loader: each named boot error, and a fixture module using every hook, mounted by createApp. */
import path from 'node:path';
import request from 'supertest';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { and, eq } from 'drizzle-orm';
import { createApp, type CadreApp } from '../../server/app';
import { auditEvents, cohortStages } from '../../server/db/tables';
import { createLogger } from '../../server/logger';
import { discoverModules, StageLoadError, validateManifests } from '../../server/modules/loader';
import { defineStage, type StageManifest } from '../../server/modules/types';
import { testConfig } from '../support/app';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { buildWorld, TEST_PASSWORD, type World } from '../support/factories';
import fixture, { signFixtureBody } from '../fixtures/modules/good/fixture-stage';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default (the project-level testTimeout is not applied).
jest.setTimeout(60_000);

const fixturesDir = path.join(__dirname, '../fixtures/modules');

/** A minimal valid manifest, to break one rule at a time. */
const minimal = (key: string, extra: Partial<StageManifest> = {}): StageManifest =>
  defineStage({ key, title: `Stage ${key}`, summary: 'A test stage.', requires: [], capabilities: {}, defaults: { config: {}, open: [], complete: [] }, ...extra });

/** Runs `fn` and returns the StageLoadError code it threw. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof StageLoadError) {
      expect(err.message.startsWith(`${err.code}: `)).toBe(true);
      return err.code;
    }
    throw err;
  }
  throw new Error('expected a StageLoadError, nothing was thrown');
}

describe('loader: named errors at boot', () => {
  it('discovers a module folder and returns its default-exported manifest', () => {
    const found = discoverModules(path.join(fixturesDir, 'good'));
    expect(found.map((m) => m.key)).toEqual(['fixture-stage']);
  });

  it('CADRE_ERR_STAGE_NO_MANIFEST: index.ts without a default export', () => {
    expect(codeOf(() => discoverModules(path.join(fixturesDir, 'no-manifest')))).toBe('CADRE_ERR_STAGE_NO_MANIFEST');
  });

  it('CADRE_ERR_STAGE_KEY_MISMATCH: key differs from the folder name', () => {
    expect(codeOf(() => discoverModules(path.join(fixturesDir, 'key-mismatch')))).toBe('CADRE_ERR_STAGE_KEY_MISMATCH');
  });

  it('CADRE_ERR_STAGE_DUPLICATE_KEY', () => {
    expect(codeOf(() => validateManifests([minimal('alpha'), minimal('alpha')]))).toBe('CADRE_ERR_STAGE_DUPLICATE_KEY');
  });

  it('CADRE_ERR_STAGE_DEPENDENCY_MISSING, and a present dependency in any order is fine', () => {
    expect(codeOf(() => validateManifests([minimal('alpha', { requires: ['gamma'] })]))).toBe('CADRE_ERR_STAGE_DEPENDENCY_MISSING');
    expect(() => validateManifests([minimal('alpha', { requires: ['beta'] }), minimal('beta')])).not.toThrow();
  });

  it('CADRE_ERR_STAGE_CAPABILITY_PREFIX', () => {
    expect(codeOf(() => validateManifests([minimal('alpha', { capabilities: { 'beta:sign': ['mentor'] } })]))).toBe('CADRE_ERR_STAGE_CAPABILITY_PREFIX');
    expect(codeOf(() => validateManifests([minimal('alpha', { capabilities: { sign: ['mentor'] } })]))).toBe('CADRE_ERR_STAGE_CAPABILITY_PREFIX');
  });

  it('CADRE_ERR_STAGE_BAD_KEY', () => {
    for (const key of ['Alpha', 'alpha_beta', '-alpha', 'alpha-', '', '1alpha', 'al pha']) {
      expect(codeOf(() => validateManifests([minimal(key)]))).toBe('CADRE_ERR_STAGE_BAD_KEY');
    }
  });

  it('CADRE_ERR_STAGE_REQUIREMENT_PREFIX', () => {
    const kind = fixture.requirementKinds!['fixture-stage:poked'];
    expect(codeOf(() => validateManifests([minimal('alpha', { requirementKinds: { poked: kind } })]))).toBe('CADRE_ERR_STAGE_REQUIREMENT_PREFIX');
  });

  it('CADRE_ERR_STAGE_VIEWS_MISSING', () => {
    expect(codeOf(() => validateManifests([minimal('alpha', { views: path.join(fixturesDir, 'no-such-views') })]))).toBe('CADRE_ERR_STAGE_VIEWS_MISSING');
  });

  it('createApp refuses to boot with an invalid manifest, naming the error', async () => {
    const database = await openTestDatabase();
    try {
      await expect(createApp({ database, config: testConfig(), modules: [fixture, fixture] })).rejects.toThrow(/^CADRE_ERR_STAGE_DUPLICATE_KEY: /);
    } finally {
      await database.drop();
    }
  });
});

describe('loader: a fixture module using every hook, mounted by createApp', () => {
  let database: TestDatabase;
  let cadre: CadreApp;
  let world: World;
  let base: string;
  const sockets: ClientSocket[] = [];

  const cookieFor = async (email: string) => {
    const res = await request(cadre.server).post('/api/v1/session').send({ email, password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    return ([] as string[]).concat(res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  };
  const login = async (email: string) => {
    const agent = request.agent(cadre.server);
    expect((await agent.post('/api/v1/session').send({ email, password: TEST_PASSWORD })).status).toBe(200);
    return agent;
  };
  const connect = (cookie?: string) => {
    const s = ioClient(base, { transports: ['websocket'], extraHeaders: cookie ? { cookie } : {}, reconnection: false, forceNew: true });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    database = await openTestDatabase();
    const config = testConfig();
    cadre = await createApp({ database, config, logger: createLogger(config.logLevel), modules: [fixture] });
    world = await buildWorld(database.db);
    for (const tenant of [world.a, world.b]) {
      await database.db.insert(cohortStages).values({
        cohortId: tenant.cohort.id,
        position: 1,
        moduleKey: fixture.key,
        title: fixture.title,
        summary: fixture.summary,
        openRequirements: fixture.defaults.open,
        completeRequirements: fixture.defaults.complete,
      });
    }
    await new Promise<void>((resolve) => cadre.server.listen(0, '127.0.0.1', resolve));
    const addr = cadre.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await cadre.close();
    cadre.server.closeAllConnections();
    await new Promise<void>((resolve) => cadre.server.close(() => resolve()));
    await database.drop();
  });

  it('records the module routes in the registry and documents its API routes', async () => {
    const keys = cadre.routes.routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'GET /cohorts/:cohortId/stages/fixture-stage',
        'GET /api/v1/cohorts/:cohortId/stages/fixture-stage/ping',
        'POST /api/v1/cohorts/:cohortId/stages/fixture-stage/pokes',
        'GET /stages/fixture-stage/hello',
        'POST /webhooks/fixture-stage/events',
      ]),
    );
    const doc = (await request(cadre.server).get('/api/openapi.json')).body as { paths: Record<string, Record<string, { summary: string }>> };
    expect(doc.paths['/api/v1/cohorts/{cohortId}/stages/fixture-stage/pokes'].post.summary).toMatch(/poke/);
  });

  it('renders the module page with its namespaced partial inside the core layout', async () => {
    const agent = await login(world.a.candidate.email);
    const res = await agent.get(`/cohorts/${world.a.cohort.id}/stages/fixture-stage`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Fixture stage</h1>');
    expect(res.text).toMatch(/data-testid="fixture-badge">Poked 0 times</);
    expect(res.text).toContain('Skip to main content'); // the core layout
    expect((await agent.get(`/cohorts/${world.b.cohort.id}/stages/fixture-stage`)).status).toBe(404);
    const anon = await request(cadre.server).get(`/cohorts/${world.a.cohort.id}/stages/fixture-stage`);
    expect(anon.status).toBe(302);
    expect(anon.headers.location).toMatch(/^\/login\?next=/);
  });

  it('answers its JSON API under the cohort, behind the login', async () => {
    const agent = await login(world.a.mentor.email);
    const res = await agent.get(`/api/v1/cohorts/${world.a.cohort.id}/stages/fixture-stage/ping`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ module: 'fixture-stage', cohortId: world.a.cohort.id });
    expect((await request(cadre.server).get(`/api/v1/cohorts/${world.a.cohort.id}/stages/fixture-stage/ping`)).status).toBe(401);
  });

  it('checks its capability, counts activity and evaluates its requirement kind; emits over sockets after the write', async () => {
    const mentor = await login(world.a.mentor.email);
    const candidate = await login(world.a.candidate.email);
    const url = `/api/v1/cohorts/${world.a.cohort.id}/stages/fixture-stage`;
    const status = async () => (await mentor.get(`${url}/status/${world.a.candidate.id}`)).body as { status: string; complete: { reason: string; met: boolean }[] };

    expect((await status()).status).toBe('open');
    expect((await status()).complete[0].reason).toBe('Be poked 2 times — 0 so far');

    const candidateSocket = connect(await cookieFor(world.a.candidate.email));
    await new Promise<void>((resolve, reject) => {
      candidateSocket.on('connect', () => resolve());
      candidateSocket.on('connect_error', reject);
    });
    const poked = new Promise<{ by: string }>((resolve) => candidateSocket.once('fixture-stage:poked', resolve));

    // The capability is granted to mentors only.
    expect((await candidate.post(`${url}/pokes`).send({ candidateId: world.a.candidate.id })).status).toBe(403);
    expect((await mentor.post(`${url}/pokes`).send({ candidateId: world.a.candidate.id })).status).toBe(201);
    expect((await poked).by).toBe(world.a.mentor.id);
    expect((await status()).status).toBe('in_progress'); // the activity hook
    expect((await status()).complete[0].reason).toBe('Be poked 2 times — 1 so far');

    expect((await mentor.post(`${url}/pokes`).send({ candidateId: world.a.candidate.id })).status).toBe(201);
    expect((await status()).status).toBe('complete');
    expect((await candidate.get(`/cohorts/${world.a.cohort.id}/stages/fixture-stage`)).text).toMatch(/Poked 2 times/);
  });

  it('mounts global routes under /stages/<key>', async () => {
    const agent = await login(world.a.lead.email);
    const res = await agent.get('/stages/fixture-stage/hello');
    expect(res.status).toBe(200);
    expect(res.body.hello).toBe(world.a.lead.name);
  });

  it('mounts webhooks without session or CSRF; the module verifies the signature', async () => {
    const body = JSON.stringify({ event: 'meeting.ended' });
    const signed = await request(cadre.server).post('/webhooks/fixture-stage/events').set('content-type', 'application/json').set('x-fixture-signature', signFixtureBody(body)).send(body);
    expect(signed.status).toBe(202);
    expect(signed.body).toEqual({ received: 'meeting.ended', user: null });
    const forged = await request(cadre.server).post('/webhooks/fixture-stage/events').set('content-type', 'application/json').set('x-fixture-signature', signFixtureBody('{}')).send(body);
    expect(forged.status).toBe(401);
  });

  it('registers its socket handlers for logged-in connections only', async () => {
    const s = connect(await cookieFor(world.a.lead.email));
    const reply = await new Promise<{ echo: unknown; userId: string }>((resolve, reject) => {
      s.on('connect_error', reject);
      s.emit('fixture-stage:echo', { hi: 1 }, resolve);
    });
    expect(reply).toEqual({ echo: { hi: 1 }, userId: world.a.lead.id });
    const anon = connect();
    const err = await new Promise<Error>((resolve) => anon.on('connect_error', resolve));
    expect(err.message).toBe('unauthorized');
  });

  it('runs its seed hook with the demo context', async () => {
    const [stage] = await database.db.select().from(cohortStages).where(eq(cohortStages.cohortId, world.a.cohort.id));
    await fixture.seed!({ db: database.db, config: cadre.ctx.config, storage: cadre.ctx.storage, cohortId: world.a.cohort.id, stage, people: { admin: world.admin.id }, reached: {} });
    const rows = await database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'fixture-stage.seeded'), eq(auditEvents.subjectId, world.a.cohort.id)));
    expect(rows).toHaveLength(1);
  });
});
