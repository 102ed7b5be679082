import { zonedToUtc } from './time-zones';

/** Date formatters built once and reused: constructing an Intl.DateTimeFormat costs far more than formatting with one. */

const formats = new Map<string, Intl.DateTimeFormat>();

/** The formatter for `locale` and `options`, made on first use (a bad time zone throws, as the constructor does). */
export function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}

/** `format` of a calendar day (such as 'YYYY-MM-DD' in a zone) of an instant, remembered for the minute it is in: a
 * zone's day starts on a whole minute, so the answer is the same all that minute (formatting costs microseconds, and
 * a page asks for today's date several times). */
export function dayOfMinute(format: Intl.DateTimeFormat): (now: Date) => string {
  let minute = NaN;
  let day = '';
  return (now) => {
    const m = Math.floor(now.getTime() / 60_000);
    if (m !== minute) {
      day = format.format(now);
      minute = m;
    }
    return day;
  };
}

const dayInWords = dateFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** A calendar date (`YYYY-MM-DD`) in words: "4 March 2026" (the same day wherever it is read). */
export function calendarDay(date: string): string {
  return dayInWords.format(new Date(`${date}T12:00:00Z`));
}

/** Converts a wall-clock time in Europe/London (`YYYY-MM-DDTHH:mm`) to the instant it names (an organisation's own
 * zone: `zonedToUtc` in ./time-zones). */
export function londonToUtc(localTime: string): Date {
  return zonedToUtc(localTime, 'Europe/London');
}
