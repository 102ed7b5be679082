/** Progression records in the ledger: the writers of stage waivers (and their withdrawals) and mentors' completion marks,
 * and the projection checkers that compare those tables with their entries. */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { stageCompletionMarks, stageWaivers } from '../db/tables';
import { appendLedger } from '../ledger';
import { bySubject, defineProjection, firstDifference, missingRow, NO_ENTRY, str, type Disagreement, type ProjectionScope } from '../ledger/projections';
import { rows as query } from '../readiness/sql';

/** The stage a record belongs to. */
export type StageRef = { id: string; cohortId: string; title: string };

/** A waiver to write: of a whole stage (no requirement key) or of one requirement. */
export type WaiverFacts = { stage: StageRef; candidateId: string; mentorId: string; requirementKey: string | null; reason: string; at: Date };

/** Appends `stage.waived` and writes the waiver row at the same instant; returns the row. */
export async function writeWaiver(tx: Db, w: WaiverFacts) {
  const id = randomUUID();
  const scope = w.requirementKey ? ('requirement' as const) : ('stage' as const);
  const entry = await appendLedger(tx, {
    kind: 'stage.waived',
    actorId: w.mentorId,
    cohortId: w.stage.cohortId,
    candidateId: w.candidateId,
    subjectType: 'stage_waiver',
    subjectId: id,
    at: w.at,
    payload: { stageId: w.stage.id, stageTitle: w.stage.title, scope, requirementKey: w.requirementKey, reason: w.reason },
  });
  const [row] = await tx.insert(stageWaivers).values({ id, cohortStageId: w.stage.id, candidateId: w.candidateId, scope, requirementKey: w.requirementKey, reason: w.reason, mentorId: w.mentorId, ledgerSeq: entry.seq, createdAt: w.at }).returning();
  return row;
}

/** Appends `stage.waiver_withdrawn` and records the withdrawal on the row; returns the row. */
export async function writeWithdrawal(tx: Db, w: { waiverId: string; stage: StageRef; candidateId: string; mentorId: string; reason: string; at: Date }) {
  const entry = await appendLedger(tx, { kind: 'stage.waiver_withdrawn', actorId: w.mentorId, cohortId: w.stage.cohortId, candidateId: w.candidateId, subjectType: 'stage_waiver', subjectId: w.waiverId, at: w.at, payload: { stageId: w.stage.id, stageTitle: w.stage.title, reason: w.reason } });
  const [row] = await tx.update(stageWaivers).set({ withdrawnAt: w.at, withdrawnBy: w.mentorId, withdrawalReason: w.reason, withdrawalLedgerSeq: entry.seq }).where(eq(stageWaivers.id, w.waiverId)).returning();
  return row;
}

/** Writes a completion mark and appends `stage.marked_complete`; returns the row, or null when the stage was already marked. */
export async function writeMark(tx: Db, m: { stage: StageRef; candidateId: string; mentorId: string; note: string | null; at: Date }) {
  const id = randomUUID();
  const inserted = await tx.insert(stageCompletionMarks).values({ id, cohortStageId: m.stage.id, candidateId: m.candidateId, mentorId: m.mentorId, note: m.note, createdAt: m.at }).onConflictDoNothing().returning();
  if (!inserted.length) return null;
  const entry = await appendLedger(tx, { kind: 'stage.marked_complete', actorId: m.mentorId, cohortId: m.stage.cohortId, candidateId: m.candidateId, subjectType: 'stage_completion_mark', subjectId: id, at: m.at, payload: { stageId: m.stage.id, stageTitle: m.stage.title, note: m.note } });
  const [row] = await tx.update(stageCompletionMarks).set({ ledgerSeq: entry.seq }).where(eq(stageCompletionMarks.id, id)).returning();
  return row;
}

const cohortFilter = (scope: ProjectionScope) => (scope.cohortId ? sql`s.cohort_id = ${scope.cohortId}::uuid` : sql`true`);
const date = (v: string | Date | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));
const seqOf = (v: string | number | null) => (v === null ? null : Number(v));

type WaiverRow = {
  id: string; cohort_stage_id: string; candidate_id: string; scope: string; requirement_key: string | null; reason: string; mentor_id: string; ledger_seq: string | number | null; created_at: string | Date;
  withdrawn_at: string | Date | null; withdrawn_by: string | null; withdrawal_reason: string | null; withdrawal_ledger_seq: string | number | null; candidate_name: string; stage_title: string;
};

