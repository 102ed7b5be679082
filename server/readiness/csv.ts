/** CSV exports: RFC 4180 quoting, a header row, and a guard against spreadsheet formula injection. */
import type { CohortReadiness } from './model';
import type { SignoffRecord } from './records';

/** One cell: prefixes = + - @ (and tab/CR) with a quote so spreadsheets show text, then quotes when needed. */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to CSV text (CRLF line ends, as RFC 4180 says). */
export function toCsv(rows: unknown[][]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

/** The heatmap: one row per candidate; a column per stage and per competency, in words. */
export function readinessCsv(cohort: CohortReadiness): string {
  const header = [
    'Candidate',
    'E-mail',
    'Ready to deliver',
    'State',
    ...cohort.stages.map((s) => `Stage ${s.position}: ${s.title}`),
    ...cohort.competencies.map((c) => `${c.code} ${c.name}`),
    'Risk flags',
    'Next action',
    'Last activity',
  ];
  const body = cohort.candidates.map((c) => [
    c.name,
    c.email,
    c.ready ? 'Yes' : 'No',
    c.state,
    ...c.stages.map((cell) => cell.label),
    ...c.competencies.map((cell) => cell.label),
    c.flags.map((f) => f.message).join('; '),
    c.nextAction,
    iso(c.lastActivityAt),
  ]);
  return toCsv([header, ...body]);
}

/** Every sign-off request with mentor names, dates and evidence references. */
export function signoffsCsv(list: SignoffRecord[]): string {
  const header = ['Request id', 'Candidate', 'Competency code', 'Competency', 'Safety-critical', 'Status', 'Rating', 'Submitted', 'Signed at', 'Signed by', 'Countersigned by', 'Evidence'];
  const body = list.map((r) => [
    r.id,
    r.candidateName,
    r.competencyCode,
    r.competencyName,
    r.safetyCritical ? 'Yes' : 'No',
    r.status,
    r.rating ?? '',
    iso(r.submittedAt),
    iso(r.signedAt),
    r.signedBy ?? '',
    r.countersignedBy ?? '',
    r.evidence.join('; '),
  ]);
  return toCsv([header, ...body]);
}
