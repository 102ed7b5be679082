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
