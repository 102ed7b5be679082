/**
 * Certificates in the ledger: the one writer of each step (issue, renew, revoke — entry and row at the same instant)
 * and the projection checker that folds a certificate's entries back into what its `certificates` row must hold.
 * Every entry about a certificate carries the issuing cohort, so a cohort's report checks its own certificates whole.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { certificates, type CertifiedCompetency } from '../db/tables';
import { appendLedger } from '../ledger';
import { bySubject, defineProjection, firstDifference, missingRow, NO_ENTRY, str, type Disagreement, type LedgerFact } from '../ledger/projections';
import { rows as query } from '../readiness/sql';

/** The ledger subject type of a certificate. */
export const CERTIFICATE_SUBJECT = 'certificate';

/** A certificate row. */
export type CertificateRow = typeof certificates.$inferSelect;

/** What an issue records. */
export type IssueFacts = {
  code: string;
  holderId: string;
  organisationId: string;
  cohortId: string;
  programmeTemplateId: string | null;
  programmeName: string;
  competencies: CertifiedCompetency[];
  signedBy: string;
  at: Date;
  expiresAt: Date;
};

/** Appends `certificate.issued` and writes the row at the same instant. */
export async function writeIssue(tx: Db, f: IssueFacts): Promise<CertificateRow> {
  const id = randomUUID();
  const role = 'Associate trainer';
  const entry = await appendLedger(tx, {
    kind: 'certificate.issued',
    actorId: f.signedBy,
    cohortId: f.cohortId,
    candidateId: f.holderId,
    subjectType: CERTIFICATE_SUBJECT,
    subjectId: id,
    at: f.at,
    payload: { code: f.code, organisationId: f.organisationId, programmeTemplateId: f.programmeTemplateId, programmeName: f.programmeName, role, competencies: f.competencies, expiresAt: f.expiresAt.toISOString() },
  });
  const [row] = await tx
    .insert(certificates)
    .values({ id, code: f.code, holderId: f.holderId, organisationId: f.organisationId, cohortId: f.cohortId, programmeTemplateId: f.programmeTemplateId, programmeName: f.programmeName, role, competencies: f.competencies, signedBy: f.signedBy, issuedAt: f.at, validFrom: f.at, expiresAt: f.expiresAt, ledgerSeq: entry.seq })
    .returning();
  return row;
}

/** Appends `certificate.renewed` (a refresher's final sign-off) and moves the row's validity; the history stays in the ledger. */
export async function writeRenewal(tx: Db, cert: CertificateRow, f: { by: string; refresherCohortId: string; programmeName: string; at: Date; expiresAt: Date }): Promise<CertificateRow> {
  const entry = await appendLedger(tx, {
    kind: 'certificate.renewed',
    actorId: f.by,
    cohortId: cert.cohortId,
    candidateId: cert.holderId,
    subjectType: CERTIFICATE_SUBJECT,
    subjectId: cert.id,
    at: f.at,
    payload: { refresherCohortId: f.refresherCohortId, refresherName: f.programmeName, previousExpiresAt: cert.expiresAt.toISOString(), expiresAt: f.expiresAt.toISOString() },
  });
  const [row] = await tx.update(certificates).set({ validFrom: f.at, expiresAt: f.expiresAt, renewals: cert.renewals + 1, ledgerSeq: entry.seq }).where(eq(certificates.id, cert.id)).returning();
  return row;
}

/** Appends `certificate.revoked` with the reason and marks the row revoked at the same instant. */
export async function writeRevocation(tx: Db, cert: CertificateRow, f: { by: string; reason: string; at: Date }): Promise<CertificateRow> {
  const entry = await appendLedger(tx, { kind: 'certificate.revoked', actorId: f.by, cohortId: cert.cohortId, candidateId: cert.holderId, subjectType: CERTIFICATE_SUBJECT, subjectId: cert.id, at: f.at, payload: { reason: f.reason } });
  const [row] = await tx.update(certificates).set({ revokedAt: f.at, revokedBy: f.by, revocationReason: f.reason, ledgerSeq: entry.seq }).where(eq(certificates.id, cert.id)).returning();
  return row;
}

/** What a certificate's entries say its row holds. */
type Folded = { seq: number; code: string | null; holderId: string | null; organisationId: string | null; cohortId: string | null; programmeName: string | null; competencies: string; signedBy: string; issuedAt: Date; validFrom: Date; expiresAt: string | null; renewals: number; revokedAt: Date | null; revokedBy: string | null; reason: string | null };

