/** The trainer register (17.4): per client organisation, each person issued a certificate there, with their status
 * (suspended › lapsed › active, lapsed derived from the certificate's expiry or revocation), level, certificate expiry,
 * refresher due date and first aid/ILS expiry (the trainer record's, else their confirmed eligibility evidence). */
import { and, eq, inArray } from 'drizzle-orm';
import { certificatesOf, type CertificateView } from '../credentials/queries';
import type { Db } from '../db';
import type { TrainerLevel } from '../db/schema/register';
import { eligibilityRecords, trainerRecords } from '../db/tables';

/** A trainer's standing on the register. */
export type TrainerStatus = 'active' | 'lapsed' | 'suspended';

/** One trainer on one organisation's register. */
export type RegisterEntry = {
  userId: string;
  name: string;
  organisationId: string;
  organisationName: string;
  level: TrainerLevel;
  status: TrainerStatus;
  statusReason: string;
  certificateCode: string;
  certificateExpiresOn: string;
  refresherDueOn: string;
  firstAidExpiresOn: string | null;
};

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The register of one organisation, or of every organisation (`organisationId` null: the provider's view). Three
 * queries however many trainers. */
export async function registerOf(db: Db, organisationId: string | null, now: Date = new Date()): Promise<RegisterEntry[]> {
  const certs = await certificatesOf(db, organisationId ? { organisationId } : {}, now);
  // The current certificate per person and organisation: the standing one, else the latest revoked one.
  const current = new Map<string, CertificateView>();
  for (const c of certs) {
    const key = `${c.holderId}|${c.organisationId}`;
    const seen = current.get(key);
    if (!seen || (seen.status === 'revoked' && c.status !== 'revoked')) current.set(key, c);
  }
  const holders = [...new Set([...current.values()].map((c) => c.holderId))];
  const [records, firstAid] = holders.length
    ? await Promise.all([
        db.select().from(trainerRecords).where(inArray(trainerRecords.userId, holders)),
        db
          .select({ userId: eligibilityRecords.candidateId, expiresOn: eligibilityRecords.expiresOn })
          .from(eligibilityRecords)
          .where(and(inArray(eligibilityRecords.candidateId, holders), eq(eligibilityRecords.requirement, 'first-aid'), eq(eligibilityRecords.status, 'confirmed'))),
      ])
    : [[], []];
  const latestFirstAid = new Map<string, string>();
  for (const f of firstAid) if (f.expiresOn && (latestFirstAid.get(f.userId) ?? '') < f.expiresOn) latestFirstAid.set(f.userId, f.expiresOn);
  return [...current.values()]
    .map((c) => {
      const record = records.find((r) => r.userId === c.holderId && r.organisationId === c.organisationId);
      const status: TrainerStatus = record?.suspendedAt ? 'suspended' : c.status === 'valid' ? 'active' : 'lapsed';
      const statusReason =
        status === 'suspended'
          ? `Suspended by the provider: ${record?.suspensionReason ?? 'no reason recorded'}.`
          : c.status === 'revoked'
            ? `Lapsed: the certificate was revoked${c.revocationReason ? ` (${c.revocationReason})` : ''}.`
            : c.status === 'expired'
              ? 'Lapsed: the certificate has expired; a refresher renews it.'
              : 'Active: the certificate is current.';
      return {
        userId: c.holderId,
        name: c.holderName,
        organisationId: c.organisationId,
        organisationName: c.organisationName,
        level: record?.level ?? 'associate',
        status,
        statusReason,
        certificateCode: c.code,
        certificateExpiresOn: day(c.expiresAt),
        refresherDueOn: record?.refresherDueOn ?? day(c.expiresAt),
        firstAidExpiresOn: record?.firstAidExpiresOn ?? latestFirstAid.get(c.holderId) ?? null,
      };
    })
    .sort((a, b) => a.organisationName.localeCompare(b.organisationName) || a.name.localeCompare(b.name));
}

/** Words for a status and a level, as pages and the CSV say them. */
export const STATUS_WORDS: Record<TrainerStatus, string> = { active: 'Active', lapsed: 'Lapsed', suspended: 'Suspended' };
/** Words for a level. */
export const LEVEL_WORDS: Record<TrainerLevel, string> = { associate: 'Associate trainer', senior: 'Senior trainer' };
