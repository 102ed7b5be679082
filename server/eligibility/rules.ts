/** Eligibility at enrolment (17.1): the three requirements, in words, and where a candidate stands on each — one
 * function the gate, the candidate's page and the mentors' overview all read, so they always say the same. */
import type { EligibilityRecordRow } from './queries';
import { spokenDate } from '../progression/kinds/answers';
import type { EligibilityRequirement, EligibilityStatus } from '../db/schema/register';

/** How one requirement is described and what it asks for. */
export type RequirementInfo = {
  key: EligibilityRequirement;
  /** "Professional qualification" (a heading). */
  title: string;
  /** "your professional qualification" (inside a sentence). */
  yours: string;
  /** What to record. */
  ask: string;
  /** The dated field it needs, if any. */
  dated?: 'sinceOn' | 'expiresOn';
};

/** The requirements, in the order pages list them. */
export const ELIGIBILITY: RequirementInfo[] = [
  { key: 'qualification', title: 'Professional qualification', yours: 'your professional qualification', ask: 'Name your professional qualification (for example a Level 3 Diploma in Health and Social Care or a nursing registration) and attach the certificate or describe the document.' },
  { key: 'experience', title: 'Two years in a support or care role', yours: 'your two years in a support or care role', ask: 'Say where you have worked continuously in a support or care role, and since when (at least two years ago). Attach a reference or describe the document that shows it.', dated: 'sinceOn' },
  { key: 'first-aid', title: 'First aid with immediate life support', yours: 'your first aid certificate', ask: 'Name your current first aid certificate, which must include immediate life support (ILS), and give its expiry date. Attach the certificate or describe it.', dated: 'expiresOn' },
];

/** The requirement with this key. */
export function requirementInfo(key: EligibilityRequirement): RequirementInfo {
  const info = ELIGIBILITY.find((r) => r.key === key);
  if (!info) throw new Error(`unknown eligibility requirement ${key}`);
  return info;
}

/** Where a candidate stands on one requirement. */
export type RequirementState = 'missing' | 'waiting' | 'returned' | 'expired' | 'confirmed';

/** Whether a mentor may confirm or return a record in this status (`decideEligibility` refuses any other; the page offers
 * the buttons by it). */
export const mayDecideEligibility = (status: EligibilityStatus | undefined): boolean => status === 'submitted';

/** One requirement's standing: its state and the sentence shown for it. */
export type RequirementStanding = { info: RequirementInfo; state: RequirementState; sentence: string; record: EligibilityRecordRow | null };

const STATUS_STATE: Record<EligibilityStatus, RequirementState> = { submitted: 'waiting', confirmed: 'confirmed', returned: 'returned' };

/** The candidate's standing on one requirement on `today` (UK date, YYYY-MM-DD). */
export function standingOf(info: RequirementInfo, record: EligibilityRecordRow | null, today: string, now: Date): RequirementStanding {
  const cap = info.yours.charAt(0).toUpperCase() + info.yours.slice(1);
  if (!record) return { info, state: 'missing', record, sentence: `Record ${info.yours} with its evidence.` };
  let state = STATUS_STATE[record.status];
  if (state === 'confirmed' && info.key === 'first-aid' && record.expiresOn && record.expiresOn < today) state = 'expired';
  const sentence =
    state === 'waiting'
      ? `${cap} is waiting for a mentor to confirm it.`
      : state === 'returned'
        ? `A mentor returned ${info.yours}: ${(record.returnReason ?? '').replace(/[.\s]+$/, '')}. Change it and send it again.`
        : state === 'expired'
          ? `${cap} expired on ${spokenDate(record.expiresOn ?? today, now)}: record your current one.`
          : `${cap} was confirmed${record.expiresOn && info.key === 'first-aid' ? ` (it expires on ${spokenDate(record.expiresOn, now)})` : ''}.`;
  return { info, state, sentence, record };
}

/** A candidate's standing on every requirement, and whether they are eligible (every one confirmed and current). */
export function eligibilityOf(records: EligibilityRecordRow[], today: string, now: Date): { eligible: boolean; items: RequirementStanding[] } {
  const items = ELIGIBILITY.map((info) => standingOf(info, records.find((r) => r.requirement === info.key) ?? null, today, now));
  return { eligible: items.every((i) => i.state === 'confirmed'), items };
}

/** Whole years and months between two ISO dates, as "2 years and 3 months". */
export function yearsSince(sinceOn: string, today: string): { months: number; words: string } {
  const [y1, m1, d1] = sinceOn.split('-').map(Number);
  const [y2, m2, d2] = today.split('-').map(Number);
  const months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
  const y = Math.floor(months / 12);
  const m = months % 12;
  const part = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  return { months, words: y && m ? `${part(y, 'year')} and ${part(m, 'month')}` : y ? part(y, 'year') : part(Math.max(m, 0), 'month') };
}

/** A requirement state as a short label and the status style it is drawn in. */
export const STATE_LABEL: Record<RequirementState, { label: string; style: string }> = {
  missing: { label: 'Not recorded', style: 'status-not_started' },
  waiting: { label: 'Waiting for a mentor', style: 'status-pending' },
  returned: { label: 'Returned', style: 'status-declined' },
  expired: { label: 'Expired', style: 'status-revoked' },
  confirmed: { label: 'Confirmed', style: 'status-complete' },
};
