/** LMS connections for admins: registering a platform by the page form (defaults saved, errors named), the values to
 * paste, the tool's key set with rotation (the old key still published), and cookies and framing in an LTI session. */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { ltiKeys } from '../../server/db/tables';
import { signJwt } from '../../server/lti/keys';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';
import { R } from './platform';
import { launch, startLtiWorld, type LtiWorld } from './support';

describe('LMS connections (admin)', () => {
  let t: TestApp;
  let world: World;
  beforeAll(async () => {
    t = await startTestApp();
    world = await buildWorld(t.database.db);
  }, 60_000);
  afterAll(() => t.stop());

  it('registers a platform from the form with its defaults, then shows the values to paste, labelled', async () => {
    const admin = await t.loginAs(world.admin.email);
    const page = await admin.get('/admin/lti');
    expect(page.status).toBe(200);
    expect(page.text).toContain('OIDC login initiation URL');
    expect(page.text).toContain(`${t.config.publicUrl}/lti/login`);
    expect(page.text).toContain(`${t.config.publicUrl}/.well-known/jwks.json`);
    // The form ticks the defaults: learners join, e-mail trusted; administrators are not made leads.
    expect(page.text).toMatch(/id="reg-learnersJoin" name="learnersJoin" checked/);
    expect(page.text).toMatch(/id="reg-adminsLead" name="adminsLead" >/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const bad = await admin.post('/admin/lti/registrations').type('form').send({ _csrf: csrf, organisationId: world.a.org.id, name: 'Moodle', issuer: 'not a url', clientId: 'abc', deploymentIds: '1', authLoginUrl: 'https://m.example/auth', accessTokenUrl: 'https://m.example/token', jwksUrl: 'https://m.example/jwks', learnersJoin: 'on', trustEmail: 'on' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#reg-issuer"');
    expect(bad.text).toContain('must be a web address');
    const ok = await admin.post('/admin/lti/registrations').type('form').send({ _csrf: csrf, organisationId: world.a.org.id, name: 'Riverside Moodle', issuer: 'https://moodle.riverside.example', clientId: 'Xyz123', deploymentIds: '1\n2', authLoginUrl: 'https://moodle.riverside.example/mod/lti/auth.php', accessTokenUrl: 'https://moodle.riverside.example/mod/lti/token.php', jwksUrl: 'https://moodle.riverside.example/mod/lti/certs.php', learnersJoin: 'on', trustEmail: 'on' });
    expect(ok.status).toBe(303);
    const one = await admin.get(ok.headers.location);
    expect(one.text).toContain('Registered. Now paste the values below into the LMS.');
    expect(one.text).toContain('Client A');
    const api = await admin.get('/api/v1/lti/registrations');
    expect(api.body.registrations).toEqual([expect.objectContaining({ name: 'Riverside Moodle', deploymentIds: ['1', '2'], learnersJoin: true, adminsLead: false, trustEmail: true, organisationName: 'Client A' })]);
    expect(JSON.stringify(api.body)).not.toMatch(/"d"|private/i);
    // The same issuer and client id again: a sentence naming the field.
    const dup = await admin.post('/api/v1/lti/registrations').send({ organisationId: world.a.org.id, name: 'Again', issuer: 'https://moodle.riverside.example', clientId: 'Xyz123', deploymentIds: ['3'], authLoginUrl: 'https://moodle.riverside.example/a', accessTokenUrl: 'https://moodle.riverside.example/t', jwksUrl: 'https://moodle.riverside.example/j' });
    expect(dup.status).toBe(400);
    expect(dup.body.error.fields).toEqual([{ field: 'clientId', message: 'The client ID is already registered for this issuer.' }]);
    // Only client organisations.
    const provider = await admin.post('/api/v1/lti/registrations').send({ organisationId: world.provider.id, name: 'P', issuer: 'https://p.example', clientId: 'p', deploymentIds: ['1'], authLoginUrl: 'https://p.example/a', accessTokenUrl: 'https://p.example/t', jwksUrl: 'https://p.example/j' });
    expect(provider.status).toBe(400);
    expect(provider.body.error.fields[0].field).toBe('organisationId');
  });

  it('publishes only public keys; after rotation the old key stays published and new signatures use the new key', async () => {
    const anon = t.anonymous();
    const first = await anon.get('/.well-known/jwks.json');
    expect(first.status).toBe(200);
    expect(first.body.keys).toHaveLength(1);
    for (const k of first.body.keys) {
      expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k[secret]).toBeUndefined();
    }
    const admin = await t.loginAs(world.admin.email);
    const rotated = await admin.post('/api/v1/lti/keys/rotation').send({});
    expect(rotated.status).toBe(201);
    expect(rotated.body.keys.map((k: { status: string }) => k.status)).toEqual(['retired', 'active']);
    const after = await anon.get('/.well-known/jwks.json');
    expect(after.body.keys.map((k: { kid: string }) => k.kid)).toEqual([first.body.keys[0].kid, rotated.body.keys[1].kid]);
    expect(decodeProtectedHeader(await signJwt(t.database.db, { iss: 'x' })).kid).toBe(rotated.body.keys[1].kid);
    const page = await admin.get('/admin/lti');
    expect(page.text).toContain('Retired key, still published until');
  });

  it('rotations at once each retire the key before them and leave exactly one active key (they take a lock)', async () => {
    const admins = await Promise.all([1, 2, 3].map(() => t.loginAs(world.admin.email)));
    const answers = await Promise.all(admins.map((a) => a.post('/api/v1/lti/keys/rotation').send({})));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201]);
    const keys = await t.database.db.select({ status: ltiKeys.status }).from(ltiKeys);
    expect(keys.filter((k) => k.status === 'active')).toHaveLength(1);
  });
});

