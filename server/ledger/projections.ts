/**
 * Projection checkers: each kind of record the app shows from a live table (sign-offs, waivers, completion marks,
 * final readiness sign-offs, later certificates) registers one checker that folds its ledger entries into the state
 * the table must hold and compares the two, both ways: a row with no entry, an entry whose row is missing or differs.
 */
import type { Db } from '../db';
import type { LedgerRow } from './index';

/** A verified ledger entry with its payload parsed, as a checker reads it (oldest first). */
export type LedgerFact = {
  seq: number;
  kind: string;
  actorId: string;
  cohortId: string | null;
  candidateId: string | null;
  subjectType: string;
  subjectId: string;
  payload: Record<string, unknown>;
  at: Date;
};

/** A stored entry as a fact (its payload parsed). */
export function factOf(row: LedgerRow): LedgerFact {
  return {
    seq: row.seq,
    kind: row.kind,
    actorId: row.actorId,
    cohortId: row.cohortId,
    candidateId: row.candidateId,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    at: new Date(row.recordedAt),
  };
}

/** The first place a live table and the ledger disagree: which table, which row, what differs, in words. */
export type Disagreement = {
  table: string;
  rowId: string;
  /** The ledger entry involved, when there is one. */
  seq: number | null;
  /** What the row is, in words ("Sam Lee's sign-off of D6 Reporting"). */
  about: string;
  /** What differs ("its status is “Signed” but the ledger says “Revoked”"). */
  problem: string;
};

/** Limits a check to one cohort (the inspector report); the CLI checks everything. */
export type ProjectionScope = { cohortId?: string };

/** What one checker found. */
export type ProjectionResult = { rows: number; disagreement: Disagreement | null };

/** One kind of record the ledger vouches for. */
export type LedgerProjection = {
  /** Plain name of what it vouches for ("sign-off requests"). */
  name: string;
  /** The ledger subject types it reads (entries of other types are not passed to it). */
  subjectTypes: string[];
  /** Loads its tables in a fixed few queries (set-based) and returns the first disagreement, or null. */
  check(db: Db, facts: LedgerFact[], scope: ProjectionScope): Promise<ProjectionResult>;
};

/** Declares a projection checker (an identity function that gives it its type). */
export function defineProjection(projection: LedgerProjection): LedgerProjection {
  return projection;
}

type Value = string | number | boolean | Date | null | undefined;

const norm = (v: Value): string | number | boolean | null => (v === undefined || v === null ? null : v instanceof Date ? v.getTime() : v);

/** Whether a table value and a ledger value are the same fact (dates compared to the millisecond). */
export function same(a: Value, b: Value): boolean {
  return norm(a) === norm(b);
}

/** A value as a person reads it in a disagreement. */
export function show(v: Value, words?: Record<string, string>): string {
  if (v === undefined || v === null || v === '') return 'empty';
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
  if (typeof v === 'string') {
    const said = words?.[v] ?? v;
    return `“${said.length > 60 ? `${said.slice(0, 57)}…` : said}”`;
  }
  return String(v);
}

/** One field to compare: its label in words, the table's value, the ledger's value, and optional words for codes. */
export type FieldCheck = [label: string, table: Value, ledger: Value, words?: Record<string, string>];

/** The first field that differs, as "its <label> is X but the ledger says Y", or null when all agree. */
export function firstDifference(fields: FieldCheck[]): string | null {
  for (const [label, table, ledger, words] of fields) {
    if (!same(table, ledger)) return `its ${label} is ${show(table, words)} but the ledger says ${show(ledger, words)}`;
  }
  return null;
}

/** The problem sentence for a row that no ledger entry records. */
export const NO_ENTRY = 'no ledger entry records it (it was written outside Cadre)';

/** The problem sentence for a row the ledger records but the table no longer has. */
export function missingRow(seq: number): string {
  return `the row is missing, but ledger entry ${seq} records it`;
}

/** Groups facts by subject id, keeping each subject's facts oldest first. */
export function bySubject(facts: LedgerFact[]): Map<string, LedgerFact[]> {
  const out = new Map<string, LedgerFact[]>();
  for (const f of facts) {
    const list = out.get(f.subjectId);
    if (list) list.push(f);
    else out.set(f.subjectId, [f]);
  }
  return out;
}

/** A payload field as a string or null. */
export function str(payload: Record<string, unknown>, key: string): string | null {
  const v = payload[key];
  return typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
}

/** A payload field as a number or null. */
export function num(payload: Record<string, unknown>, key: string): number | null {
  const v = payload[key];
  return typeof v === 'number' ? v : null;
}

/** The whole sentence for a disagreement, as the CLI and the report print it. */
export function sayDisagreement(d: Disagreement): string {
  return `${d.table} row ${d.rowId} (${d.about}): ${d.problem}${d.seq !== null && !d.problem.includes(`entry ${d.seq}`) ? ` (ledger entry ${d.seq})` : ''}`;
}
