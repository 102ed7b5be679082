/** Matrix rows for the LTI routes: the public protocol endpoints, the launch pages (which need the session of a launch:
 * none of the matrix's sessions has one, so they are not found), course link rosters, and LMS connections (admins). */
import { randomBytes, randomUUID } from 'node:crypto';
import { ltiDeployments, ltiLaunches, ltiRegistrations, ltiResourceLinks, ltiRosterSyncs } from '../../../server/db/tables';
import { addToCohort, buildUser } from '../../support/factories';
import { digest } from '../../../server/lti/verify';
import { startPlatform, type TestPlatform } from '../../lti/platform';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const nobody: RoleExpectations = { admin: 404, lead: 404, mentor: 404, candidate: 404 };
const staff: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 403 };
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const noRosterYet: RoleExpectations = { admin: 409, lead: 409, mentor: 409, candidate: 403 };

/** A registration for the tenant's organisation (made once per scope). */
function registration(c: RowContext) {
  return c.memo('lti-registration', async () => {
    const [reg] = await c.db
      .insert(ltiRegistrations)
      .values({ organisationId: c.tenant.org.id, name: `LMS ${c.uniq()}`, issuer: `https://lms-${c.uniq()}.example`, clientId: 'matrix', authLoginUrl: 'https://lms.example/auth', accessTokenUrl: 'https://lms.example/token', jwksUrl: 'https://lms.example/jwks' })
      .returning();
    return reg;
  });
}

/** A course link of the tenant's LMS bound to the tenant's cohort. */
function boundLink(c: RowContext) {
  return c.memo('lti-link', async () => {
    const reg = await registration(c);
    const [link] = await c.db.insert(ltiResourceLinks).values({ registrationId: reg.id, deploymentId: 'd', resourceLinkId: `rl-${c.uniq()}`, cohortId: c.tenant.cohort.id, boundAt: new Date() }).returning();
    return link;
  });
}

/** A real test platform (serving its key set on loopback), registered once for tenant A: the protocol endpoints get
 * well-formed, signed messages. Stopped after the file's tests. */
let lms: Promise<{ platform: TestPlatform; registrationId: string }> | undefined;
function platformOf(c: RowContext) {
  lms ??= (async () => {
    const platform = await startPlatform(c.app.config.publicUrl);
    const [reg] = await c.db
      .insert(ltiRegistrations)
      .values({ organisationId: c.world.a.org.id, name: 'Matrix platform', issuer: platform.issuer, clientId: platform.clientId, authLoginUrl: platform.authUrl, accessTokenUrl: platform.tokenUrl, jwksUrl: platform.jwksUrl })
      .returning();
    await c.db.insert(ltiDeployments).values({ registrationId: reg.id, deploymentId: platform.deploymentId });
    return { platform, registrationId: reg.id };
  })();
  return lms;
}
afterAll(async () => {
  if (lms) await (await lms).platform.stop();
});

/** The platform's third-party-initiated login parameters for a launch to `target`. */
async function loginParams(c: RowContext, target: 'launch' | 'deep-link' = 'launch') {
  const { platform } = await platformOf(c);
  return { iss: platform.issuer, login_hint: `hint-${c.uniq()}`, target_link_uri: `${c.app.config.publicUrl}/lti/${target}`, client_id: platform.clientId };
}

/** A signed launch message (id_token and state) as the platform would post it after a login Cadre started. */
async function signedLaunch(c: RowContext, target: 'launch' | 'deep-link') {
  const { platform } = await platformOf(c);
  const started = await c.app.anonymous().get('/lti/login').query(await loginParams(c, target));
  const at = new URL(String(started.headers.location));
  const spec = { user: { sub: `matrix-${c.uniq()}`, name: 'Matrix Learner', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] }, messageType: target === 'deep-link' ? ('LtiDeepLinkingRequest' as const) : ('LtiResourceLinkRequest' as const) };
  const idToken = await platform.sign(platform.claimsFor(spec, at.searchParams.get('nonce') as string));
  return { id_token: idToken, state: at.searchParams.get('state') as string };
}

/** A launch of the acting person (or, anonymous, tenant A's candidate) with a fresh one-time entry token. */
async function entryToken(c: RowContext, connected = true) {
  const { platform, registrationId } = await platformOf(c);
  const token = randomBytes(32).toString('base64url');
  await c.db.insert(ltiLaunches).values({
    registrationId,
    deploymentId: platform.deploymentId,
    sub: `matrix-${c.uniq()}`,
    userId: connected ? (c.actor?.id ?? c.world.a.candidate.id) : null,
    record: { messageType: 'LtiResourceLinkRequest', roles: [], name: 'Matrix Learner', frameOrigins: [] },
    entryTokenHash: digest(token),
    entryExpiresAt: new Date(Date.now() + 5 * 60_000),
  });
  return { token };
}

/** A fresh candidate of the linked cohort whom the link's latest roster sync listed as no longer in the course. */
async function leftTheCourse(c: RowContext) {
  const link = await boundLink(c);
  const user = await buildUser(c.db, { organisationId: c.tenant.org.id, role: 'candidate', name: 'Left Course' });
  await addToCohort(c.db, c.tenant.cohort.id, user.id, 'candidate');
  await c.db.insert(ltiRosterSyncs).values({ resourceLinkRowId: link.id, cohortId: c.tenant.cohort.id, syncedBy: c.world.admin.id, summary: { joined: [], invited: [], noEmail: [], missing: [{ userId: user.id, name: user.name }], staff: 0 } });
  return { userId: user.id };
}

