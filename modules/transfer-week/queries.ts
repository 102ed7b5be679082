/** Reads for the transfer-week pages and API: days, registers, moments and each candidate's standing. */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { cohortPeople, users, type Db, type Evaluation, type StageRow } from '../../server/modules/kit';
import { transferWeekAttendance, transferWeekDays, transferWeekMoments } from './schema';
import { attendedDaysKind, confirmedMomentsKind } from './kinds';

/** The stage's days in date order, with how many were marked present, late and absent. */
export async function listDays(db: Db, stageId: string) {
  const days = await db.select().from(transferWeekDays).where(eq(transferWeekDays.cohortStageId, stageId)).orderBy(asc(transferWeekDays.day));
  if (!days.length) return [];
  const counts = await db
    .select({ dayId: transferWeekAttendance.dayId, mark: transferWeekAttendance.mark, n: sql<number>`count(*)::int` })
    .from(transferWeekAttendance)
    .where(inArray(transferWeekAttendance.dayId, days.map((d) => d.id)))
    .groupBy(transferWeekAttendance.dayId, transferWeekAttendance.mark);
  const n = (dayId: string, mark: string) => counts.find((c) => c.dayId === dayId && c.mark === mark)?.n ?? 0;
  return days.map((d) => ({ ...d, present: n(d.id, 'present'), late: n(d.id, 'late'), absent: n(d.id, 'absent') }));
}

/** One day's register: every candidate of the cohort, by name, with their mark (if taken). */
export async function registerRows(db: Db, cohortId: string, dayId: string) {
  const [people, marks] = await Promise.all([
    cohortPeople(db, cohortId, 'candidate'),
    db.select().from(transferWeekAttendance).where(eq(transferWeekAttendance.dayId, dayId)),
  ]);
  const byId = new Map(marks.map((m) => [m.candidateId, m.mark]));
  return people.map((p) => ({ candidateId: p.userId, name: p.name, mark: byId.get(p.userId) ?? null }));
}

/** One candidate's marks across the stage's days. */
export async function marksOf(db: Db, stageId: string, candidateId: string) {
  return db
    .select({ dayId: transferWeekAttendance.dayId, mark: transferWeekAttendance.mark })
    .from(transferWeekAttendance)
    .innerJoin(transferWeekDays, eq(transferWeekDays.id, transferWeekAttendance.dayId))
    .where(and(eq(transferWeekDays.cohortStageId, stageId), eq(transferWeekAttendance.candidateId, candidateId)));
}

/** Moments of the stage (one candidate's, or everyone's), newest first, with the candidate's name. */
export async function listMoments(db: Db, stageId: string, candidateId?: string) {
  return db
    .select({
      id: transferWeekMoments.id,
      candidateId: transferWeekMoments.candidateId,
      candidateName: users.name,
      dayId: transferWeekMoments.dayId,
      segment: transferWeekMoments.segment,
      reflection: transferWeekMoments.reflection,
      status: transferWeekMoments.status,
      mentorComment: transferWeekMoments.mentorComment,
      decidedAt: transferWeekMoments.decidedAt,
      createdAt: transferWeekMoments.createdAt,
    })
    .from(transferWeekMoments)
    .innerJoin(users, eq(users.id, transferWeekMoments.candidateId))
    .where(candidateId ? and(eq(transferWeekMoments.cohortStageId, stageId), eq(transferWeekMoments.candidateId, candidateId)) : eq(transferWeekMoments.cohortStageId, stageId))
    .orderBy(desc(transferWeekMoments.createdAt));
}

function paramsOf(stage: StageRow, kind: string): Record<string, unknown> {
  return stage.completeRequirements.find((r) => r.kind === kind)?.params ?? {};
}

/** Each candidate's attendance and moments requirements, as the candidate reads them. */
export async function standings(db: Db, stage: StageRow, candidateIds: string[], now = new Date()): Promise<Map<string, { days: Evaluation; moments: Evaluation }>> {
  const item = (params: { min: number }) => ({ stage, stages: [stage], candidateIds, params });
  const [days, moments] = await Promise.all([
    attendedDaysKind.evaluate({ db, now, items: [item(attendedDaysKind.params.parse(paramsOf(stage, 'transfer-week:attended-days')))], earlier: new Map() }),
    confirmedMomentsKind.evaluate({ db, now, items: [item(confirmedMomentsKind.params.parse(paramsOf(stage, 'transfer-week:confirmed-moments')))], earlier: new Map() }),
  ]);
  const out = new Map<string, { days: Evaluation; moments: Evaluation }>();
  for (const c of candidateIds) out.set(c, { days: days.get(stage.id)!.get(c)!, moments: moments.get(stage.id)!.get(c)! });
  return out;
}
