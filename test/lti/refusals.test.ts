/** Every refusal of a launch is a page that says what was wrong, is logged, and signs nobody in: bad signature, wrong
 * audience, replayed nonce or state, expired token, unknown deployment, unknown kid, and the rest. A rotated platform
 * key is fetched again when its kid is new. */
import { Writable } from 'node:stream';
import pino from 'pino';
import type TestAgent from 'supertest/lib/agent';
import type { JWTPayload } from 'jose';
import { C, R, type LaunchSpec } from './platform';
import { launch, postLaunch, startLogin, startLtiWorld, type LtiWorld } from './support';

const logged: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let w: LtiWorld;
beforeAll(async () => {
  w = await startLtiWorld({ logger: pino({ level: 'warn' }, sink) });
}, 120_000);
afterAll(() => w.stop());

const learner: LaunchSpec = { user: { sub: 'lms-refused', name: 'Rae Refused', email: 'rae@riverside.example', roles: [R.learner] } };

/** Signs a launch for a fresh login (state and nonce from Cadre), changed by `edit`, and posts it. */
async function forged(agent: TestAgent, edit: (claims: JWTPayload) => void = () => undefined, sign: Parameters<LtiWorld['platform']['sign']>[1] = {}) {
  const { state, nonce } = await startLogin(w, agent);
  const claims = w.platform.claimsFor(learner, nonce);
  edit(claims);
  const res = await postLaunch(w, agent, await w.platform.sign(claims, sign), state);
  return { res, state, claims };
}

async function expectRefused(agent: TestAgent, res: { status: number; text: string }, status: number, sentence: string, code: string) {
  expect(res.status).toBe(status);
  expect(res.text).toContain('Cadre could not open this launch');
  expect(res.text).toContain(sentence);
  expect(res.text).not.toContain('name="token"');
  // Nobody was signed in.
  const after = await agent.get('/cohorts');
  expect(after.status).toBe(302);
  expect(after.headers.location).toMatch(/^\/login/);
  expect(logged.some((l) => (l.lti as { code?: string } | undefined)?.code === `lti_${code}`)).toBe(true);
}

