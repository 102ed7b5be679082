/** Sessions live in the database (they survive a restart); security headers and cookie flags; readiness. */
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildOrganisation, buildUser, TEST_PASSWORD } from '../support/factories';
import { startS3Peer } from '../support/s3-peer';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default (the project-level testTimeout is not applied).
jest.setTimeout(60_000);

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
const cookieHeader = (setCookie: string | string[] | undefined) =>
  ([] as string[])
    .concat(setCookie ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');

const setCookies = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []);

describe('sessions', () => {
  it('survive an app restart: a second app on the same database accepts the cookie', async () => {
    const first = await startTestApp();
    try {
      const org = await buildOrganisation(first.database.db, { kind: 'provider' });
      const user = await buildUser(first.database.db, { organisationId: org.id, role: 'mentor' });
      const login = await request(first.cadre.server).post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD });
      expect(login.status).toBe(200);
      const cookie = cookieHeader(login.headers['set-cookie']);
      await first.cadre.close(); // the first process is gone

      const second = await startTestApp({ database: first.database });
      try {
        const me = await request(second.cadre.server).get('/api/v1/me').set('Cookie', cookie);
        expect(me.status).toBe(200);
        expect(me.body.user.email).toBe(user.email);
        const rows = await second.database.query('select count(*)::int as n from session');
        expect(Number(rows.rows[0].n)).toBeGreaterThanOrEqual(1);
        // Logging out on the second app ends the session everywhere.
        expect((await request(second.cadre.server).delete('/api/v1/session').set('Cookie', cookie)).status).toBe(204);
        expect((await request(second.cadre.server).get('/api/v1/me').set('Cookie', cookie)).status).toBe(401);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
  }, 60_000);
});

describe('security headers and cookies (development)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('sends helmet headers, a request id and no x-powered-by', async () => {
    const res = await t.anonymous().get('/login');
    expect(res.status).toBe(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
    expect(res.headers['strict-transport-security']).toBeUndefined(); // only in production
  });

  it('has no signed-in page kept by a browser or a proxy (no-store, no ETag to revalidate), while static files stay cacheable', async () => {
    const org = await buildOrganisation(t.database.db, { kind: 'provider' });
    const user = await buildUser(t.database.db, { organisationId: org.id, role: 'admin' });
    const agent = await t.loginAs(user.email);
    for (const path of ['/', '/api/v1/me', '/login']) {
      const res = await agent.get(path);
      expect({ path, cacheControl: res.headers['cache-control'], etag: res.headers.etag }).toEqual({ path, cacheControl: 'private, no-store', etag: undefined });
    }
    const css = await t.anonymous().get('/static/css/app.css').expect(200);
    expect(css.headers['cache-control']).not.toContain('no-store');
    expect(css.headers.etag).toBeDefined();
  });

  it('sets httpOnly, sameSite=Lax session and CSRF cookies (not Secure outside production)', async () => {
    const org = await buildOrganisation(t.database.db, { kind: 'provider' });
    const user = await buildUser(t.database.db, { organisationId: org.id, role: 'admin' });
    const page = await t.anonymous().get('/login');
    const csrf = setCookies(page).find((c) => c.startsWith('cadre.csrf='));
    expect(csrf).toMatch(/; HttpOnly/i);
    expect(csrf).toMatch(/; SameSite=Lax/i);
    const login = await t.anonymous().post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD });
    const sid = setCookies(login).find((c) => c.startsWith('cadre.sid='));
    expect(sid).toMatch(/; HttpOnly/i);
    expect(sid).toMatch(/; SameSite=Lax/i);
    expect(sid).not.toMatch(/; Secure/i);
  });
});

describe('production cookies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { NODE_ENV: 'production', TRUST_PROXY: 'loopback' } }); // supertest connects from 127.0.0.1
  });
  afterAll(() => t.stop());

  it('marks the session cookie Secure behind an HTTPS proxy, uses a __Host- CSRF cookie, and sends HSTS', async () => {
    const org = await buildOrganisation(t.database.db, { kind: 'provider' });
    const user = await buildUser(t.database.db, { organisationId: org.id, role: 'admin' });
    const login = await t.anonymous().post('/api/v1/session').set('X-Forwarded-Proto', 'https').send({ email: user.email, password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    const sid = setCookies(login).find((c) => c.startsWith('cadre.sid='));
    expect(sid).toMatch(/; Secure/i);
    expect(sid).toMatch(/; HttpOnly/i);
    expect(sid).toMatch(/; SameSite=Lax/i);
    const page = await t.anonymous().get('/login').set('X-Forwarded-Proto', 'https');
    const csrf = setCookies(page).find((c) => c.startsWith('__Host-cadre.csrf='));
    expect(csrf).toMatch(/; Secure/i);
    expect(csrf).toMatch(/; HttpOnly/i);
    expect(csrf).toMatch(/; Path=\//i);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('never sends the session cookie over plain HTTP', async () => {
    const org = await buildOrganisation(t.database.db, { kind: 'provider' });
    const user = await buildUser(t.database.db, { organisationId: org.id, role: 'admin' });
    const login = await t.anonymous().post('/api/v1/session').send({ email: user.email, password: TEST_PASSWORD });
    expect(setCookies(login).find((c) => c.startsWith('cadre.sid='))).toBeUndefined();
  });
});

describe('readiness', () => {
  it('/readyz on S3 answers 503 naming the storage when the bucket stops answering, and 503 draining once told to stop', async () => {
    const peer = await startS3Peer();
    const t = await startTestApp({ config: peer.env });
    try {
      const ready = await t.anonymous().get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ready', storage: 's3' });
      await peer.stop();
      const down = await t.anonymous().get('/readyz');
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'unavailable', storage: 's3', databaseReady: true, storageReady: false });
      // SIGTERM's first step: the balancer is told to send nothing new, and every answer closes its connection.
      t.cadre.drain();
      const draining = await t.anonymous().get('/readyz');
      expect(draining.status).toBe(503);
      expect(draining.body).toMatchObject({ status: 'draining' });
      expect(draining.headers.connection).toBe('close');
      expect((await t.anonymous().get('/healthz')).status).toBe(200);
    } finally {
      await t.stop();
    }
  }, 30_000);

  it('/readyz answers 503 once the database is closed, while /healthz stays 200', async () => {
    const t = await startTestApp();
    try {
      expect((await t.anonymous().get('/readyz')).status).toBe(200);
      // On PostgreSQL the pool refuses queries at once but finishes closing only when the socket.io adapter lets go
      // of its LISTEN connection (at stop), so don't wait for it here.
      const closing = t.database.close();
      const res = await t.anonymous().get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unavailable');
      expect((await t.anonymous().get('/healthz')).status).toBe(200);
      await t.stop();
      await closing;
    } catch (err) {
      await t.stop();
      throw err;
    }
  }, 30_000);
});
