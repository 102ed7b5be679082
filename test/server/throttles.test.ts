/** Login and password-reset throttles that hold with several nodes and a proxy (issue 10.9), and sessions that are not rewritten on every GET (14.2). */
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { LOGIN_LIMITS, RESET_LIMITS } from '../../server/auth/rate-limit';
import { TOUCH_INTERVAL_MS } from '../../server/http/session';
import { startTestApp, type TestApp } from '../support/app';
import { buildUser, buildWorld, TEST_PASSWORD, type World } from '../support/factories';
import type { TestDatabase } from '../support/db';

jest.setTimeout(90_000);

let t: TestApp;
let world: World;
beforeAll(async () => {
  t = await startTestApp({ config: { TRUST_PROXY: 'loopback' } });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  world = await buildWorld(t.database.db);
});

const attempt = (app: TestApp, email: string, password: string, ip?: string) => {
  const req = request(app.cadre.server).post('/api/v1/session');
  return (ip ? req.set('X-Forwarded-For', ip) : req).send({ email, password });
};

describe('login throttle', () => {
  it('is shared by every node and survives a restart (counters in the database)', async () => {
    const victim = world.a.candidate.email;
    for (let i = 0; i < LOGIN_LIMITS.perAccountIp; i++) expect((await attempt(t, victim, 'wrong', '203.0.113.1')).status).toBe(401);
    const other = await startTestApp({ database: t.database, config: { TRUST_PROXY: 'loopback' } });
    try {
      const res = await attempt(other, victim, TEST_PASSWORD, '203.0.113.1');
      expect(res.status).toBe(429);
      expect(res.body.error.message).toMatch(/try again in 5 minutes/);
    } finally {
      await other.cadre.close();
    }
  });

  it('cannot be used by a stranger to lock the owner out: the lockout is per account and address, and doubles', async () => {
    const victim = world.a.candidate.email;
    for (let i = 0; i < 12; i++) await attempt(t, victim, 'guess', '203.0.113.66');
    expect((await attempt(t, victim, TEST_PASSWORD, '203.0.113.66')).status).toBe(429);
    expect((await attempt(t, victim, TEST_PASSWORD, '198.51.100.7')).status).toBe(200); // the owner, elsewhere

    // The lockout ends; five more failures lock the pair out for twice as long.
    const lockoutMinutes = async () => {
      const { rows } = await t.database.query(`select expire from rate_limits where key like 'login_pair:%' order by expire desc limit 1`);
      return Math.round((Number(rows[0].expire) - Date.now()) / 60_000);
    };
    expect(await lockoutMinutes()).toBe(5);
    await t.database.query(`update rate_limits set expire = $1 where key like 'login_pair:%'`, [Date.now() - 1000]);
    for (let i = 0; i < LOGIN_LIMITS.perAccountIp; i++) expect((await attempt(t, victim, 'guess', '203.0.113.66')).status).toBe(401);
    expect((await attempt(t, victim, 'guess', '203.0.113.66')).status).toBe(429);
    expect(await lockoutMinutes()).toBe(10);
  });

  it('caps guesses at one account from many addresses, except from addresses its owner has logged in from', async () => {
    const victim = world.a.mentor.email;
    expect((await attempt(t, victim, TEST_PASSWORD, '198.51.100.7')).status).toBe(200); // the owner's usual address
    for (let i = 0; i < LOGIN_LIMITS.perAccountPerHour; i++) await attempt(t, victim, 'guess', `203.0.113.${i + 1}`);
    expect((await attempt(t, victim, TEST_PASSWORD, '192.0.2.99')).status).toBe(429);
    expect((await attempt(t, victim, TEST_PASSWORD, '198.51.100.7')).status).toBe(200);
  });

  it('believes X-Forwarded-For only from a configured proxy', async () => {
    const direct = await startTestApp({ database: t.database }); // no TRUST_PROXY
    try {
      const victim = world.b.candidate.email;
      for (let i = 0; i < LOGIN_LIMITS.perAccountIp; i++) await attempt(direct, victim, 'guess', `203.0.113.${i + 10}`);
      // Every guess came from the same peer whatever the header said, so that peer is locked out.
      expect((await attempt(direct, victim, TEST_PASSWORD, '203.0.113.200')).status).toBe(429);
    } finally {
      await direct.cadre.close();
    }
  });
});