describe('LTI launch refusals', () => {
  it('a bad signature', async () => {
    const agent = w.t.anonymous();
    const { res } = await forged(agent, undefined, { tamper: true });
    await expectRefused(agent, res, 401, 'signature does not match the platform’s key', 'bad_signature');
  });

  it('a wrong audience', async () => {
    const agent = w.t.anonymous();
    const { res } = await forged(agent, (c) => void (c.aud = 'another-tool'));
    await expectRefused(agent, res, 401, 'addressed to another tool', 'wrong_audience');
  });

  it('an azp that is not the client id', async () => {
    const agent = w.t.anonymous();
    const { res } = await forged(agent, (c) => void ((c.aud = [w.platform.clientId, 'another-tool']), (c.azp = 'another-tool')));
    await expectRefused(agent, res, 401, 'authorised party (azp)', 'wrong_azp');
  });

  it('a replayed launch: the same state and token twice', async () => {
    const agent = w.t.anonymous();
    const { state, nonce } = await startLogin(w, agent);
    const token = await w.platform.sign(w.platform.claimsFor(learner, nonce));
    const fresh = w.t.anonymous();
    expect((await postLaunch(w, fresh, token, state)).status).toBe(200);
    const replay = await postLaunch(w, fresh, token, state);
    await expectRefused(fresh, replay, 400, 'has been used already', 'replayed');
  });

  it('a replayed nonce: an old id_token with a new login’s state', async () => {
    const agent = w.t.anonymous();
    const first = await startLogin(w, agent);
    const old = await w.platform.sign(w.platform.claimsFor(learner, first.nonce));
    const second = await startLogin(w, agent);
    const res = await postLaunch(w, agent, old, second.state);
    await expectRefused(agent, res, 401, 'nonce does not belong to this login', 'replayed');
  });

  it('an expired token', async () => {
    const agent = w.t.anonymous();
    const now = Math.floor(Date.now() / 1000);
    const { res } = await forged(agent, (c) => void ((c.iat = now - 400), (c.exp = now - 300)));
    await expectRefused(agent, res, 401, 'has expired', 'expired');
  });

  it('an issue time in the future, beyond the allowed skew', async () => {
    const agent = w.t.anonymous();
    const now = Math.floor(Date.now() / 1000);
    const { res } = await forged(agent, (c) => void ((c.iat = now + 600), (c.exp = now + 900)));
    await expectRefused(agent, res, 401, 'issue time', 'bad_iat');
  });

  it('a small clock skew is tolerated', async () => {
    const agent = w.t.anonymous();
    const now = Math.floor(Date.now() / 1000);
    const { res } = await forged(agent, (c) => void ((c.iat = now + 20), (c.exp = now + 300)));
    expect(res.status).toBe(200);
  });

  it('an unknown deployment', async () => {
    const agent = w.t.anonymous();
    const { res } = await forged(agent, (c) => void (c[C.deploymentId] = 'deployment-elsewhere'));
    await expectRefused(agent, res, 403, 'deployment (“deployment-elsewhere”) this registration does not list', 'unknown_deployment');
  });

  it('an unknown kid (a key the platform does not publish)', async () => {
    const agent = w.t.anonymous();
    const served = w.platform.jwksServed;
    const { res } = await forged(agent, undefined, { unlistedKey: true });
    await expectRefused(agent, res, 401, 'key id “not-published”', 'unknown_kid');
    expect(w.platform.jwksServed).toBeGreaterThan(served); // it looked again before refusing
  });

  it('a wrong issuer, message type or version', async () => {
    for (const [edit, sentence, code] of [
      [(c: JWTPayload) => void (c.iss = 'https://elsewhere.example'), 'comes from another platform', 'wrong_issuer'],
      [(c: JWTPayload) => void (c[C.messageType] = 'LtiSubmissionReviewRequest'), '“LtiSubmissionReviewRequest” message', 'wrong_message_type'],
      [(c: JWTPayload) => void (c[C.version] = '1.1'), 'LTI version “1.1”', 'wrong_version'],
    ] as const) {
      const agent = w.t.anonymous();
      const { res } = await forged(agent, edit);
      await expectRefused(agent, res, res.status, sentence, code);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('no id_token, an unknown state, a login from an unregistered platform, and a used entry token', async () => {
    const agent = w.t.anonymous();
    await expectRefused(agent, await agent.post('/lti/launch').type('form').send({}), 400, 'sent no id_token', 'no_token');
    await expectRefused(agent, await postLaunch(w, agent, await w.platform.sign({ sub: 'x' }), 'made-up-state'), 400, 'state is unknown', 'unknown_state');
    const login = await agent.get('/lti/login').query({ iss: 'https://unknown.example', login_hint: 'x', target_link_uri: `${w.base}/lti/launch` });
    await expectRefused(agent, login, 404, 'No platform with the issuer “https://unknown.example”', 'unknown_platform');
    const offsite = await agent.get('/lti/login').query({ iss: w.platform.issuer, login_hint: 'x', target_link_uri: 'https://evil.example/lti/launch' });
    await expectRefused(agent, offsite, 400, 'points at another site', 'bad_target');
    const steps = await launch(w, agent, learner, { follow: false });
    const reuse = await w.t.anonymous().post('/lti/enter').type('form').send({ token: steps.token });
    expect(reuse.status).toBe(400);
    expect(reuse.text).toContain('has been used already or has expired');
  });

  it('fetches the platform’s key set again when a launch names a new kid (key rotation)', async () => {
    await w.platform.rotateKey();
    const served = w.platform.jwksServed;
    const steps = await launch(w, w.t.anonymous(), { ...learner, user: { ...learner.user, sub: 'lms-rotated' } }, { follow: false });
    expect(steps.launch.status).toBe(200);
    expect(steps.launch.text).toContain('Opening Cadre');
    expect(w.platform.jwksServed).toBe(served + 1);
    // Cached afterwards: another launch does not fetch it again.
    await launch(w, w.t.anonymous(), { ...learner, user: { ...learner.user, sub: 'lms-rotated-2' } }, { follow: false });
    expect(w.platform.jwksServed).toBe(served + 1);
  });
});
