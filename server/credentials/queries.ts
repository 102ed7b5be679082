/**
 * Reading certificates — the API colleagues build on (the trainer register reads these):
 * `certificatesOf(db, { organisationId })`, `currentCertificate(db, userId, organisationId)`, `statusOf(cert, now)`.
 * Status is computed on read from the ledger-checked row and the clock: revoked › expired › valid.
 */
import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { certificates, ledgerEntries, organisations, users } from '../db/tables';
import { CERTIFICATE_SUBJECT, type CertificateRow } from './ledger';

/** Where a certificate stands now. */
export type CertificateStatus = 'valid' | 'expired' | 'revoked';

/** A certificate as colleagues read it: the row's facts plus its status, holder and organisation names. */
export type CertificateView = {
  id: string;
  code: string;
  status: CertificateStatus;
  holderId: string;
  holderName: string;
  organisationId: string;
  organisationName: string;
  cohortId: string;
  programme: string;
  programmeTemplateId: string | null;
  role: string;
  competencies: { code: string; title: string }[];
  issuedAt: Date;
  validFrom: Date;
  expiresAt: Date;
  renewals: number;
  revokedAt: Date | null;
  revocationReason: string | null;
};

/** Where a certificate stands at `now`: revoked outranks expired (a revoked certificate never reads "expired"). */
export function statusOf(cert: Pick<CertificateRow, 'revokedAt' | 'expiresAt'>, now: Date = new Date()): CertificateStatus {
  if (cert.revokedAt) return 'revoked';
  return cert.expiresAt.getTime() <= now.getTime() ? 'expired' : 'valid';
}

const columns = {
  cert: certificates,
  holderName: users.name,
  organisationName: organisations.name,
};

async function load(db: Db, where: SQL | undefined, now: Date): Promise<CertificateView[]> {
  const rows = await db
    .select(columns)
    .from(certificates)
    .innerJoin(users, eq(users.id, certificates.holderId))
    .innerJoin(organisations, eq(organisations.id, certificates.organisationId))
    .where(where)
    .orderBy(asc(users.name), desc(certificates.issuedAt));
  return rows.map(({ cert: c, holderName, organisationName }) => ({
    id: c.id,
    code: c.code,
    status: statusOf(c, now),
    holderId: c.holderId,
    holderName,
    organisationId: c.organisationId,
    organisationName,
    cohortId: c.cohortId,
    programme: c.programmeName,
    programmeTemplateId: c.programmeTemplateId,
    role: c.role,
    competencies: c.competencies,
    issuedAt: c.issuedAt,
    validFrom: c.validFrom,
    expiresAt: c.expiresAt,
    renewals: c.renewals,
    revokedAt: c.revokedAt,
    revocationReason: c.revocationReason,
  }));
}

/** Every certificate of an organisation (or of some cohorts, one holder or several), holders A→Z, newest first. One query. */
export function certificatesOf(db: Db, by: { organisationId?: string; cohortIds?: string[]; holderId?: string; holderIds?: string[] }, now: Date = new Date()): Promise<CertificateView[]> {
  const where = [
    by.organisationId ? eq(certificates.organisationId, by.organisationId) : undefined,
    by.cohortIds ? inArray(certificates.cohortId, by.cohortIds.length ? by.cohortIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
    by.holderId ? eq(certificates.holderId, by.holderId) : undefined,
    by.holderIds ? inArray(certificates.holderId, by.holderIds.length ? by.holderIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
  ].filter((w): w is SQL => !!w);
  return load(db, and(...where), now);
}

/** A person's certificate for an organisation: the standing (unrevoked) one, else the latest revoked one, else null. */
export async function currentCertificate(db: Db, userId: string, organisationId: string, now: Date = new Date()): Promise<CertificateView | null> {
  const list = await certificatesOf(db, { holderId: userId, organisationId }, now);
  return list.find((c) => c.status !== 'revoked') ?? list[0] ?? null;
}

/** One certificate by id (for the routes' authorisation), or null. */
export async function certificateById(db: Db, id: string): Promise<CertificateRow | null> {
  const [row] = await db.select().from(certificates).where(eq(certificates.id, id));
  return row ?? null;
}

/** One certificate by its public code, with what the verification page may show, or null. */
export async function certificateByCode(db: Db, code: string, now: Date = new Date()): Promise<CertificateView | null> {
  const [view] = await load(db, eq(certificates.code, code), now);
  return view ?? null;
}

/** A certificate's history from its ledger entries (issued, renewed, revoked), oldest first. */
export async function certificateHistory(db: Db, cert: { id: string; holderId: string }): Promise<{ kind: string; at: Date; payload: Record<string, unknown> }[]> {
  const rows = await db.select({ kind: ledgerEntries.kind, at: ledgerEntries.recordedAt, payload: ledgerEntries.payload }).from(ledgerEntries).where(and(eq(ledgerEntries.candidateId, cert.holderId), eq(ledgerEntries.subjectType, CERTIFICATE_SUBJECT), eq(ledgerEntries.subjectId, cert.id))).orderBy(asc(ledgerEntries.seq));
  return rows.map((r) => ({ kind: r.kind, at: new Date(r.at), payload: JSON.parse(r.payload) as Record<string, unknown> }));
}
