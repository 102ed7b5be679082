/** A trainer's standing (17.4) — the one rule every page reads: suspended › lapsed › active, per person and client
 * organisation. Lapsed comes from the current certificate (expired or revoked); suspended from the trainer record. */
import { inArray } from 'drizzle-orm';
import { certificatesOf, type CertificateView } from '../credentials/queries';
import type { Db } from '../db';
import { trainerRecords } from '../db/tables';
import type { TrainerRecordRow as TrainerRecord } from './records';

/** A trainer's standing on the register. */
export type TrainerStatus = 'active' | 'lapsed' | 'suspended';

/** A standing as pages show it: the status, its word, a class for its badge and the sentence saying why. */
export type Standing = { status: TrainerStatus; words: string; style: string; reason: string; publicReason: string };

/** The reason without its leading status word, to sit beside the status badge ("the certificate has expired; …"). */
export const standingDetail = (s: Pick<Standing, 'reason'>) => s.reason.replace(/^[A-Z][a-z]+( by the provider)?: /, (m) => (m.includes('provider') ? 'By the provider: ' : '')).replace(/^./, (c) => c.toUpperCase());

/** Words for a status, as pages and the CSV say them. */
export const STATUS_WORDS: Record<TrainerStatus, string> = { active: 'Active', lapsed: 'Lapsed', suspended: 'Suspended' };

/** A standing as a badge beside a trainer's name, where pages name trainers in passing (courses, impact, sampling):
 * only when it is not Active — a lapsed or suspended trainer is shown as such everywhere. */
export function badgeOf(s: Standing | undefined): { words: string; style: string; detail: string } | null {
  return s && s.status !== 'active' ? { words: s.words, style: s.style, detail: standingDetail(s) } : null;
}

/** The key of a (person, organisation) pair in the maps below. */
export const standingKey = (userId: string, organisationId: string) => `${userId}|${organisationId}`;

/** The standing given the current certificate and the trainer record (if any). `reason` may carry the provider's
 * reasons (for the register's readers); `publicReason` never does (for the public verification page). */
export function standingOf(cert: Pick<CertificateView, 'status' | 'revocationReason'>, record?: Pick<TrainerRecord, 'suspendedAt' | 'suspensionReason'> | null): Standing {
  const make = (status: TrainerStatus, reason: string, publicReason: string): Standing => ({ status, words: STATUS_WORDS[status], style: `status-${status}`, reason, publicReason });
  if (record?.suspendedAt) return make('suspended', `Suspended by the provider: ${(record.suspensionReason ?? 'no reason recorded').trim().replace(/\.+$/, '')}.`, 'Suspended by the provider: not able to deliver training for now.');
  if (cert.status === 'revoked') return make('lapsed', `Lapsed: the certificate was revoked${cert.revocationReason ? ` (${cert.revocationReason.trim().replace(/\.+$/, '')})` : ''}.`, 'Lapsed: the certificate was revoked.');
  if (cert.status === 'expired') return make('lapsed', 'Lapsed: the certificate has expired; a refresher renews it.', 'Lapsed: the certificate has expired.');
  return make('active', 'Active: the certificate is current.', 'Active: the certificate is current.');
}

/** Each person's current certificate per organisation: the standing (unrevoked) one, else the latest revoked one.
 * `certs` as `certificatesOf` returns them (newest first per holder). */
export function currentCertificates(certs: CertificateView[]): Map<string, CertificateView> {
  const current = new Map<string, CertificateView>();
  for (const c of certs) {
    const key = standingKey(c.holderId, c.organisationId);
    const seen = current.get(key);
    if (!seen || (seen.status === 'revoked' && c.status !== 'revoked')) current.set(key, c);
  }
  return current;
}

/** A standing with the certificate it comes from. */
export type TrainerStanding = Standing & { certificate: CertificateView; record: TrainerRecord | null };

/** The standings of some people (or of one organisation's trainers), keyed by `standingKey`: two queries. People
 * never issued a certificate have none (they are not trainers). */
export async function standingsOf(db: Db, by: { organisationId?: string; holderIds?: string[] }, now: Date = new Date()): Promise<Map<string, TrainerStanding>> {
  if (by.holderIds && !by.holderIds.length) return new Map();
  const current = currentCertificates(await certificatesOf(db, by, now));
  const holders = [...new Set([...current.values()].map((c) => c.holderId))];
  const records = holders.length ? await db.select().from(trainerRecords).where(inArray(trainerRecords.userId, holders)) : [];
  const byKey = new Map(records.map((r) => [standingKey(r.userId, r.organisationId), r]));
  const out = new Map<string, TrainerStanding>();
  for (const [key, certificate] of current) {
    const record = byKey.get(key) ?? null;
    out.set(key, { ...standingOf(certificate, record), certificate, record });
  }
  return out;
}
