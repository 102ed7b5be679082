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

/** Converts a wall-clock time in Europe/London (`YYYY-MM-DDTHH:mm`) to the instant it names. */
export function londonToUtc(localTime: string): Date {
  const guess = new Date(`${localTime}:00Z`);
  const parts = Object.fromEntries(
    dateFormat('en-GB', { timeZone: 'Europe/London', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(guess)
      .map((p) => [p.type, p.value]),
  );
  const asLondon = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return new Date(guess.getTime() - (asLondon - guess.getTime()));
}
