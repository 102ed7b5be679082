/** A running Cadre (on a known loopback port, so PUBLIC_URL is right) with a test platform registered for tenant A,
 * and the launch handshake driven step by step as a browser would: login → authorization → id_token POST → entry. */
import { createServer } from 'node:net';
import type TestAgent from 'supertest/lib/agent';
import type { Response } from 'supertest';
import { cohortStages } from '../../server/db/tables';
import type { Logger } from '../../server/logger';
import { createRubric } from '../../server/rubrics/commands';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';
import { startPlatform, type LaunchSpec, type TestPlatform } from './platform';

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Cadre, the platform, a two-tenant world whose cohort A has two stages (a mentor-marked one and a rubric gate). */
export type LtiWorld = { t: TestApp; base: string; platform: TestPlatform; world: World; registrationId: string; stages: { marked: string; gated: string }; rubricKey: string; stop(): Promise<void> };

/** The rubric the gated stage asks for. */
export const RUBRIC_KEY = 'lti-practical';

/** Boots everything; the platform is registered for tenant A by the admin through the API. */
export async function startLtiWorld(options: { registration?: Record<string, unknown>; logger?: Logger; config?: Record<string, string> } = {}): Promise<LtiWorld> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ config: { PORT: String(port), PUBLIC_URL: base, ...options.config }, jobPollSeconds: 0.5, lti: { jwksCooldownMs: 0, gradeRetryDelaySeconds: 1 }, logger: options.logger });
  await t.listen(port);
  const platform = await startPlatform(base);
  const db = t.database.db;
  const world = await buildWorld(db);
  await createRubric(db, null, {
    key: RUBRIC_KEY,
    name: 'Practical session',
    passThreshold: 60,
    levels: [
      { label: 'Not yet', points: 0 },
      { label: 'Developing', points: 1 },
      { label: 'Competent', points: 2 },
    ],
    criteria: [
      { title: 'Calm presence', weight: 2, mustPass: false, passLevel: 1, descriptors: ['', '', ''] },
      { title: 'Least restrictive option', weight: 1, mustPass: true, passLevel: 2, descriptors: ['', '', ''] },
    ],
  });
  const [marked, gated] = await db
    .insert(cohortStages)
    .values([
      { cohortId: world.a.cohort.id, position: 1, moduleKey: 'transfer-week', title: 'Transfer week', completeRequirements: [{ kind: 'mentor-marked-complete', params: {} }] },
      { cohortId: world.a.cohort.id, position: 2, moduleKey: 'co-delivery', title: 'Co-delivery', completeRequirements: [{ kind: 'rubric-passed', params: { rubric: RUBRIC_KEY } }] },
    ])
    .returning();
  const admin = await t.loginAs(world.admin.email);
  const res = await admin.post('/api/v1/lti/registrations').send({
    organisationId: world.a.org.id,
    name: 'Riverside Moodle',
    issuer: platform.issuer,
    clientId: platform.clientId,
    deploymentIds: [platform.deploymentId],
    authLoginUrl: platform.authUrl,
    accessTokenUrl: platform.tokenUrl,
    jwksUrl: platform.jwksUrl,
    ...options.registration,
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    t,
    base,
    platform,
    world,
    registrationId: res.body.id as string,
    stages: { marked: marked.id, gated: gated.id },
    rubricKey: RUBRIC_KEY,
    async stop() {
      await platform.stop();
      await t.stop();
    },
  };
}

/** What each step of a launch answered. */
export type LaunchSteps = { login: Response; launch: Response; enter?: Response; landing?: Response; token?: string };

/** Drives a launch like a browser: third-party-initiated login, the platform's authorization page, the id_token POST,
 * then (when the page offers it) the entry token exchange and the landing redirect. */
export async function launch(w: LtiWorld, agent: TestAgent, spec: LaunchSpec, options: { target?: 'launch' | 'deep-link'; method?: 'get' | 'post'; follow?: boolean } = {}): Promise<LaunchSteps> {
  const hint = w.platform.prepare(spec);
  const params = { iss: w.platform.issuer, login_hint: hint, target_link_uri: `${w.base}/lti/${options.target ?? 'launch'}`, lti_message_hint: 'course-101', client_id: w.platform.clientId, lti_deployment_id: w.platform.deploymentId };
  const login = options.method === 'post' ? await agent.post('/lti/login').type('form').send(params) : await agent.get('/lti/login').query(params);
  if (login.status !== 302) return { login, launch: login };
  const auth = await fetch(String(login.headers.location));
  const html = await auth.text();
  if (!auth.ok) throw new Error(`the platform refused the authorization request: ${html}`);
  const action = /action="([^"]+)"/.exec(html)?.[1] as string;
  const idToken = /name="id_token" value="([^"]+)"/.exec(html)?.[1] as string;
  const state = /name="state" value="([^"]+)"/.exec(html)?.[1] as string;
  const launched = await agent.post(new URL(action).pathname).type('form').send({ id_token: idToken, state });
  const token = /name="token" value="([^"]+)"/.exec(launched.text)?.[1];
  if (!token || launched.text.includes('action="/lti/connect"')) return { login, launch: launched, token };
  const enter = await agent.post('/lti/enter').type('form').send({ token });
  if (options.follow === false || enter.status !== 303) return { login, launch: launched, enter, token };
  let landing = await agent.get(String(enter.headers.location));
  for (let i = 0; i < 3 && landing.status === 303; i++) landing = await agent.get(String(landing.headers.location));
  return { login, launch: launched, enter, landing, token };
}

/** Posts an id_token and state straight to the launch address (for refusals that need a hand-made token). */
export async function postLaunch(w: LtiWorld, agent: TestAgent, idToken: string, state: string): Promise<Response> {
  return agent.post('/lti/launch').type('form').send({ id_token: idToken, state });
}

/** Starts a login and returns the state and nonce the tool handed the platform (as the platform would see them). */
export async function startLogin(w: LtiWorld, agent: TestAgent): Promise<{ state: string; nonce: string }> {
  const res = await agent.get('/lti/login').query({ iss: w.platform.issuer, login_hint: 'x', target_link_uri: `${w.base}/lti/launch`, client_id: w.platform.clientId });
  const loc = new URL(String(res.headers.location));
  return { state: loc.searchParams.get('state') as string, nonce: loc.searchParams.get('nonce') as string };
}

/** Waits until `check` holds (job workers run in the background), polling; fails with `what` after ~15 s. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for: ${what}`);
}