describe('an LTI session', () => {
  let w: LtiWorld;
  beforeAll(async () => {
    w = await startLtiWorld();
  }, 120_000);
  afterAll(() => w.stop());

  it('may be framed only by its platform; a normal session’s pages never', async () => {
    const agent = w.t.anonymous();
    const steps = await launch(w, agent, { user: { sub: 'lms-https', name: 'Hana Https', email: 'hana@riverside.example', roles: [R.learner] } }, { follow: false });
    expect(steps.launch.headers['content-security-policy']).toMatch(new RegExp(`frame-ancestors ${w.platform.url}(;|$)`));
    const page = await agent.get('/cohorts');
    expect(page.headers['content-security-policy']).toMatch(new RegExp(`frame-ancestors ${w.platform.url}(;|$)`));
    // A normal session's pages are never framed.
    const admin = await w.t.loginAs(w.world.admin.email);
    expect((await admin.get('/cohorts')).headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('signs deep linking responses and service assertions with a key the tool publishes', async () => {
    const jwks = createRemoteJWKSet(new URL(`${w.base}/.well-known/jwks.json`));
    const jwt = await signJwt(w.t.database.db, { iss: 'x', aud: 'y' });
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    await expect(jwtVerify(jwt, jwks, { issuer: 'x', audience: 'y' })).resolves.toBeTruthy();
  });
});

describe('an LTI session behind HTTPS', () => {
  let w: LtiWorld;
  beforeAll(async () => {
    w = await startLtiWorld({ config: { TRUST_PROXY: 'loopback' } });
  }, 120_000);
  afterAll(() => w.stop());

  it('sets its session and probe cookies SameSite=None; Secure', async () => {
    const agent = w.t.anonymous();
    const hint = w.platform.prepare({ user: { sub: 'lms-secure', name: 'Sam Secure', email: 'sam@riverside.example', roles: [R.learner] } });
    const login = await agent.get('/lti/login').set('X-Forwarded-Proto', 'https').query({ iss: w.platform.issuer, login_hint: hint, target_link_uri: `${w.base}/lti/launch`, client_id: w.platform.clientId });
    const html = await (await fetch(String(login.headers.location))).text();
    const idToken = /name="id_token" value="([^"]+)"/.exec(html)?.[1] as string;
    const state = /name="state" value="([^"]+)"/.exec(html)?.[1] as string;
    const launched = await agent.post('/lti/launch').set('X-Forwarded-Proto', 'https').type('form').send({ id_token: idToken, state });
    expect(launched.status).toBe(200);
    const probe = (launched.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cadre.lti-probe='));
    expect(probe).toMatch(/SameSite=None/i);
    expect(probe).toMatch(/Secure/);
    const token = /name="token" value="([^"]+)"/.exec(launched.text)?.[1] as string;
    const entered = await agent.post('/lti/enter').set('X-Forwarded-Proto', 'https').type('form').send({ token });
    expect(entered.status).toBe(303);
    const session = (entered.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cadre.sid='));
    expect(session).toMatch(/SameSite=None/i);
    expect(session).toMatch(/Secure/);
    expect(session).toMatch(/HttpOnly/);
    // A page of the session with a form: its CSRF cookie is framable too, so forms work inside the LMS frame.
    // (A Secure cookie is never sent over plain HTTP by the test agent: send it as the browser behind the proxy would.)
    const page = await w.t.anonymous().get('/cohorts').set('X-Forwarded-Proto', 'https').set('Cookie', String(session).split(';')[0]);
    expect(page.status).toBe(200);
    const csrf = ((page.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('cadre.csrf='));
    expect(csrf).toMatch(/SameSite=None/i);
    expect(csrf).toMatch(/Secure/);
  });
});
