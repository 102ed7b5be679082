/** The `transfer-week:register` evidence kind: a transfer-week day's register the candidate is marked on as there. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { cohortStages, dateFormat, type Db, type EvidenceKind, type ResolvedEvidence } from '../../server/modules/kit';
import { transferWeekAttendance as attendance, transferWeekDays as days } from './schema';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const dayWords = dateFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const THERE = new Set(['present', 'late']);

/** "Transfer-week register, Tue 3 Mar 2026 at Training room 2". */
function label(d: { day: string; venue: string }): string {
  return `Transfer-week register, ${dayWords.format(new Date(`${d.day}T12:00:00Z`))} at ${d.venue}`;
}

/** The cohort's days by id (or every day with a register), with who was there — two queries. */
async function registersOf(db: Db, cohortId: string, ids?: string[]) {
  const rows = await db
    .select({ id: days.id, day: days.day, venue: days.venue })
    .from(days)
    .innerJoin(cohortStages, eq(cohortStages.id, days.cohortStageId))
    .where(and(eq(cohortStages.cohortId, cohortId), ids ? inArray(days.id, ids) : undefined))
    .orderBy(desc(days.day));
  const marks = rows.length ? await db.select({ dayId: attendance.dayId, candidateId: attendance.candidateId, mark: attendance.mark }).from(attendance).where(inArray(attendance.dayId, rows.map((r) => r.id))) : [];
  return rows.map((r) => {
    const own = marks.filter((m) => m.dayId === r.id);
    return { ...r, taken: own.length > 0, there: new Map(own.filter((m) => THERE.has(m.mark)).map((m) => [m.candidateId, m.mark])) };
  });
}

/** A day's register belongs to a candidate's record when it is in their cohort and marks them present (or late). */
export const registerEvidence: EvidenceKind = {
  title: 'Transfer-week register',
  async resolve(db, scope, refIds) {
    const ids = [...new Set(refIds.filter((id) => UUID.test(id)))];
    const out = new Map<string, ResolvedEvidence>();
    if (!ids.length) return out;
    for (const d of await registersOf(db, scope.cohortId, ids)) {
      const mark = d.there.get(scope.candidateId);
      out.set(
        d.id,
        mark
          ? { label: label(d), description: `Marked ${mark} on the register`, belongs: true }
          : { label: 'A transfer-week register', description: 'That register does not show this candidate there.', belongs: false },
      );
    }
    return out;
  },
  async choices(db, scope) {
    const all = await registersOf(db, scope.cohortId);
    return all
      .filter((d) => d.taken && (!scope.candidateId || d.there.has(scope.candidateId)))
      .map((d) => ({ refId: d.id, label: label(d), description: scope.candidateId ? `You were marked ${d.there.get(scope.candidateId)}` : `${d.there.size} marked there` }));
  },
};
