/** Matrix rows for the trainer register (17.4): an organisation's register and CSV (its leads and the provider's
 * admins), the provider's whole register (admins). */
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const leads: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 404, candidate: 403 };
const otherOrg: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const org = (c: RowContext) => ({ organisationId: c.tenant.org.id });

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /organisations/:organisationId/register': { params: org, own: leads, other: otherOrg },
  'GET /organisations/:organisationId/register/register.csv': { params: org, own: leads, other: otherOrg },
  'GET /register': { own: adminOnly, other: 'same' },
  'GET /register/register.csv': { own: adminOnly, other: 'same' },
};
