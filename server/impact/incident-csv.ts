/** The incident import: a template to download, and a parser that checks every row and names each problem. Parsing
 * writes nothing; the preview and the confirmed import both start from the same checked rows. */
import { CsvError, parse } from 'csv-parse/sync';
import { toCsv } from '../exports/csv';
import { BED_DAYS_LABEL, MEASURES, type Measure } from './vocabulary';

/** The most rows one import takes. */
export const MAX_IMPORT_ROWS = 2000;

/** A checked row: its line in the file, what it says, and every problem with it (none: it can be imported). */
export type ImportRow = {
  line: number;
  month: string;
  serviceName: string;
  values: Record<Measure, number | null>;
  occupiedBedDays: number | null;
  problems: string[];
};

/** A checked file: problems with the file as a whole (then nothing can be imported) and its rows. */
export type ParsedImport = { fileProblems: string[]; rows: ImportRow[] };

type Column = Measure | 'month' | 'service' | 'bedDays';

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

const COLUMNS: { key: Column; label: string; aliases: string[] }[] = [
  { key: 'month', label: 'Month', aliases: ['month', 'month yyyy mm'] },
  { key: 'service', label: 'Service', aliases: ['service', 'service name', 'ward', 'home'] },
  ...MEASURES.map((m) => ({ key: m.key as Column, label: m.label, aliases: [norm(m.label), norm(m.short)] })),
  { key: 'bedDays', label: BED_DAYS_LABEL, aliases: [norm(BED_DAYS_LABEL), 'bed days'] },
];

/** The template's header row, in order. */
export const TEMPLATE_HEADER = COLUMNS.map((c) => c.label);

/** The template: UTF-8 with a byte-order mark (spreadsheets then read it as UTF-8), the header, and one row per
 * service for `month` with the numbers left blank to fill in. */
export function templateCsv(serviceNames: string[], month: string): string {
  const rows = (serviceNames.length ? serviceNames : ['']).map((name) => [month, name, ...MEASURES.map(() => ''), '']);
  return toCsv([TEMPLATE_HEADER, ...rows]);
}

function columnOf(header: string): Column | undefined {
  const n = norm(header);
  return COLUMNS.find((c) => c.aliases.includes(n))?.key;
}

function readMonth(raw: string, thisMonth: string, problems: string[]): string {
  const m = /^(\d{4})-(0[1-9]|1[0-2])(?:-01)?$/.exec(raw);
  if (!raw) problems.push('Month is empty: give it as YYYY-MM, such as 2025-03');
  else if (!m) problems.push(`Month “${raw.slice(0, 20)}” is not a month as YYYY-MM, such as 2025-03`);
  else if (`${m[1]}-${m[2]}` > thisMonth) problems.push(`Month ${m[1]}-${m[2]} has not happened yet`);
  else if (m[1] < '2000') problems.push(`Month ${m[1]}-${m[2]} is too long ago: check the year`);
  return m ? `${m[1]}-${m[2]}` : raw.slice(0, 20);
}

function readCount(raw: string, label: string, problems: string[], optional = false): number | null {
  if (raw === '') {
    if (!optional) problems.push(`${label} is empty: enter 0 if there were none`);
    return null;
  }
  if (!/^\d+$/.test(raw)) {
    problems.push(`${label} “${raw.slice(0, 20)}” is not a whole number`);
    return null;
  }
  const n = Number(raw);
  const max = optional ? 10_000_000 : 100_000;
  if (n > max) problems.push(`${label} ${raw} is more than ${max.toLocaleString('en-GB')}: check the number`);
  if (optional && n === 0) problems.push(`${label} is 0: leave it empty if you do not have the figure`);
  return n;
}

/** Parses and checks an import. `thisMonth` ('YYYY-MM') is the latest month that may be reported. */
export function parseIncidentCsv(text: string, thisMonth: string): ParsedImport {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const where = err instanceof CsvError && typeof (err as CsvError & { lines?: number }).lines === 'number' ? ` (near line ${(err as CsvError & { lines: number }).lines})` : '';
    return { fileProblems: [`The file could not be read as CSV${where}: ${err instanceof Error ? err.message.replace(/^Invalid.*?: /, '') : 'it is malformed'}. Save it from your spreadsheet as “CSV UTF-8” and try again.`], rows: [] };
  }
  const header = records[0]?.record;
  const body = records.slice(1);
  if (!header) return { fileProblems: ['The file is empty. Download the template, fill in one row per service and month, and import it.'], rows: [] };
  const fileProblems: string[] = [];
  const columns = header.map(columnOf);
  header.forEach((h, i) => {
    if (!columns[i]) fileProblems.push(`Column “${h.slice(0, 40)}” is not one Cadre imports. The template’s columns are: ${TEMPLATE_HEADER.join(', ')}.`);
  });
  for (const c of COLUMNS) {
    if (c.key !== 'bedDays' && !columns.includes(c.key)) fileProblems.push(`The column “${c.label}” is missing.`);
    if (columns.filter((k) => k === c.key).length > 1) fileProblems.push(`The column “${c.label}” appears twice.`);
  }
  if (body.length > MAX_IMPORT_ROWS) fileProblems.push(`The file has ${body.length} rows; import at most ${MAX_IMPORT_ROWS} at once.`);
  if (!body.length) fileProblems.push('The file has a header but no rows to import.');
  if (fileProblems.length) return { fileProblems, rows: [] };

  const seen = new Map<string, number>();
  const rows = body.map(({ record: cells, info }): ImportRow => {
    const cell = (key: Column) => cells[columns.indexOf(key)] ?? '';
    const problems: string[] = [];
    if (cells.length > header.length && cells.slice(header.length).some((c) => c !== '')) problems.push(`The row has ${cells.length} cells but the header has ${header.length} columns`);
    const month = readMonth(cell('month'), thisMonth, problems);
    const serviceName = cell('service').replace(/\s+/g, ' ');
    if (!serviceName) problems.push('Service is empty: name the service (a home, ward or team), never a person');
    else if (serviceName.length > 120) problems.push('Service is longer than 120 characters');
    const values = Object.fromEntries(MEASURES.map((m) => [m.key, readCount(cell(m.key), m.label, problems)])) as Record<Measure, number | null>;
    const occupiedBedDays = columns.includes('bedDays') ? readCount(cell('bedDays'), BED_DAYS_LABEL, problems, true) : null;
    if (values.proneRestraints !== null && values.restraints !== null && values.proneRestraints > values.restraints) {
      problems.push(`Prone or floor restraints (${values.proneRestraints}) cannot be more than restraints (${values.restraints}): prone holds are counted among the restraints`);
    }
    // The line in the file (as a text editor or a spreadsheet numbers it; the header is line 1).
    const line = info.lines;
    const key = `${serviceName.toLowerCase()}|${month}`;
    const earlier = seen.get(key);
    if (serviceName && earlier) problems.push(`${serviceName} ${month} is also on line ${earlier}: give each service and month once`);
    else seen.set(key, line);
    return { line, month, serviceName, values, occupiedBedDays, problems };
  });
  return { fileProblems, rows };
}
