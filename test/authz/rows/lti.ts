/** Matrix rows for the LTI routes: the public protocol endpoints, the launch pages (which need the session of a launch:
 * none of the matrix's sessions has one, so they are not found), course link rosters, and LMS connections (admins). */
import { randomUUID } from 'node:crypto';
import { ltiRegistrations, ltiResourceLinks } from '../../../server/db/tables';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const nobody: RoleExpectations = { admin: 404, lead: 404, mentor: 404, candidate: 404 };
const staff: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 403 };
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };

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
  // Protocol endpoints: no login; each answers with a page saying what is missing (authorisation passed).
  'GET /.well-known/jwks.json': { own: everyone, other: 'same', anonymous: 'allow' },
  'GET /lti/login': { own: everyone, other: 'same', anonymous: 'allow' },
  'POST /lti/login': { own: everyone, other: 'same', anonymous: 'allow' },
  'POST /lti/launch': { own: everyone, other: 'same', anonymous: 'allow' },
  'POST /lti/deep-link': { own: everyone, other: 'same', anonymous: 'allow' },
  'GET /lti/probe': { own: everyone, other: 'same', anonymous: 'allow' },
  'POST /lti/enter': { own: everyone, other: 'same', anonymous: 'allow' },
  'POST /lti/connect': { own: everyone, other: 'same', anonymous: 'allow' },

  // Pages of a launch: only the session of that launch (which the matrix's logins are not) finds them.
  'GET /lti/here': { own: nobody, other: 'same' },
  'GET /lti/links/:linkId/bind': { params: async (c) => ({ linkId: (await boundLink(c)).id }), own: nobody, other: nobody },
  'POST /lti/links/:linkId/bind': { params: async (c) => ({ linkId: (await boundLink(c)).id }), body: (c) => ({ target: c.tenant.cohort.id }), own: nobody, other: nobody },
  'GET /lti/deep-link/:launchId': { params: () => ({ launchId: randomUUID() }), own: nobody, other: 'same' },
  'POST /lti/deep-link/:launchId': { params: () => ({ launchId: randomUUID() }), body: (c) => ({ target: c.tenant.cohort.id }), own: nobody, other: 'same' },
  // Finishing the connect step: any signed-in person (without the step's cookie it says so).
  'GET /lti/connect': { own: everyone, other: 'same' },

  // A course link's roster: the cohort's mentors, leads and admins.
  'GET /lti/links/:linkId/roster': { params: async (c) => ({ linkId: (await boundLink(c)).id }), own: staff, other: otherTenant },
  // The link has no roster address yet: authorised, then a 409 that says so.
  'POST /lti/links/:linkId/roster': { params: async (c) => ({ linkId: (await boundLink(c)).id }), own: staff, other: otherTenant },
  'POST /lti/links/:linkId/roster/removals': { params: async (c) => ({ linkId: (await boundLink(c)).id }), body: (c) => ({ userId: c.tenant.otherCandidate.id }), own: staff, other: otherTenant },

  'POST /api/v1/lti/links/:linkId/roster-sync': { params: async (c) => ({ linkId: (await boundLink(c)).id }), body: () => ({}), own: staff, other: otherTenant },

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
