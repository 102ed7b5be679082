/** Matrix rows for certificates: the holder, their organisation's lead and admins see one; the holder downloads its Open
 * Badge; admins revoke and rotate the signing key; the verification page and the issuer's keys are public. */
import { newCertificateCode } from '../../../server/credentials/code';
import { certificates } from '../../../server/db/tables';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

// The tenant's candidate holds the certificate; the mentor (of the provider) is outside its world.
const viewers: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 404, candidate: 'allow' };
const otherViewers: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const holder: RoleExpectations = { admin: 403, lead: 403, mentor: 404, candidate: 'allow' };
const otherHolder: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
const admins: RoleExpectations = { admin: 'allow', lead: 403, mentor: 404, candidate: 403 };
// The provider's own settings (no tenant's subject): only admins, everyone else refused.
const providerAdmins: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const progress: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 403 };
const otherProgress: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };

/** A certificate of the tenant's candidate (rows written directly: the matrix tests access, not the ledger). */
function certificate(c: RowContext) {
  return c.memo('certificate', async () => {
    const now = new Date();
    const [row] = await c.db
      .insert(certificates)
      .values({ code: newCertificateCode(), holderId: c.tenant.candidate.id, organisationId: c.tenant.org.id, cohortId: c.tenant.cohort.id, programmeName: 'Matrix programme', signedBy: c.tenant.mentor.id, issuedAt: now, validFrom: now, expiresAt: new Date(now.getTime() + 365 * 86_400_000), revokedAt: now })
      .returning();
    return row;
  });
}
const cert = async (c: RowContext) => ({ certificateId: (await certificate(c)).id });

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /certificates/mine': { own: everyone, other: 'same' },
  'GET /certificates/:certificateId': { params: cert, own: viewers, other: otherViewers },
  'GET /certificates/:certificateId/certificate.pdf': { params: cert, own: viewers, other: otherViewers },
  'GET /certificates/:certificateId/open-badge.jwt': { params: cert, own: holder, other: otherHolder },
  'GET /certificates/:certificateId/revoke': { params: cert, own: admins, other: { ...otherViewers, admin: 'allow' } },
  // The certificate is already revoked: an admin's answer is 409 (allowed through to the command), others are refused.
  'POST /certificates/:certificateId/revoke': { params: cert, body: () => ({ reason: 'Matrix revocation reason' }), own: { ...admins, admin: 409 }, other: { ...otherViewers, admin: 409 } },
  'GET /cohorts/:cohortId/certificates': { params: (c) => ({ cohortId: c.tenant.cohort.id }), own: progress, other: otherProgress },
  'GET /verify': { own: everyone, other: 'same', anonymous: 'allow' },
  'GET /verify/:code': { params: async (c) => ({ code: (await certificate(c)).code }), own: everyone, other: 'same', anonymous: 'allow' },
  'GET /credentials/issuer': { own: everyone, other: 'same', anonymous: 'allow' },
  'GET /credentials/jwks.json': { own: everyone, other: 'same', anonymous: 'allow' },
  'GET /admin/credentials': { own: providerAdmins, other: 'same' },
  'POST /admin/credentials/keys/rotation': { own: providerAdmins, other: 'same' },
  'GET /api/v1/credentials/keys': { own: providerAdmins, other: 'same' },
  'POST /api/v1/credentials/keys/rotation': { body: () => ({}), own: providerAdmins, other: 'same' },
};
