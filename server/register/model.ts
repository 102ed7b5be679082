/** The trainer register (17.4): per client organisation, each person issued a certificate there, with their standing
 * (`status.ts`: suspended › lapsed › active), level, certificate expiry, refresher due date and first aid/ILS expiry
 * (the trainer record's, else their confirmed eligibility evidence). */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import type { TrainerLevel } from '../db/schema/register';
import { eligibilityRecords } from '../db/tables';
import { standingsOf, type TrainerStatus } from './status';

export { STATUS_WORDS, type TrainerStatus } from './status';

/** One trainer on one organisation's register. */
export type RegisterEntry = {
  userId: string;
  name: string;
  organisationId: string;
  organisationName: string;
  /** The trainer record's id, when the trainer has one yet. */
  recordId: string | null;
  level: TrainerLevel;
  /** When the provider suspended the trainer (null when not suspended). */
  suspendedAt: Date | null;
  status: TrainerStatus;
  statusReason: string;
  certificateCode: string;
  certificateExpiresOn: string;
  /** Whether the refresher date is the trainer record's own (else it is the certificate's expiry). */
  refresherSet: boolean;
  refresherDueOn: string;
  firstAidExpiresOn: string | null;
};

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Register entries for one organisation, some people, or everyone (`{}`: the provider's view). Three queries however
 * many trainers. */
export async function registerEntries(db: Db, by: { organisationId?: string; holderIds?: string[] }, now: Date = new Date()): Promise<RegisterEntry[]> {
  const standings = await standingsOf(db, by, now);
  const holders = [...new Set([...standings.values()].map((s) => s.certificate.holderId))];
  const firstAid = holders.length
    ? await db
        .select({ userId: eligibilityRecords.candidateId, expiresOn: eligibilityRecords.expiresOn })
        .from(eligibilityRecords)
        .where(and(inArray(eligibilityRecords.candidateId, holders), eq(eligibilityRecords.requirement, 'first-aid'), eq(eligibilityRecords.status, 'confirmed')))
    : [];
  const latestFirstAid = new Map<string, string>();
  for (const f of firstAid) if (f.expiresOn && (latestFirstAid.get(f.userId) ?? '') < f.expiresOn) latestFirstAid.set(f.userId, f.expiresOn);
  return [...standings.values()]
    .map(({ certificate: c, record, status, reason }) => ({
      userId: c.holderId,
      name: c.holderName,
      organisationId: c.organisationId,
      organisationName: c.organisationName,
      recordId: record?.id ?? null,
      level: record?.level ?? 'associate',
      suspendedAt: record?.suspendedAt ?? null,
      status,
      statusReason: reason,
      certificateCode: c.code,
      certificateExpiresOn: day(c.expiresAt),
      refresherSet: !!record?.refresherDueOn,
      refresherDueOn: record?.refresherDueOn ?? day(c.expiresAt),
      firstAidExpiresOn: record?.firstAidExpiresOn ?? latestFirstAid.get(c.holderId) ?? null,
    }))
    .sort((a, b) => a.organisationName.localeCompare(b.organisationName) || a.name.localeCompare(b.name));
}

/** The register of one organisation, or of every organisation (`organisationId` null: the provider's view). */
export function registerOf(db: Db, organisationId: string | null, now: Date = new Date()): Promise<RegisterEntry[]> {
  return registerEntries(db, organisationId ? { organisationId } : {}, now);
}

/** Words for a level. */
export const LEVEL_WORDS: Record<TrainerLevel, string> = { associate: 'Associate trainer', senior: 'Senior trainer' };
