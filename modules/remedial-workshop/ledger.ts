/** Final readiness sign-offs in the ledger: each row of `remedial_workshop_signoffs` must match its entry, and back. */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { appendLedger, bySubject, certify, defineProjection, firstDifference, missingRow, NO_ENTRY, str, type Db, type Disagreement } from '../../server/modules/kit';
import { remedialWorkshopSignoffs } from './schema';

/** The ledger subject type of a final readiness sign-off. */
export const SIGNOFF_SUBJECT = 'remedial_workshop_signoff';

/** A final readiness sign-off to write; `overrideReason` and `gaps` when it overrides the readiness model. */
export type ReadinessFacts = { stage: { id: string; cohortId: string; title: string }; candidateId: string; mentorId: string; note: string | null; overrideReason: string | null; gaps: string[]; at: Date };

/** Appends `remedial-workshop.readiness-signed`, writes the row at the same instant and has core certify the candidate
 * (issue their certificate, or renew it for a refresher) in the same transaction; returns the row. */
export async function writeReadinessSignoff(tx: Db, f: ReadinessFacts) {
  const id = randomUUID();
  const entry = await appendLedger(tx, {
    kind: 'remedial-workshop.readiness-signed',
    actorId: f.mentorId,
    cohortId: f.stage.cohortId,
    candidateId: f.candidateId,
    subjectType: SIGNOFF_SUBJECT,
    subjectId: id,
    at: f.at,
    payload: { stageId: f.stage.id, stageTitle: f.stage.title, note: f.note, overrideReason: f.overrideReason, ...(f.overrideReason ? { gaps: f.gaps } : {}) },
  });
  const [row] = await tx.insert(remedialWorkshopSignoffs).values({ id, cohortStageId: f.stage.id, candidateId: f.candidateId, mentorId: f.mentorId, note: f.note, overrideReason: f.overrideReason, ledgerSeq: entry.seq, createdAt: f.at }).returning();
  await certify(tx, { cohortId: f.stage.cohortId, candidateId: f.candidateId, signedBy: f.mentorId, at: f.at });
  return row;
}

type Row = { id: string; cohort_stage_id: string; candidate_id: string; mentor_id: string; note: string | null; override_reason: string | null; ledger_seq: string | number | null; created_at: string | Date; candidate_name: string };

const date = (v: string | Date) => (v instanceof Date ? v : new Date(v));

async function load(db: Db, cohortId?: string): Promise<Row[]> {
  const result = (await db.execute(
    sql`select f.id, f.cohort_stage_id, f.candidate_id, f.mentor_id, f.note, f.override_reason, f.ledger_seq, f.created_at, u.name as candidate_name
        from remedial_workshop_signoffs f join cohort_stages s on s.id = f.cohort_stage_id join users u on u.id = f.candidate_id
        where ${cohortId ? sql`s.cohort_id = ${cohortId}::uuid` : sql`true`} order by f.created_at, f.id`,
  )) as unknown as { rows: Row[] };
  return result.rows;
}

/** The checker the manifest registers. */
export const readinessSignoffProjection = defineProjection({
  name: 'final readiness sign-offs',
  subjectTypes: [SIGNOFF_SUBJECT],
  async check(db, facts, scope) {
    const list = await load(db, scope.cohortId);
    const found = (d: Disagreement) => ({ rows: list.length, disagreement: d });
    const subjects = bySubject(facts);
    for (const r of list) {
      const about = `${r.candidate_name}'s final readiness sign-off`;
      const f = subjects.get(r.id)?.[0];
      if (!f) return found({ table: 'remedial_workshop_signoffs', rowId: r.id, seq: null, about, problem: NO_ENTRY });
      subjects.delete(r.id);
      const problem = firstDifference([
        ['stage', r.cohort_stage_id, str(f.payload, 'stageId')],
        ['candidate', r.candidate_id, f.candidateId],
        ['mentor', r.mentor_id, f.actorId],
        ['note', r.note, str(f.payload, 'note')],
        ['override reason', r.override_reason, str(f.payload, 'overrideReason')],
        ['time', date(r.created_at), f.at],
        ['ledger entry number', r.ledger_seq === null ? null : Number(r.ledger_seq), f.seq],
      ]);
      if (problem) return found({ table: 'remedial_workshop_signoffs', rowId: r.id, seq: f.seq, about, problem });
    }
    for (const [id, own] of subjects) return found({ table: 'remedial_workshop_signoffs', rowId: id, seq: own[0].seq, about: 'a final readiness sign-off', problem: missingRow(own[0].seq) });
    return { rows: list.length, disagreement: null };
  },
});

type ReportRow = { candidate_id: string; candidate: string; mentor: string; note: string | null; override_reason: string | null; at: string | Date; payload: string | null };

const spoken = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric' });
const sentence = (t: string) => (/[.!?]$/.test(t.trim()) ? t.trim() : `${t.trim()}.`);

/** The report's section: every final readiness sign-off of the cohort (overrides with their reason and what was not
 * ready at the time), as cohort-wide lines and per candidate (by id) for each candidate's page. */
export async function readinessReport(db: Db, cohortId: string): Promise<{ title: string; lines: string[]; byCandidate: Record<string, string[]> } | null> {
  const result = (await db.execute(
    sql`select f.candidate_id, u.name as candidate, m.name as mentor, f.note, f.override_reason, f.created_at as at, l.payload
        from remedial_workshop_signoffs f join cohort_stages s on s.id = f.cohort_stage_id join users u on u.id = f.candidate_id join users m on m.id = f.mentor_id
        left join ledger_entries l on l.seq = f.ledger_seq
        where s.cohort_id = ${cohortId}::uuid order by f.created_at`,
  )) as unknown as { rows: ReportRow[] };
  if (!result.rows.length) return null;
  const byCandidate: Record<string, string[]> = {};
  const lines = result.rows.flatMap((r) => {
    const own = [`Signed off as ready to deliver by ${r.mentor} on ${spoken.format(date(r.at))}.${r.note ? ` Note: ${sentence(r.note)}` : ''}`];
    if (r.override_reason) {
      const gaps = r.payload ? ((JSON.parse(r.payload) as { gaps?: string[] }).gaps ?? []) : [];
      own.push(`The mentor overrode the readiness model. Their reason: ${sentence(r.override_reason)}${gaps.length ? ` Not yet met at the time: ${gaps.join(' ')}` : ''}`);
    }
    byCandidate[r.candidate_id] = [...(byCandidate[r.candidate_id] ?? []), ...own];
    return own.map((l, i) => (i === 0 ? `${r.candidate} — ${l}` : `   ${l}`));
  });
  return { title: 'Final readiness sign-offs', lines, byCandidate };
}