function fold(facts: LedgerFact[]): Folded {
  const [first] = facts;
  const f: Folded = {
    seq: first.seq,
    code: str(first.payload, 'code'),
    holderId: first.candidateId,
    organisationId: str(first.payload, 'organisationId'),
    cohortId: first.cohortId,
    programmeName: str(first.payload, 'programmeName'),
    competencies: JSON.stringify(first.payload.competencies ?? []),
    signedBy: first.actorId,
    issuedAt: first.at,
    validFrom: first.at,
    expiresAt: str(first.payload, 'expiresAt'),
    renewals: 0,
    revokedAt: null,
    revokedBy: null,
    reason: null,
  };
  for (const e of facts.slice(1)) {
    f.seq = e.seq;
    if (e.kind === 'certificate.renewed') Object.assign(f, { validFrom: e.at, expiresAt: str(e.payload, 'expiresAt'), renewals: f.renewals + 1 });
    if (e.kind === 'certificate.revoked') Object.assign(f, { revokedAt: e.at, revokedBy: e.actorId, reason: str(e.payload, 'reason') });
  }
  return f;
}

type Row = { id: string; code: string; holder_id: string; organisation_id: string; cohort_id: string; programme_name: string; competencies: unknown; signed_by: string; issued_at: string | Date; valid_from: string | Date; expires_at: string | Date; renewals: number; revoked_at: string | Date | null; revoked_by: string | null; revocation_reason: string | null; ledger_seq: number | string | null; holder: string };

const at = (v: string | Date | null) => (v === null ? null : v instanceof Date ? v : new Date(v));
const json = (v: unknown) => JSON.stringify(typeof v === 'string' ? JSON.parse(v) : v);

/** The checker core registers: every certificate row against its entries, and every certified subject's row. */
export const certificateProjection = defineProjection({
  name: 'certificates',
  subjectTypes: [CERTIFICATE_SUBJECT],
  async check(db, facts, scope) {
    const list = await query<Row>(
      db,
      sql`select c.id, c.code, c.holder_id, c.organisation_id, c.cohort_id, c.programme_name, c.competencies, c.signed_by, c.issued_at, c.valid_from, c.expires_at, c.renewals, c.revoked_at, c.revoked_by, c.revocation_reason, c.ledger_seq, u.name as holder
          from certificates c join users u on u.id = c.holder_id where ${scope.cohortId ? sql`c.cohort_id = ${scope.cohortId}::uuid` : sql`true`} order by c.issued_at, c.id`,
    );
    const found = (d: Disagreement) => ({ rows: list.length, disagreement: d });
    const subjects = bySubject(facts);
    for (const r of list) {
      const about = `${r.holder}'s certificate ${r.code}`;
      const own = subjects.get(r.id);
      if (!own) return found({ table: 'certificates', rowId: r.id, seq: null, about, problem: NO_ENTRY });
      subjects.delete(r.id);
      const f = fold(own);
      const problem = firstDifference([
        ['code', r.code, f.code],
        ['holder', r.holder_id, f.holderId],
        ['organisation', r.organisation_id, f.organisationId],
        ['cohort', r.cohort_id, f.cohortId],
        ['programme', r.programme_name, f.programmeName],
        ['competencies', json(r.competencies), f.competencies],
        ['signer', r.signed_by, f.signedBy],
        ['issue time', at(r.issued_at), f.issuedAt],
        ['start of validity', at(r.valid_from), f.validFrom],
        ['expiry', at(r.expires_at), f.expiresAt ? new Date(f.expiresAt) : null],
        ['number of renewals', Number(r.renewals), f.renewals],
        ['revocation time', at(r.revoked_at), f.revokedAt],
        ['revoker', r.revoked_by, f.revokedBy],
        ['revocation reason', r.revocation_reason, f.reason],
        ['ledger entry number', r.ledger_seq === null ? null : Number(r.ledger_seq), f.seq],
      ]);
      if (problem) return found({ table: 'certificates', rowId: r.id, seq: f.seq, about, problem });
    }
    for (const [id, own] of subjects) return found({ table: 'certificates', rowId: id, seq: own[0].seq, about: `certificate ${str(own[0].payload, 'code') ?? ''}`.trim(), problem: missingRow(own[0].seq) });
    return { rows: list.length, disagreement: null };
  },
});
