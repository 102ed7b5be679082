/** Eligibility in the ledger: each submission and each mentor's decision is an entry, because each changes what the
 * first stage's gate tells the candidate; the projection checker compares `eligibility_records` with the entries. */
import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import type { EligibilityRequirement, EligibilityStatus } from '../db/schema/register';
import { appendLedger } from '../ledger';
import { bySubject, defineProjection, firstDifference, missingRow, NO_ENTRY, str, type Disagreement } from '../ledger/projections';
import { rows as query } from '../readiness/sql';

/** The facts of one record as the ledger holds them (and the table must agree). */
export type EligibilityFacts = {
  recordId: string;
  cohortId: string;
  candidateId: string;
  actorId: string;
  requirement: EligibilityRequirement;
  status: EligibilityStatus;
  description: string;
  sinceOn: string | null;
  expiresOn: string | null;
  fileId: string | null;
  document: string | null;
  reason: string | null;
  at: Date;
};

/** Appends `eligibility.<status>` for a record's new state; returns the entry's number. */
export async function ledgerEligibility(tx: Db, f: EligibilityFacts): Promise<number> {
  const entry = await appendLedger(tx, {
    kind: `eligibility.${f.status}`,
    actorId: f.actorId,
    cohortId: f.cohortId,
    candidateId: f.candidateId,
    subjectType: 'eligibility_record',
    subjectId: f.recordId,
    at: f.at,
    payload: { requirement: f.requirement, status: f.status, description: f.description, sinceOn: f.sinceOn, expiresOn: f.expiresOn, fileId: f.fileId, document: f.document, reason: f.reason },
  });
  return entry.seq;
}

type Row = {
  id: string; cohort_id: string; candidate_id: string; requirement: string; status: string; description: string; since_on: string | null; expires_on: string | null;
  file_id: string | null; document: string | null; return_reason: string | null; decided_by: string | null; ledger_seq: string | number | null; candidate_name: string;
};

const WORDS: Record<string, string> = { submitted: 'Waiting for a mentor', confirmed: 'Confirmed', returned: 'Returned' };
const dateText = (v: string | Date | null) => (v === null ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/** Eligibility records: the latest entry of each record is the state the table must show. */
export const eligibilityProjection = defineProjection({
  name: 'eligibility evidence',
  subjectTypes: ['eligibility_record'],
  async check(db, facts, scope) {
    const list = await query<Row>(
      db,
      sql`select e.*, u.name as candidate_name from eligibility_records e join users u on u.id = e.candidate_id
          where ${scope.cohortId ? sql`e.cohort_id = ${scope.cohortId}::uuid` : sql`true`} order by e.submitted_at, e.id`,
    );
    const found = (d: Disagreement) => ({ rows: list.length, disagreement: d });
    const subjects = bySubject(facts);
    for (const e of list) {
      const about = `${e.candidate_name}'s eligibility evidence (${e.requirement.replace('-', ' ')})`;
      const own = subjects.get(e.id);
      const last = own?.[own.length - 1];
      if (!last) return found({ table: 'eligibility_records', rowId: e.id, seq: null, about, problem: NO_ENTRY });
      subjects.delete(e.id);
      const decided = last.kind !== 'eligibility.submitted';
      const problem = firstDifference([
        ['status', e.status, str(last.payload, 'status'), WORDS],
        ['description', e.description, str(last.payload, 'description')],
        ['start date', dateText(e.since_on), str(last.payload, 'sinceOn')],
        ['expiry date', dateText(e.expires_on), str(last.payload, 'expiresOn')],
        ['file', e.file_id, str(last.payload, 'fileId')],
        ['document', e.document, str(last.payload, 'document')],
        ['reason for returning it', e.return_reason, decided ? str(last.payload, 'reason') : null],
        ['deciding mentor', e.decided_by, decided ? last.actorId : null],
        ['candidate', e.candidate_id, last.candidateId],
        ['ledger entry number', e.ledger_seq === null ? null : Number(e.ledger_seq), last.seq],
      ]);
      if (problem) return found({ table: 'eligibility_records', rowId: e.id, seq: last.seq, about, problem });
    }
    for (const [id, own] of subjects) {
      if (scope.cohortId && own[0].cohortId !== scope.cohortId) continue;
      return found({ table: 'eligibility_records', rowId: id, seq: own[0].seq, about: 'eligibility evidence', problem: missingRow(own[0].seq) });
    }
    return { rows: list.length, disagreement: null };
  },
});
