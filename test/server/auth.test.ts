import { startTestApp, type TestApp } from '../support/app';
import { eq } from 'drizzle-orm';
import { hashCost, hashPassword, PRODUCTION_COST, TEST_COST } from '../../server/auth/passwords';
import { users } from '../../server/db/tables';
import { buildOrganisation, buildUser, TEST_PASSWORD } from '../support/factories';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default (the project-level testTimeout is not applied).
jest.setTimeout(60_000);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(() => t.database.truncateAll());

describe('login', () => {
  it('logs in through the API and returns the user from /me', async () => {
    const org = await buildOrganisation(t.database.db, { kind: 'provider' });
    await buildUser(t.database.db, { email: 'Mentor@Example.test', organisationId: org.id, role: 'mentor' });
    const agent = t.anonymous();
    const res = await agent.post('/api/v1/session').send({ email: 'mentor@example.TEST', password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    const me = await agent.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('Mentor@Example.test');
    expect(me.body.memberships).toEqual([{ organisationId: org.id, role: 'mentor', organisationKind: 'provider' }]);
    expect((await agent.delete('/api/v1/session')).status).toBe(204);
    expect((await agent.get('/api/v1/me')).status).toBe(401);
  });

  it("hashes at OWASP's argon2id cost everywhere but inside jest, and a password hashed at that cost logs in", async () => {
    // The suites hash at TEST_COST (jest workers only); this is the production path, tested once.
    expect(hashCost({ NODE_ENV: 'production' })).toEqual(PRODUCTION_COST);
    expect(hashCost({ NODE_ENV: 'test' })).toEqual(PRODUCTION_COST);
    expect(hashCost({ NODE_ENV: 'development', JEST_WORKER_ID: '1' })).toEqual(PRODUCTION_COST);
    expect(hashCost({ NODE_ENV: 'test', JEST_WORKER_ID: '1' })).toEqual(TEST_COST);
    const user = await buildUser(t.database.db, { email: 'owasp@example.test' });
    const hash = await hashPassword(TEST_PASSWORD, PRODUCTION_COST);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await t.database.db.update(users).set({ passwordHash: hash }).where(eq(users.id, user.id));
    expect((await t.anonymous().post('/api/v1/session').send({ email: 'owasp@example.test', password: TEST_PASSWORD })).status).toBe(200);
    expect((await t.anonymous().post('/api/v1/session').send({ email: 'owasp@example.test', password: 'not the password' })).status).toBe(401);
  });

  it('refuses a wrong password with 401 and throttles after five failures, saying when to retry', async () => {
    await buildUser(t.database.db, { email: 'victim@example.test' });
    const agent = t.anonymous();
    for (let i = 0; i < 5; i++) {
      const res = await agent.post('/api/v1/session').send({ email: 'victim@example.test', password: 'nope' });
      expect(res.status).toBe(401);
    }
    const res = await agent.post('/api/v1/session').send({ email: 'victim@example.test', password: TEST_PASSWORD });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body.error.message).toMatch(/try again in \d+ minutes?/);
  });

  it('logs in with the form, which needs a CSRF token', async () => {
    await buildUser(t.database.db, { email: 'form@example.test' });
    const agent = t.anonymous();
    const noToken = await agent.post('/login').type('form').send({ email: 'form@example.test', password: TEST_PASSWORD });
    expect(noToken.status).toBe(403);
    const token = await t.csrf(agent);
    const ok = await agent.post('/login').type('form').send({ _csrf: token, email: 'form@example.test', password: TEST_PASSWORD });
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toBe('/');
  });

  it('redirects anonymous page requests to the login page and answers the API with 401 JSON', async () => {
    const page = await t.anonymous().get('/cohorts');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/login?next=%2Fcohorts');
    const api = await t.anonymous().get('/api/v1/cohorts');
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe('unauthenticated');
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await t.anonymous().get('/healthz')).status).toBe(200);
    const ready = await t.anonymous().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });
});
