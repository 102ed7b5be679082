/** The words and clock the exports share (CSV and PDF): the organisation's time zone, dates and times as people
 * read them, sign-off states and ratings. */

/** Every organisation Cadre serves runs on UK time (the programme's calendar, `ukDate`); exports show times in it. */
export const ORGANISATION_TIME_ZONE = 'Europe/London';

/** How the exports name that zone in a column header. */
export const TIME_ZONE_WORDS = 'UK time';

const parts = new Intl.DateTimeFormat('en-GB', { timeZone: ORGANISATION_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const spokenDay = new Intl.DateTimeFormat('en-GB', { timeZone: ORGANISATION_TIME_ZONE, day: 'numeric', month: 'short', year: 'numeric' });
const spokenTime = new Intl.DateTimeFormat('en-GB', { timeZone: ORGANISATION_TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

const toDate = (v: number | Date) => (typeof v === 'number' ? new Date(v) : v);

/** "2026-12-01 20:31" in the organisation's time zone (sortable in a spreadsheet); '' for null. */
export function localDateTime(v: number | Date | null): string {
  if (v === null) return '';
  const p = Object.fromEntries(parts.formatToParts(toDate(v)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "1 Dec 2026" in the organisation's time zone. */
export const sayDay = (v: number | Date) => spokenDay.format(toDate(v));

/** "1 Dec 2026 at 20:31" in the organisation's time zone. */
export const sayDayTime = (v: number | Date) => `${sayDay(v)} at ${spokenTime.format(toDate(v))}`;

const signoffStates: Record<string, string> = {
  signed: 'Signed off',
  awaiting_countersign: 'Signed, waiting for a countersignature',
  pending: 'Waiting for a mentor',
  more_evidence: 'More evidence asked for',
  declined: 'Declined',
  revoked: 'Revoked',
};

/** A sign-off request's status in words ("Signed off"). */
export const signoffStatusWords = (status: string) => signoffStates[status] ?? 'Recorded';

/** A rating on its framework's scale: "Confident (3)"; '' when there is none. */
export function ratingWords(rating: number | null, levels: readonly string[] | null): string {
  if (rating === null) return '';
  const label = levels?.[rating];
  return label ? `${label} (${rating})` : String(rating);
}
