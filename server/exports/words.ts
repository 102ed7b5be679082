/** The words and clock the exports share (CSV and PDF): the organisation's time zone, dates and times as people
 * read them, sign-off states and ratings. */
import { dateFormat } from '../util/dates';

/** Each organisation has its own time zone (`organisations.time_zone`, default UK time); exports show times in it. */
export { DEFAULT_TIME_ZONE as ORGANISATION_TIME_ZONE, timeZoneWords } from '../util/time-zones';

const parts = (zone: string) => dateFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const spokenDay = (zone: string) => dateFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short', year: 'numeric' });
const spokenTime = (zone: string) => dateFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

const toDate = (v: number | Date) => (typeof v === 'number' ? new Date(v) : v);

/** "2026-12-01 20:31" in the organisation's time zone `zone` (sortable in a spreadsheet); '' for null. */
export function localDateTime(v: number | Date | null, zone: string): string {
  if (v === null) return '';
  const p = Object.fromEntries(parts(zone).formatToParts(toDate(v)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "1 Dec 2026" in the organisation's time zone. */
export const sayDay = (v: number | Date, zone: string) => spokenDay(zone).format(toDate(v));

/** "1 Dec 2026 at 20:31" in the organisation's time zone. */
export const sayDayTime = (v: number | Date, zone: string) => `${sayDay(v, zone)} at ${spokenTime(zone).format(toDate(v))}`;

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