/** The same database, with every statement the app sends through `query` recorded (the session store uses it). */
function recording(base: TestDatabase): { database: TestDatabase; statements: string[] } {
  const statements: string[] = [];
  const database: TestDatabase = {
    ...base,
    query: (text, params) => {
      statements.push(text.replace(/\s+/g, ' ').trim().toLowerCase());
      return base.query(text, params);
    },
  };
  return { database, statements };
}

describe('password-reset throttle', () => {
  it('is shared by every node and survives a restart (counters in the database), for known and unknown addresses alike', async () => {
    const reset = (app: TestApp, email: string) => request(app.cadre.server).post('/api/v1/password-resets').set('X-Forwarded-For', '203.0.113.9').send({ email });
    for (const email of [world.b.mentor.email, 'nobody.here@example.test']) {
      for (let i = 0; i < RESET_LIMITS.perAddressPerHour; i++) expect((await reset(t, email)).status).toBe(202);
    }
    // A second node on the same database (or this one after a restart) has the same counts.
    const other = await startTestApp({ database: t.database, config: { TRUST_PROXY: 'loopback' } });
    try {
      for (const email of [world.b.mentor.email, 'nobody.here@example.test']) {
        const res = await reset(other, email);
        expect(res.status).toBe(429);
        expect(res.body.error.message).toMatch(/^Too many reset requests\. Try again in \d+ minutes?/);
      }
      expect((await reset(other, world.b.candidate.email)).status).toBe(202); // another address is not held back
    } finally {
      await other.cadre.close();
    }
  });
});

describe('sessions on GET (issue 14.2)', () => {
  it('write nothing on an unchanged session, touch it at most once a minute, and keep one CSRF cookie', async () => {
    const { database, statements } = recording(t.database);
    const app = await startTestApp({ database });
    const now = jest.spyOn(Date, 'now');
    try {
      const agent = app.anonymous();
      expect((await agent.post('/api/v1/session').send({ email: world.a.lead.email, password: TEST_PASSWORD })).status).toBe(200);
      statements.length = 0;
      const csrfCookies: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await agent.get(i % 2 ? '/api/v1/me' : '/');
        expect(res.status).toBeLessThan(400);
        csrfCookies.push(...([] as string[]).concat(res.headers['set-cookie'] ?? []).filter((c) => c.startsWith('cadre.csrf=')));
      }
      const writes = () => statements.filter((s) => /^(update|insert into) "?session"?/.test(s));
      expect(writes()).toEqual([]);
      expect(csrfCookies.length).toBeLessThanOrEqual(1); // set once for the logged-in session, then reused

      const later = Date.now() + TOUCH_INTERVAL_MS + 1000;
      now.mockImplementation(() => later);
      await agent.get('/api/v1/me');
      await agent.get('/api/v1/me');
      expect(writes()).toHaveLength(1);
      expect(writes()[0]).toMatch(/^update "?session"? set expire/);
    } finally {
      now.mockRestore();
      await app.cadre.close();
    }
  });

  it('reads the actor once, and again at once after a membership change', async () => {
    const member = await buildUser(t.database.db, { organisationId: world.a.org.id, role: 'candidate' });
    await t.database.db.execute(sql`insert into cohort_members (cohort_id, user_id, role) values (${world.a.cohort.id}, ${member.id}, 'candidate')`);
    const agent = await t.loginAs(member.email);
    const cohortsOf = async () => ((await agent.get('/api/v1/me')).body.cohorts as { id: string }[]).map((c) => c.id);
    expect(await cohortsOf()).toEqual([world.a.cohort.id]);
    const admin = await t.loginAs(world.admin.email);
    expect((await admin.delete(`/api/v1/cohorts/${world.a.cohort.id}/members/${member.id}/candidate`)).status).toBe(204);
    expect(await cohortsOf()).toEqual([]);
    expect((await agent.get(`/api/v1/cohorts/${world.a.cohort.id}`)).status).toBe(404);
  });
});
