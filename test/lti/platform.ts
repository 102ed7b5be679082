/** An LTI 1.3 platform written for the tests, served over real HTTP on loopback: its own RSA keys (JWKS), the OIDC
 * authorization endpoint, an OAuth 2 token endpoint that checks the tool's signed client assertion against the
 * tool's published key set, and NRPS and AGS endpoints that check the bearer token and keep what they receive. */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
/** Claim names the platform writes (spelled out here, independent of Cadre's own constants). */
export const C = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  custom: `${LTI}custom`,
  launchPresentation: `${LTI}launch_presentation`,
  dlSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  contentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  dlData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
};
/** Role URIs. */
export const R = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  institutionAdmin: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
};

type Key = { kid: string; privateKey: CryptoKey; jwk: JWK };
async function makeKey(kid: string): Promise<Key> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** A person the platform can launch. */
export type PlatformUser = { sub: string; name: string; email?: string; roles: string[] };
/** A member of the course roster (NRPS). */
export type RosterEntry = { user_id: string; name: string; email?: string; roles: string[]; status?: string };
/** A score the AGS endpoint received, with the token's scopes. */
export type ReceivedScore = { lineItemId: string; body: Record<string, unknown>; contentType: string; scopes: string[] };

/** What a launch message is about. */
export type LaunchSpec = {
  user: PlatformUser;
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  resourceLinkId?: string;
  custom?: Record<string, string>;
  /** Claims to change or remove (undefined) after the defaults are written. */
  override?: (claims: JWTPayload) => void;
  /** Sign with a key the platform does not publish. */
  unlistedKey?: boolean;
  /** Change the header's kid (with the signing key kept). */
  kid?: string;
  /** Tamper with the token after signing. */
  tamper?: boolean;
};

/** A running test platform. */
export type TestPlatform = {
  url: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  contextId: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  /** How often the platform served its key set. */
  jwksServed: number;
  roster: RosterEntry[];
  scores: ReceivedScore[];
  lineItems: { id: string; label: string; scoreMaximum: number; resourceId?: string; tag?: string; resourceLinkId?: string }[];
  tokensIssued: { scopes: string[] }[];
  /** The deep-linking responses that came back (verified with the tool's JWKS). */
  deepLinkReturns: JWTPayload[];
  /** Answer the next `n` score posts with this status (503: the tool should retry). */
  failScores(n: number, status?: number): void;
  /** Makes a new key the signing key and publishes it beside the old one. */
  rotateKey(): Promise<void>;
  /** Prepares a launch for `login_hint`; returns the hint. */
  prepare(spec: LaunchSpec): string;
  /** The id_token claims the authorization endpoint would write for `spec` and `nonce`. */
  claimsFor(spec: LaunchSpec, nonce: string): JWTPayload;
  /** Signs an id_token like the authorization endpoint does (for refusal tests that skip the browser steps). */
  sign(claims: JWTPayload, spec?: Pick<LaunchSpec, 'unlistedKey' | 'kid' | 'tamper'>): Promise<string>;
  stop(): Promise<void>;
};

/** Starts a platform on loopback for a tool at `toolUrl` (Cadre's PUBLIC_URL). `host` names it in its own addresses
 * (`localhost` makes it another site than a tool on 127.0.0.1, as an LMS is for a browser). */
