/** Wall-clock time in an IANA time zone ⇄ UTC instants, with Intl only. */
import { dateFormat, timeZoneWords } from '../../server/modules/kit';

/** True when `tz` is an IANA time zone this server knows. */
export function isTimeZone(tz: string): boolean {
  try {
    dateFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function offsetMs(instant: number, tz: string): number {
  const parts = Object.fromEntries(
    dateFormat('en-GB', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant when the clock in `tz` shows `date` (YYYY-MM-DD) at `time` (HH:MM). */
export function zonedToUtc(date: string, time: string, tz: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const naive = Date.UTC(y, m - 1, d, hh, mm);
  let guess = naive - offsetMs(naive, tz);
  guess = naive - offsetMs(guess, tz);
  return new Date(guess);
}

/** "Tuesday 17 March 2026 at 14:00 (UK time)": the zone in words, never its IANA name. */
export function spokenDateTime(instant: Date, tz: string): string {
  const day = dateFormat('en-GB', { timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(instant).replace(/,/g, '');
  const time = dateFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  return `${day} at ${time} (${timeZoneWords(tz)})`;
}

/** The date and time fields of an instant in `tz`, for pre-filling the schedule form. */
export function zonedParts(instant: Date, tz: string): { date: string; time: string } {
  const date = dateFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
  const time = dateFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  return { date, time };
}
