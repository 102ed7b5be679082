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
