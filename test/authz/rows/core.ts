/** Matrix rows for the core routes: health, session, accounts, home, admin pages and the organisation/cohort API. */
import { issueToken } from '../../../server/auth/tokens';
import { addToCohort, buildUser, TEST_PASSWORD } from '../../support/factories';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';
import { invitations } from '../../../server/db/tables';
import { PNG } from '../../signoffs/support';

/** A fresh open invitation of a new person to the tenant's cohort, as a candidate. */
async function openInvitation(c: RowContext): Promise<string> {
  const user = await buildUser(c.db, { organisationId: c.tenant.org.id, status: 'invited' });
  const [inv] = await c.db.insert(invitations).values({ userId: user.id, name: 'Invitee', organisationId: c.tenant.org.id, role: 'candidate', cohortId: c.tenant.cohort.id, cohortRole: 'candidate' }).returning();
  await issueToken(c.db, user.id, 'invite', null);
  return inv.id;
}

/** A fresh open invitation of a new person to the tenant's organisation and no cohort (listed on /admin). */
async function openOrganisationInvitation(c: RowContext): Promise<string> {
  const user = await buildUser(c.db, { organisationId: c.tenant.org.id, status: 'invited' });
  const [inv] = await c.db.insert(invitations).values({ userId: user.id, name: 'Invitee', organisationId: c.tenant.org.id, role: 'lead' }).returning();
  await issueToken(c.db, user.id, 'invite', null);
  return inv.id;
}

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
/** Another tenant's object: only the provider's admin may see it; everyone else is told it does not exist. */
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };

/** An invited person in the tenant and a fresh one-time link token of `kind`. */
async function freshToken(c: RowContext, kind: 'invite' | 'reset') {
  const user = await buildUser(c.db, { organisationId: c.tenant.org.id, role: 'candidate', status: kind === 'invite' ? 'invited' : 'active' });
  return issueToken(c.db, user.id, kind, null);
}

const newPassword = { password: 'a long enough new password', confirm: 'a long enough new password' };

