/**
 * The seam between a stage module's final sign-off and core's certificates: `certify(tx, facts)` runs inside the
 * module's sign-off transaction (the kit exports it), so the certificate exists exactly when the sign-off does. It
 * issues a certificate — or, when the cohort's programme is a refresher or the person already holds a standing
 * certificate for this organisation, renews that one. Admins revoke with `revokeCertificate`.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { certificates, cohorts, competencies, programmeTemplates, signoffRequests } from '../db/tables';
import { ConflictError, isPgError } from '../errors';
import { audit } from '../audit';
import { newCertificateCode } from './code';
import { writeIssue, writeRenewal, writeRevocation, type CertificateRow } from './ledger';

/** Who was certified, by whom, when (the final sign-off's own instant). */
export type CertifyFacts = { cohortId: string; candidateId: string; signedBy: string; at: Date };

/** What `certify` did. */
export type Certified = { action: 'issued' | 'renewed'; certificate: CertificateRow };

/** `at` moved on by whole calendar months (UTC), the certificate's validity. */
export function addMonths(at: Date, months: number): Date {
  const d = new Date(at);
  const day = d.getUTCDate();
  d.setUTCMonth(d.getUTCMonth() + months);
  if (d.getUTCDate() !== day) d.setUTCDate(0); // 31 January + 1 month → 28/29 February, never 3 March
  return d;
}

/** Issues or renews the candidate's certificate inside the caller's transaction (throws ConflictError when a refresher
 * has nothing to renew, which rolls the sign-off back). */
export async function certify(tx: Db, f: CertifyFacts): Promise<Certified> {
  const [cohort] = await tx
    .select({ organisationId: cohorts.organisationId, name: cohorts.name, templateId: cohorts.programmeTemplateId, programme: programmeTemplates.name, months: programmeTemplates.certificateMonths, refresherOf: programmeTemplates.refresherOf })
    .from(cohorts)
    .leftJoin(programmeTemplates, eq(programmeTemplates.id, cohorts.programmeTemplateId))
    .where(eq(cohorts.id, f.cohortId));
  const months = cohort.months ?? 12;
  const expiresAt = addMonths(f.at, months);
  const [standing] = await tx
    .select()
    .from(certificates)
    .where(and(eq(certificates.holderId, f.candidateId), eq(certificates.organisationId, cohort.organisationId), isNull(certificates.revokedAt)));
  if (standing) {
    return { action: 'renewed', certificate: await writeRenewal(tx, standing, { by: f.signedBy, refresherCohortId: f.cohortId, programmeName: cohort.programme ?? cohort.name, at: f.at, expiresAt }) };
  }
  if (cohort.refresherOf) {
    throw new ConflictError('This refresher renews a certificate, but this person holds no current certificate for this organisation (it was never issued, or it was revoked). They need the full programme instead.');
  }
  const signed = await tx
    .select({ code: competencies.code, title: competencies.name })
    .from(signoffRequests)
    .innerJoin(competencies, eq(competencies.id, signoffRequests.competencyId))
    .where(and(eq(signoffRequests.cohortId, f.cohortId), eq(signoffRequests.candidateId, f.candidateId), eq(signoffRequests.status, 'signed')))
    .orderBy(asc(competencies.position));
  const facts = { holderId: f.candidateId, organisationId: cohort.organisationId, cohortId: f.cohortId, programmeTemplateId: cohort.templateId, programmeName: cohort.programme ?? cohort.name, competencies: signed, signedBy: f.signedBy, at: f.at, expiresAt };
  // A clash of random codes is astronomically rare; a savepoint lets the next code try without losing the sign-off.
  for (let attempt = 0; ; attempt += 1) {
    try {
      const certificate = await tx.transaction((sp) => writeIssue(sp, { ...facts, code: newCertificateCode() }));
      return { action: 'issued', certificate };
    } catch (err) {
      if (attempt >= 3 || !isPgError(err, 'uniqueViolation')) throw err;
    }
  }
}

/** An admin revokes a certificate with a reason (ledgered, audited); a revoked one cannot be revoked again. */
export async function revokeCertificate(ctx: AppContext, actorId: string, cert: CertificateRow, reason: string): Promise<CertificateRow> {
  if (cert.revokedAt) throw new ConflictError('This certificate is already revoked.');
  return ctx.db.transaction(async (tx) => {
    const row = await writeRevocation(tx, cert, { by: actorId, reason, at: new Date() });
    await audit(tx, { actorId, action: 'certificate.revoked', subjectType: 'certificate', subjectId: cert.id, before: { revoked: false }, after: { revoked: true, reason, ledgerSeq: row.ledgerSeq } });
    return row;
  });
}