const registrationBody = (c: RowContext) => ({
  organisationId: c.tenant.org.id,
  name: `Matrix LMS ${c.uniq()}`,
  issuer: `https://lms-${c.uniq()}.example`,
  clientId: `client-${c.uniq()}`,
  deploymentIds: 'deployment-1',
  authLoginUrl: 'https://lms.example/auth',
  accessTokenUrl: 'https://lms.example/token',
  jwksUrl: 'https://lms.example/jwks',
  learnersJoin: 'on',
  trustEmail: 'on',
});

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  // Protocol endpoints: no login; each gets a well-formed message from a real platform (signed where it must be).
  'GET /.well-known/jwks.json': { own: everyone, other: 'same', anonymous: 'allow' },
  'GET /lti/login': { query: (c) => loginParams(c), own: everyone, other: 'same', anonymous: 'allow' },
  'POST /lti/login': { body: (c) => loginParams(c), own: everyone, other: 'same', anonymous: 'allow' },
  'POST /lti/launch': { body: (c) => signedLaunch(c, 'launch'), own: everyone, other: 'same', anonymous: 'allow' },
  'POST /lti/deep-link': { body: (c) => signedLaunch(c, 'deep-link'), own: everyone, other: 'same', anonymous: 'allow' },
  'GET /lti/probe': { own: everyone, other: 'same', anonymous: 'allow' },
  // Entering signs the browser in as the launch's person: each call logs in afresh so no shared session changes.
  'POST /lti/enter': { fresh: true, body: (c) => entryToken(c), own: everyone, other: 'same', anonymous: 'allow' },
  // An unconnected launch: signed in, on to the connect step; anonymous, to the sign-in first (and back).
  'POST /lti/connect': { body: (c) => entryToken(c, false), own: everyone, other: 'same', anonymous: 'sign-in' },

  // Pages of a launch: only the session of that launch (which the matrix's logins are not) finds them.
  'GET /lti/here': { own: nobody, other: 'same' },
  'GET /lti/links/:linkId/bind': { params: async (c) => ({ linkId: (await boundLink(c)).id }), own: nobody, other: nobody },
  'POST /lti/links/:linkId/bind': { params: async (c) => ({ linkId: (await boundLink(c)).id }), body: (c) => ({ target: c.tenant.cohort.id }), own: nobody, other: nobody },
  'GET /lti/deep-link/:launchId': { params: () => ({ launchId: randomUUID() }), own: nobody, other: 'same' },
  'POST /lti/deep-link/:launchId': { params: () => ({ launchId: randomUUID() }), body: (c) => ({ target: c.tenant.cohort.id }), own: nobody, other: 'same' },
  // Finishing the connect step: any signed-in person, with the step's one-time cookie (it makes the session the
  // launch's, so each call logs in afresh).
  'GET /lti/connect': { fresh: true, body: (c) => entryToken(c, false), request: (req, _c, body) => req.set('Cookie', `cadre.lti-connect=${(body as { token: string }).token}`), own: everyone, other: 'same' },

  // A course link's roster: the cohort's mentors, leads and admins.
  'GET /lti/links/:linkId/roster': { params: async (c) => ({ linkId: (await boundLink(c)).id }), own: staff, other: otherTenant },
  // The link has no roster address yet (no launch offered one): authorised, then exactly the 409 that says so.
  'POST /lti/links/:linkId/roster': { params: async (c) => ({ linkId: (await boundLink(c)).id }), own: noRosterYet, other: { ...otherTenant, admin: 409 } },
  'POST /lti/links/:linkId/roster/removals': { params: async (c) => ({ linkId: (await boundLink(c)).id }), body: leftTheCourse, own: staff, other: otherTenant },

  'POST /api/v1/lti/links/:linkId/roster-sync': { params: async (c) => ({ linkId: (await boundLink(c)).id }), body: () => ({}), own: noRosterYet, other: { ...otherTenant, admin: 409 } },

  // LMS connections: the provider's admins.
  'GET /admin/lti': { own: adminOnly, other: 'same' },
  'POST /admin/lti/registrations': { body: registrationBody, own: adminOnly, other: 'same' },
  'GET /admin/lti/registrations/:registrationId': { params: async (c) => ({ registrationId: (await registration(c)).id }), own: adminOnly, other: adminOnly },
  'POST /admin/lti/registrations/:registrationId': {
    params: async (c) => ({ registrationId: (await registration(c)).id }),
    body: (c) => {
      const { organisationId: _o, ...rest } = registrationBody(c);
      return rest;
    },
    own: adminOnly,
    other: adminOnly,
  },
  'POST /admin/lti/keys/rotation': { own: adminOnly, other: 'same' },
  'GET /api/v1/lti/registrations': { own: adminOnly, other: 'same' },
  'POST /api/v1/lti/registrations': { body: (c) => ({ ...registrationBody(c), deploymentIds: ['deployment-1'], learnersJoin: true, trustEmail: true }), own: adminOnly, other: 'same' },
  'GET /api/v1/lti/registrations/:registrationId': { params: async (c) => ({ registrationId: (await registration(c)).id }), own: adminOnly, other: adminOnly },
  'PATCH /api/v1/lti/registrations/:registrationId': { params: async (c) => ({ registrationId: (await registration(c)).id }), body: () => ({ adminsLead: false }), own: adminOnly, other: adminOnly },
  'GET /api/v1/lti/registrations/:registrationId/score-posts': { params: async (c) => ({ registrationId: (await registration(c)).id }), own: adminOnly, other: adminOnly },
  'GET /api/v1/lti/keys': { own: adminOnly, other: 'same' },
  'POST /api/v1/lti/keys/rotation': { body: () => ({}), own: adminOnly, other: 'same' },
};
