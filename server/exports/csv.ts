/** The one CSV writer every export uses: UTF-8 with a byte-order mark (so Excel reads accents and dashes), RFC 4180
 * quoting, CRLF line ends, and a guard against spreadsheet formula injection. */
import type { Response } from 'express';

/** One cell: prefixes = + - @ (and tab/CR) with a quote so spreadsheets show text, then quotes when needed. */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to CSV text: the byte-order mark, then each row on its own CRLF-ended line. */
export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** A file name safe in a Content-Disposition header ("Cohort A" → "cohort-a"). */
export const fileSlug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'export';

/** Sends CSV text (from `toCsv`) as a download named `name`. */
export function sendCsv(res: Response, name: string, text: string): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
  res.send(text);
}
