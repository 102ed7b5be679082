/**
 * Trainer records in the ledger (17.4): each level or suspension change is one entry (`trainer-record.promoted`,
 * `.suspended`, `.reinstated` on subject `trainer_record`) written at the same instant as the row, and the checker that
 * folds a record's entries back into the level and suspension its `trainer_records` row must hold. A record no entry
 * speaks of must still be as its certificate made it (associate, not suspended), so a direct edit is named.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import type { TrainerLevel } from '../db/schema/register';
import { trainerRecords } from '../db/tables';
import { appendLedger } from '../ledger';
import { bySubject, defineProjection, firstDifference, missingRow, NO_ENTRY, str, type Disagreement, type LedgerFact } from '../ledger/projections';
import { rows as query } from '../readiness/sql';
import type { TrainerRecordRow } from './records';

/** The ledger subject type of a trainer record. */
export const TRAINER_RECORD_SUBJECT = 'trainer_record';

/** A change of level or suspension. */
export type StandingChange = 'promote' | 'suspend' | 'reinstate';

const KIND: Record<StandingChange, string> = { promote: 'trainer-record.promoted', suspend: 'trainer-record.suspended', reinstate: 'trainer-record.reinstated' };

/** Appends the change's entry and writes the row at the same instant; returns the updated row. */
export async function writeStandingChange(tx: Db, record: TrainerRecordRow, f: { change: StandingChange; by: string; reason: string; at: Date }): Promise<TrainerRecordRow> {
  const entry = await appendLedger(tx, {
    kind: KIND[f.change],
    actorId: f.by,
    cohortId: null,
    candidateId: record.userId,
    subjectType: TRAINER_RECORD_SUBJECT,
    subjectId: record.id,
    at: f.at,
    payload: { organisationId: record.organisationId, reason: f.reason, ...(f.change === 'promote' ? { level: 'senior' } : {}) },
  });
  const set =
    f.change === 'promote'
      ? { level: 'senior' as const, ledgerSeq: entry.seq }
      : f.change === 'suspend'
        ? { suspendedAt: f.at, suspensionReason: f.reason, ledgerSeq: entry.seq }
        : { suspendedAt: null, suspensionReason: null, ledgerSeq: entry.seq };
  const [row] = await tx.update(trainerRecords).set(set).where(eq(trainerRecords.id, record.id)).returning();
  return row;
}

type Folded = { seq: number | null; userId: string | null; organisationId: string | null; level: TrainerLevel; suspendedAt: Date | null; reason: string | null };

/** What a record's entries (oldest first) say its row holds; no entries: the state a certificate makes. */
export function foldStanding(facts: LedgerFact[]): Folded {
  const f: Folded = { seq: null, userId: facts[0]?.candidateId ?? null, organisationId: facts[0] ? str(facts[0].payload, 'organisationId') : null, level: 'associate', suspendedAt: null, reason: null };
  for (const e of facts) {
    f.seq = e.seq;
    if (e.kind === KIND.promote) f.level = 'senior';
    if (e.kind === KIND.suspend) Object.assign(f, { suspendedAt: e.at, reason: str(e.payload, 'reason') });
    if (e.kind === KIND.reinstate) Object.assign(f, { suspendedAt: null, reason: null });
  }
  return f;
}

type Row = { id: string; user_id: string; organisation_id: string; level: string; suspended_at: string | Date | null; suspension_reason: string | null; ledger_seq: number | string | null; trainer: string; organisation: string };

const at = (v: string | Date | null) => (v === null ? null : v instanceof Date ? v : new Date(v));
const LEVELS: Record<string, string> = { associate: 'Associate trainer', senior: 'Senior trainer' };

/** The checker core registers: every trainer record's level and suspension against its entries. Trainer records
 * belong to an organisation, not a cohort: a one-cohort check (the inspector report) has none to compare. */
export const trainerRecordProjection = defineProjection({
  name: 'trainer records',
  subjectTypes: [TRAINER_RECORD_SUBJECT],
  async check(db, facts, scope) {
    if (scope.cohortId) return { rows: 0, disagreement: null };
    const list = await query<Row>(
      db,
      sql`select r.id, r.user_id, r.organisation_id, r.level, r.suspended_at, r.suspension_reason, r.ledger_seq, u.name as trainer, o.name as organisation
          from trainer_records r join users u on u.id = r.user_id join organisations o on o.id = r.organisation_id order by r.created_at, r.id`,
    );
    const found = (d: Disagreement) => ({ rows: list.length, disagreement: d });
    const subjects = bySubject(facts);
    for (const r of list) {
      const about = `${r.trainer}'s trainer record for ${r.organisation}`;
      const own = subjects.get(r.id) ?? [];
      subjects.delete(r.id);
      const f = foldStanding(own);
      const changed = r.level !== 'associate' || r.suspended_at !== null || r.suspension_reason !== null || r.ledger_seq !== null;
      if (!own.length && changed) return found({ table: 'trainer_records', rowId: r.id, seq: null, about, problem: `its level or suspension was changed but ${NO_ENTRY}` });
      const problem = firstDifference([
        ['trainer', r.user_id, f.userId ?? r.user_id],
        ['organisation', r.organisation_id, f.organisationId ?? r.organisation_id],
        ['level', r.level, f.level, LEVELS],
        ['suspension time', at(r.suspended_at), f.suspendedAt],
        ['suspension reason', r.suspension_reason, f.reason],
        ['ledger entry number', r.ledger_seq === null ? null : Number(r.ledger_seq), f.seq],
      ]);
      if (problem) return found({ table: 'trainer_records', rowId: r.id, seq: f.seq, about, problem });
    }
    for (const [id, own] of subjects) return found({ table: 'trainer_records', rowId: id, seq: own[0].seq, about: 'a trainer record', problem: missingRow(own[0].seq) });
    return { rows: list.length, disagreement: null };
  },
});