/** A candidate of the tenant's organisation who is not yet in its cohort. */
const freshCandidate = (c: RowContext) => buildUser(c.db, { organisationId: c.tenant.org.id, role: 'candidate' });

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  // Public: probes and the OpenAPI document.
  'GET /healthz': { own: everyone, other: 'same', anonymous: 'allow' },
  'GET /readyz': { own: everyone, other: 'same', anonymous: 'allow' },
  'GET /api/openapi.json': { own: everyone, other: 'same', anonymous: 'allow' },

  // Accounts: public pages and the session API.
  'GET /login': { own: everyone, other: 'same', anonymous: 'allow' },
  'POST /login': {
    fresh: true,
    body: (c) => ({ email: c.actor?.email ?? c.tenant.candidate.email, password: TEST_PASSWORD }),
    own: everyone,
    other: 'same',
    anonymous: 'allow',
  },
  'POST /logout': { fresh: true, own: everyone, other: 'same', anonymous: 'allow' },
  'GET /invite/:token': { params: async (c) => ({ token: await freshToken(c, 'invite') }), own: everyone, other: 'same', anonymous: 'allow' },
  'POST /invite/:token': { params: async (c) => ({ token: await freshToken(c, 'invite') }), body: () => newPassword, own: everyone, other: 'same', anonymous: 'allow' },
  'GET /forgot': { own: everyone, other: 'same', anonymous: 'allow' },
  'POST /forgot': { body: (c) => ({ email: `nobody-${c.uniq()}@example.test` }), own: everyone, other: 'same', anonymous: 'allow' },
  'GET /reset/:token': { params: async (c) => ({ token: await freshToken(c, 'reset') }), own: everyone, other: 'same', anonymous: 'allow' },
  'POST /reset/:token': { params: async (c) => ({ token: await freshToken(c, 'reset') }), body: () => newPassword, own: everyone, other: 'same', anonymous: 'allow' },
  'POST /api/v1/session': {
    fresh: true,
    body: (c) => ({ email: c.actor?.email ?? c.tenant.candidate.email, password: TEST_PASSWORD }),
    own: everyone,
    other: 'same',
    anonymous: 'allow',
  },
  'DELETE /api/v1/session': { fresh: true, own: everyone, other: 'same', anonymous: 'allow' },
  'GET /api/v1/me': { own: everyone, other: 'same' },
  // A real change (to the same password, so later logins still work); it ends only the actor's other sessions.
  'POST /api/v1/me/password': { body: () => ({ current: TEST_PASSWORD, password: TEST_PASSWORD, confirm: TEST_PASSWORD }), own: everyone, other: 'same' },
  'POST /api/v1/password-resets': { body: (c) => ({ email: `nobody-${c.uniq()}@example.test` }), own: everyone, other: 'same', anonymous: 'allow' },
  'POST /api/v1/password-resets/:token': {
    params: async (c) => ({ token: await freshToken(c, 'reset') }),
    body: () => newPassword,
    own: everyone,
    other: 'same',
    anonymous: 'allow',
  },

  // Home and the cohort list: everyone logged in, scoped by the query itself.
  'GET /': { own: everyone, other: 'same' },
  'GET /cohorts': { own: everyone, other: 'same' },

  // Admin pages.
  'GET /admin': { own: adminOnly, other: 'same' },
  'POST /admin/identity/name': { body: () => ({ name: 'Calm Response Training' }), own: adminOnly, other: 'same' },
  // A real PNG: the admin's upload is stored; everyone else is refused before the file is read.
  'POST /admin/identity/logo': { request: (req) => req.attach('logo', PNG, { filename: 'logo.png', contentType: 'image/png' }), own: adminOnly, other: 'same' },
  // Public (login page, e-mails); the test world's provider has no logo, so everyone alike gets 404.
  'GET /provider/logo/:version': { params: () => ({ version: 'none' }), own: { admin: 404, lead: 404, mentor: 404, candidate: 404 }, other: 'same', anonymous: 404 },
  'POST /admin/organisations': { body: (c) => ({ name: `Org ${c.uniq()}`, kind: 'client' }), own: adminOnly, other: 'same' },
  'POST /admin/cohorts': { body: (c) => ({ organisationId: c.tenant.org.id, name: `Cohort ${c.uniq()}` }), own: adminOnly, other: adminOnly },
  'POST /admin/invitations': {
    body: (c) => ({ name: `Invitee ${c.uniq()}`, email: `invitee-${c.uniq()}@example.test`, organisationId: c.tenant.org.id, role: 'candidate', cohortId: c.tenant.cohort.id }),
    // A mentor is not a member of the client organisation: it is hidden (404). A candidate is a member but may not invite.
    own: { admin: 'allow', lead: 'allow', mentor: 404, candidate: 403 },
    other: otherTenant,
  },
  'GET /cohorts/:cohortId/manage': {
    params: (c) => ({ cohortId: c.tenant.cohort.id }),
    own: { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 403 },
    other: otherTenant,
  },
  'POST /cohorts/:cohortId/members': {
    params: (c) => ({ cohortId: c.tenant.cohort.id }),
    body: async (c) => ({ userId: (await freshCandidate(c)).id, role: 'candidate' }),
    own: { admin: 'allow', lead: 'allow', mentor: 403, candidate: 403 },
    other: otherTenant,
  },

  // Organisation and cohort API.
  'GET /api/v1/organisations': { own: everyone, other: 'same' },
  'POST /api/v1/organisations': { body: (c) => ({ name: `Org ${c.uniq()}`, kind: 'client' }), own: adminOnly, other: 'same' },
  'GET /api/v1/organisations/:organisationId': {
    params: (c) => ({ organisationId: c.tenant.org.id }),
    own: { admin: 'allow', lead: 'allow', mentor: 404, candidate: 'allow' },
    other: otherTenant,
  },
  'POST /api/v1/invitations': {
    body: (c) => ({ name: `Invitee ${c.uniq()}`, email: `invitee-${c.uniq()}@example.test`, organisationId: c.tenant.org.id, role: 'candidate', cohortId: c.tenant.cohort.id }),
    own: { admin: 'allow', lead: 'allow', mentor: 404, candidate: 403 },
    other: otherTenant,
  },
  'GET /api/v1/cohorts': { own: everyone, other: 'same' },
  'POST /api/v1/cohorts': { body: (c) => ({ organisationId: c.tenant.org.id, name: `Cohort ${c.uniq()}` }), own: adminOnly, other: adminOnly },
  'GET /api/v1/cohorts/:cohortId': { params: (c) => ({ cohortId: c.tenant.cohort.id }), own: everyone, other: otherTenant },
  'POST /api/v1/cohorts/:cohortId/members': {
    params: (c) => ({ cohortId: c.tenant.cohort.id }),
    body: async (c) => ({ userId: (await freshCandidate(c)).id, role: 'candidate' }),
    own: { admin: 'allow', lead: 'allow', mentor: 403, candidate: 403 },
    other: otherTenant,
  },
  'DELETE /api/v1/cohorts/:cohortId/members/:userId/:role': {
    params: async (c) => {
      const user = await freshCandidate(c);
      await addToCohort(c.db, c.tenant.cohort.id, user.id, 'candidate');
      return { cohortId: c.tenant.cohort.id, userId: user.id, role: 'candidate' };
    },
    own: adminOnly,
    other: otherTenant,
  },
  'POST /cohorts/:cohortId/invitations/:invitationId/resend': {
    params: async (c) => ({ cohortId: c.tenant.cohort.id, invitationId: await openInvitation(c) }),
    own: { admin: 'allow', lead: 'allow', mentor: 403, candidate: 403 },
    other: otherTenant,
  },
  'POST /cohorts/:cohortId/invitations/:invitationId/revoke': {
    params: async (c) => ({ cohortId: c.tenant.cohort.id, invitationId: await openInvitation(c) }),
    own: { admin: 'allow', lead: 'allow', mentor: 403, candidate: 403 },
    other: otherTenant,
  },
  // Invitations to no cohort, changed from /admin: the provider's admins only (anyone else is refused before the row is read).
  'POST /admin/invitations/:invitationId/resend': { params: async (c) => ({ invitationId: await openOrganisationInvitation(c) }), own: adminOnly, other: 'same' },
  'POST /admin/invitations/:invitationId/revoke': { params: async (c) => ({ invitationId: await openOrganisationInvitation(c) }), own: adminOnly, other: 'same' },
  // An organisation's settings (its time zone): its leads and the provider's admins; a mentor is not of the organisation.
  'GET /organisations/:organisationId/settings': { params: (c) => ({ organisationId: c.tenant.org.id }), own: { admin: 'allow', lead: 'allow', mentor: 404, candidate: 403 }, other: otherTenant },
  'POST /organisations/:organisationId/settings': { params: (c) => ({ organisationId: c.tenant.org.id }), body: () => ({ timeZone: 'Europe/London' }), own: { admin: 'allow', lead: 'allow', mentor: 404, candidate: 403 }, other: otherTenant },
  'POST /cohorts/:cohortId/members/:userId/:role/remove': {
    params: async (c) => {
      const user = await freshCandidate(c);
      await addToCohort(c.db, c.tenant.cohort.id, user.id, 'candidate');
      return { cohortId: c.tenant.cohort.id, userId: user.id, role: 'candidate' };
    },
    own: adminOnly,
    other: otherTenant,
  },
  'DELETE /api/v1/organisations/:organisationId/members/:userId/:role': {
    params: async (c) => ({ organisationId: c.tenant.org.id, userId: (await freshCandidate(c)).id, role: 'candidate' }),
    own: adminOnly,
    other: 'same',
  },
  'PUT /api/v1/users/:userId/disabled': {
    params: async (c) => ({ userId: (await freshCandidate(c)).id }),
    body: () => ({ disabled: true }),
    own: adminOnly,
    other: 'same',
  },
};