export async function startPlatform(toolUrl: string, options: { host?: string } = {}): Promise<TestPlatform> {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json({ type: ['application/json', 'application/*+json'] }));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const url = `http://${options.host ?? '127.0.0.1'}:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const keys: Key[] = [await makeKey('platform-1')];
  let signing = keys[0];
  const unlisted = await makeKey('not-published');
  const pending = new Map<string, LaunchSpec>();
  const tokens = new Map<string, string[]>();
  const toolKeys = createRemoteJWKSet(new URL(`${toolUrl}/.well-known/jwks.json`), { cooldownDuration: 0 });
  let failing = { n: 0, status: 503 };

  const p: TestPlatform = {
    url,
    issuer: url,
    clientId: `cadre-${randomBytes(3).toString('hex')}`,
    deploymentId: 'deployment-1',
    contextId: 'course-101',
    authUrl: `${url}/auth`,
    tokenUrl: `${url}/token`,
    jwksUrl: `${url}/jwks`,
    jwksServed: 0,
    roster: [],
    scores: [],
    lineItems: [],
    tokensIssued: [],
    deepLinkReturns: [],
    failScores(n, status = 503) {
      failing = { n, status };
    },
    async rotateKey() {
      signing = await makeKey(`platform-${keys.length + 1}`);
      keys.push(signing);
    },
    prepare(spec) {
      const hint = randomUUID();
      pending.set(hint, spec);
      return hint;
    },
    async sign(claims, spec = {}) {
      const key = spec.unlistedKey ? unlisted : signing;
      const jwt = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: spec.kid ?? key.kid, typ: 'JWT' }).sign(key.privateKey);
      if (!spec.tamper) return jwt;
      const [h, body, s] = jwt.split('.');
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as JWTPayload;
      payload.name = 'Someone Else';
      return [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    },
    claimsFor: () => ({}),
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };

  const ctxUrl = `${url}/courses/${p.contextId}`;
  const launchClaims = (spec: LaunchSpec, nonce: string): JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    const type = spec.messageType ?? 'LtiResourceLinkRequest';
    const claims: JWTPayload = {
      iss: p.issuer,
      aud: p.clientId,
      sub: spec.user.sub,
      iat: now,
      exp: now + 300,
      nonce,
      name: spec.user.name,
      ...(spec.user.email ? { email: spec.user.email } : {}),
      [C.messageType]: type,
      [C.version]: '1.3.0',
      [C.deploymentId]: p.deploymentId,
      [C.roles]: spec.user.roles,
      [C.context]: { id: p.contextId, label: 'DE-101', title: 'De-escalation in practice' },
      [C.launchPresentation]: { document_target: 'iframe', return_url: `${url}/courses/${p.contextId}/return` },
      [C.nrps]: { context_memberships_url: `${ctxUrl}/memberships`, service_versions: ['2.0'] },
      [C.ags]: { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitems: `${ctxUrl}/lineitems` },
    };
    if (type === 'LtiResourceLinkRequest') {
      claims[C.targetLinkUri] = `${toolUrl}/lti/launch`;
      claims[C.resourceLink] = { id: spec.resourceLinkId ?? 'link-1', title: 'Cadre: restraint reduction' };
      if (spec.custom) claims[C.custom] = spec.custom;
    } else {
      claims[C.dlSettings] = { deep_link_return_url: `${url}/deep-link-return`, accept_types: ['ltiResourceLink'], accept_presentation_document_targets: ['iframe', 'window'], accept_lineitem: true, data: 'opaque-platform-data' };
    }
    spec.override?.(claims);
    return claims;
  };

  p.claimsFor = launchClaims;

  // A course page embedding the tool in an iframe, as an LMS does; the frame starts the third-party-initiated login.
  app.get('/course', (req, res) => {
    const target = req.query.target === 'deep-link' ? 'deep-link' : 'launch';
    res.type('html').send(`<!doctype html><html lang="en"><head><title>De-escalation in practice</title></head><body><main><h1>De-escalation in practice</h1><iframe title="Cadre" src="/start?hint=${encodeURIComponent(String(req.query.hint))}&target=${target}" width="740" height="900"></iframe></main></body></html>`);
  });
  app.get('/start', (req, res) => {
    const fields = { iss: p.issuer, login_hint: String(req.query.hint), target_link_uri: `${toolUrl}/lti/${req.query.target === 'deep-link' ? 'deep-link' : 'launch'}`, client_id: p.clientId, lti_deployment_id: p.deploymentId };
    const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`).join('');
    res.type('html').send(`<!doctype html><html lang="en"><title>Opening the tool</title><form method="post" action="${toolUrl}/lti/login">${inputs}</form><script>document.forms[0].submit()</script></html>`);
  });

  app.get('/jwks', (_req, res) => {
    p.jwksServed += 1;
    res.json({ keys: keys.map((k) => k.jwk) });
  });

  // OIDC authorization endpoint: checks the request as a platform would, then auto-posts the id_token to the tool.
  app.get('/auth', async (req, res) => {
    const q = req.query as Record<string, string>;
    const problems = [
      q.scope !== 'openid' && 'scope',
      q.response_type !== 'id_token' && 'response_type',
      q.response_mode !== 'form_post' && 'response_mode',
      q.prompt !== 'none' && 'prompt',
      q.client_id !== p.clientId && 'client_id',
      ![`${toolUrl}/lti/launch`, `${toolUrl}/lti/deep-link`].includes(q.redirect_uri) && 'redirect_uri',
      !q.state && 'state',
      !q.nonce && 'nonce',
    ].filter(Boolean);
    const spec = pending.get(q.login_hint);
    if (problems.length || !spec) return res.status(400).send(`bad authorization request: ${problems.join(', ') || 'login_hint'}`);
    const idToken = await p.sign(launchClaims(spec, q.nonce), spec);
    res.type('html').send(`<!doctype html><html lang="en"><title>Signing in</title><form method="post" action="${q.redirect_uri}"><input type="hidden" name="id_token" value="${idToken}"><input type="hidden" name="state" value="${q.state}"></form><script>document.forms[0].submit()</script></html>`);
  });

  app.post('/token', async (req, res) => {
    const b = req.body as Record<string, string>;
    if (b.grant_type !== 'client_credentials' || b.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return res.status(400).json({ error: 'unsupported_grant_type' });
    try {
      const { payload } = await jwtVerify(b.client_assertion, toolKeys, { issuer: p.clientId, subject: p.clientId, audience: p.tokenUrl, algorithms: ['RS256'] });
      if (!payload.jti) throw new Error('no jti');
    } catch {
      return res.status(401).json({ error: 'invalid_client' });
    }
    const token = randomBytes(16).toString('hex');
    const scopes = String(b.scope ?? '').split(' ').filter(Boolean);
    tokens.set(token, scopes);
    p.tokensIssued.push({ scopes });
    res.json({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: scopes.join(' ') });
  });

  const bearer = (req: express.Request, scope: string): string[] | null => {
    const m = /^Bearer (\w+)$/.exec(req.headers.authorization ?? '');
    const scopes = m ? tokens.get(m[1]) : undefined;
    return scopes && scopes.includes(scope) ? scopes : null;
  };

  app.get('/courses/:contextId/memberships', (req, res) => {
    if (!bearer(req, 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly')) return res.status(401).json({ error: 'unauthorized' });
    if (!String(req.headers.accept).includes('application/vnd.ims.lti-nrps.v2.membershipcontainer+json')) return res.status(406).end();
    // Two pages, to make the tool follow `Link: rel="next"`.
    const page = Number(req.query.page ?? 1);
    const half = Math.ceil(p.roster.length / 2);
    const members = page === 1 ? p.roster.slice(0, half) : p.roster.slice(half);
    if (page === 1) res.setHeader('Link', `<${ctxUrl}/memberships?page=2>; rel="next"`);
    res.type('application/vnd.ims.lti-nrps.v2.membershipcontainer+json').send(JSON.stringify({ id: `${ctxUrl}/memberships`, context: { id: p.contextId, title: 'De-escalation in practice' }, members }));
  });

  app.get('/courses/:contextId/lineitems', (req, res) => {
    if (!bearer(req, 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem')) return res.status(401).end();
    const rl = req.query.resource_link_id;
    res.type('application/vnd.ims.lis.v2.lineitemcontainer+json').send(JSON.stringify(p.lineItems.filter((l) => !rl || l.resourceLinkId === rl)));
  });

  app.post('/courses/:contextId/lineitems', (req, res) => {
    if (!bearer(req, 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem')) return res.status(401).end();
    if (req.headers['content-type'] !== 'application/vnd.ims.lis.v2.lineitem+json') return res.status(415).end();
    const b = req.body as { label: string; scoreMaximum: number; resourceId?: string; tag?: string; resourceLinkId?: string };
    const item = { id: `${ctxUrl}/lineitems/${p.lineItems.length + 1}?type=cadre`, label: b.label, scoreMaximum: b.scoreMaximum, resourceId: b.resourceId, tag: b.tag, resourceLinkId: b.resourceLinkId };
    p.lineItems.push(item);
    res.status(201).type('application/vnd.ims.lis.v2.lineitem+json').send(JSON.stringify(item));
  });

  app.post('/courses/:contextId/lineitems/:itemId/scores', (req, res) => {
    const scopes = bearer(req, 'https://purl.imsglobal.org/spec/lti-ags/scope/score');
    if (!scopes) return res.status(401).end();
    if (failing.n > 0) {
      failing.n -= 1;
      return res.status(failing.status).send('try again later');
    }
    p.scores.push({ lineItemId: `${ctxUrl}/lineitems/${req.params.itemId}?type=${String(req.query.type)}`, body: req.body as Record<string, unknown>, contentType: String(req.headers['content-type']), scopes });
    res.status(200).json({ resultUrl: `${ctxUrl}/lineitems/${req.params.itemId}/results/${p.scores.length}` });
  });

  app.post('/deep-link-return', async (req, res) => {
    const tool = createRemoteJWKSet(new URL(`${toolUrl}/.well-known/jwks.json`));
    try {
      const { payload } = await jwtVerify(String((req.body as { JWT?: string }).JWT), tool, { issuer: p.clientId, audience: p.issuer, algorithms: ['RS256'] });
      p.deepLinkReturns.push(payload);
      res.type('html').send('<!doctype html><html lang="en"><title>Course</title><h1>Item added</h1></html>');
    } catch (err) {
      res.status(400).send(`deep linking response refused: ${(err as Error).message}`);
    }
  });

  return p;
}