/** Stage waivers: `stage.waived` creates one, `stage.waiver_withdrawn` withdraws it. */
export const waiverProjection = defineProjection({
  name: 'waivers',
  subjectTypes: ['stage_waiver'],
  async check(db, facts, scope) {
    const list = await query<WaiverRow>(
      db,
      sql`select w.*, u.name as candidate_name, s.title as stage_title from stage_waivers w join cohort_stages s on s.id = w.cohort_stage_id join users u on u.id = w.candidate_id
          where ${cohortFilter(scope)} order by w.created_at, w.id`,
    );
    const found = (d: Disagreement) => ({ rows: list.length, disagreement: d });
    const subjects = bySubject(facts);
    for (const w of list) {
      const about = `${w.candidate_name}'s waiver of ${w.scope === 'stage' ? `the stage '${w.stage_title}'` : `a requirement of '${w.stage_title}'`}`;
      const own = subjects.get(w.id);
      const granted = own?.find((f) => f.kind === 'stage.waived');
      if (!own || !granted) return found({ table: 'stage_waivers', rowId: w.id, seq: null, about, problem: NO_ENTRY });
      subjects.delete(w.id);
      const withdrawn = own.find((f) => f.kind === 'stage.waiver_withdrawn');
      const problem = firstDifference([
        ['reason', w.reason, str(granted.payload, 'reason')],
        ['stage', w.cohort_stage_id, str(granted.payload, 'stageId')],
        ['candidate', w.candidate_id, granted.candidateId],
        ['scope', w.scope, str(granted.payload, 'scope')],
        ['requirement', w.requirement_key, str(granted.payload, 'requirementKey')],
        ['mentor', w.mentor_id, granted.actorId],
        ['time', date(w.created_at), granted.at],
        ['ledger entry number', seqOf(w.ledger_seq), granted.seq],
        ['withdrawal time', date(w.withdrawn_at), withdrawn?.at ?? null],
        ['withdrawing mentor', w.withdrawn_by, withdrawn?.actorId ?? null],
        ['withdrawal reason', w.withdrawal_reason, withdrawn ? str(withdrawn.payload, 'reason') : null],
        ['withdrawal entry number', seqOf(w.withdrawal_ledger_seq), withdrawn?.seq ?? null],
      ]);
      if (problem) return found({ table: 'stage_waivers', rowId: w.id, seq: withdrawn && problem.includes('withdraw') ? withdrawn.seq : granted.seq, about, problem });
    }
    for (const [id, own] of subjects) {
      return found({ table: 'stage_waivers', rowId: id, seq: own[0].seq, about: `a waiver of '${str(own[0].payload, 'stageTitle') ?? 'a stage'}'`, problem: missingRow(own[0].seq) });
    }
    return { rows: list.length, disagreement: null };
  },
});

type MarkRow = { id: string; cohort_stage_id: string; candidate_id: string; mentor_id: string; note: string | null; ledger_seq: string | number | null; created_at: string | Date; candidate_name: string; stage_title: string };

/** Mentors' completion marks: `stage.marked_complete`. */
export const markProjection = defineProjection({
  name: 'completion marks',
  subjectTypes: ['stage_completion_mark'],
  async check(db, facts, scope) {
    const list = await query<MarkRow>(
      db,
      sql`select m.*, u.name as candidate_name, s.title as stage_title from stage_completion_marks m join cohort_stages s on s.id = m.cohort_stage_id join users u on u.id = m.candidate_id
          where ${cohortFilter(scope)} order by m.created_at, m.id`,
    );
    const found = (d: Disagreement) => ({ rows: list.length, disagreement: d });
    const subjects = bySubject(facts);
    for (const m of list) {
      const about = `the mark that ${m.candidate_name} completed '${m.stage_title}'`;
      const f = subjects.get(m.id)?.[0];
      if (!f) return found({ table: 'stage_completion_marks', rowId: m.id, seq: null, about, problem: NO_ENTRY });
      subjects.delete(m.id);
      const problem = firstDifference([
        ['stage', m.cohort_stage_id, str(f.payload, 'stageId')],
        ['candidate', m.candidate_id, f.candidateId],
        ['mentor', m.mentor_id, f.actorId],
        ['note', m.note, str(f.payload, 'note')],
        ['time', date(m.created_at), f.at],
        ['ledger entry number', seqOf(m.ledger_seq), f.seq],
      ]);
      if (problem) return found({ table: 'stage_completion_marks', rowId: m.id, seq: f.seq, about, problem });
    }
    for (const [id, own] of subjects) {
      return found({ table: 'stage_completion_marks', rowId: id, seq: own[0].seq, about: `a completion mark of '${str(own[0].payload, 'stageTitle') ?? 'a stage'}'`, problem: missingRow(own[0].seq) });
    }
    return { rows: list.length, disagreement: null };
  },
});
