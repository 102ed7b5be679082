/** Transfer-week commands: schedule a day, save a register, log and decide trainer-role moments. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { assertWithinCohort, audit, cohortMembers, getCohort, ConflictError, deliver, NotFoundError, notify, refuseOwnRecord, ValidationError, type AppContext, type StageRow } from '../../server/modules/kit';
import { transferWeekAttendance, transferWeekDays, transferWeekMoments, type AttendanceMark } from './schema';
import type { dayInput, momentInput } from './inputs';

const link = (stage: StageRow) => `/cohorts/${stage.cohortId}/stages/transfer-week`;

/** Schedules an in-person day. */
export async function scheduleDay(ctx: AppContext, actorId: string, stage: StageRow, input: z.output<typeof dayInput>) {
  assertWithinCohort(await getCohort(ctx.db, stage.cohortId), input.day, 'day', 'That day');
  return ctx.db.transaction(async (tx) => {
    const [day] = await tx.insert(transferWeekDays).values({ cohortStageId: stage.id, day: input.day, venue: input.venue, notes: input.notes, createdBy: actorId }).returning();
    await audit(tx, { actorId, action: 'transfer-week.day-scheduled', subjectType: 'transfer_week_day', subjectId: day.id, after: input });
    return day;
  });
}

/** A day of this stage, or 404. */
export async function getDay(ctx: AppContext, stage: StageRow, dayId: string) {
  const [day] = await ctx.db
    .select()
    .from(transferWeekDays)
    .where(and(eq(transferWeekDays.id, dayId), eq(transferWeekDays.cohortStageId, stage.id)));
  if (!day) throw new NotFoundError('That transfer-week day');
  return day;
}

/** Saves marks for a day: each named candidate must belong to the cohort; their previous mark is replaced. */
export async function saveRegister(
  ctx: AppContext,
  actorId: string,
  stage: StageRow,
  dayId: string,
  marks: { candidateId: string; mark: AttendanceMark; field: string }[],
) {
  const ids = marks.map((m) => m.candidateId);
  // A mentor who is also a candidate of the cohort never marks their own attendance.
  refuseOwnRecord({ id: actorId }, ids, 'your own attendance');
  const members = await ctx.db
    .select({ userId: cohortMembers.userId })
    .from(cohortMembers)
    .where(and(eq(cohortMembers.cohortId, stage.cohortId), eq(cohortMembers.role, 'candidate'), inArray(cohortMembers.userId, ids)));
  const known = new Set(members.map((m) => m.userId));
  const unknown = marks.filter((m) => !known.has(m.candidateId));
  if (unknown.length) {
    throw new ValidationError(`${unknown.length === 1 ? 'One person on the register is' : `${unknown.length} people on the register are`} not a candidate of this cohort.`, unknown.map((m) => ({ field: m.field, message: 'is not a candidate of this cohort' })));
  }
  return ctx.db.transaction(async (tx) => {
    const before = await tx.select().from(transferWeekAttendance).where(eq(transferWeekAttendance.dayId, dayId));
    await tx
      .insert(transferWeekAttendance)
      .values(marks.map((m) => ({ dayId, candidateId: m.candidateId, mark: m.mark, recordedBy: actorId })))
      .onConflictDoUpdate({
        target: [transferWeekAttendance.dayId, transferWeekAttendance.candidateId],
        set: { mark: sql`excluded.mark`, recordedBy: sql`excluded.recorded_by`, recordedAt: sql`now()` },
      });
    await audit(tx, {
      actorId,
      action: 'transfer-week.register-saved',
      subjectType: 'transfer_week_day',
      subjectId: dayId,
      before: before.map((b) => ({ candidateId: b.candidateId, mark: b.mark })),
      after: marks.map((m) => ({ candidateId: m.candidateId, mark: m.mark })),
    });
    return marks.length;
  });
}

/** Logs a trainer-role moment for the candidate and tells the cohort's mentors it is waiting. */
export async function logMoment(ctx: AppContext, candidateId: string, stage: StageRow, input: z.output<typeof momentInput>) {
  if (input.dayId) await getDay(ctx, stage, input.dayId).catch(() => {
    throw new ValidationError('That day is not one of this transfer week’s days.', [{ field: 'dayId', message: 'is not a day of this transfer week' }]);
  });
  const { moment, notes } = await ctx.db.transaction(async (tx) => {
    const [moment] = await tx
      .insert(transferWeekMoments)
      .values({ cohortStageId: stage.id, candidateId, dayId: input.dayId, segment: input.segment, reflection: input.reflection, status: 'submitted' })
      .returning();
    await audit(tx, { actorId: candidateId, action: 'transfer-week.moment-logged', subjectType: 'transfer_week_moment', subjectId: moment.id, after: input });
    const mentors = await tx
      .select({ userId: cohortMembers.userId })
      .from(cohortMembers)
      .where(and(eq(cohortMembers.cohortId, stage.cohortId), eq(cohortMembers.role, 'mentor')));
    const notes = await notify(
      tx,
      mentors.map((m) => ({ userId: m.userId, kind: 'transfer-week.moment', title: 'A trainer-role moment is waiting for you to confirm', body: `“${input.segment}”`, link: link(stage) })),
    );
    return { moment, notes };
  });
  await deliver(ctx, notes);
  return moment;
}

/** A moment of this stage, or 404. */
export async function getMoment(ctx: AppContext, stage: StageRow, momentId: string) {
  const [m] = await ctx.db
    .select()
    .from(transferWeekMoments)
    .where(and(eq(transferWeekMoments.id, momentId), eq(transferWeekMoments.cohortStageId, stage.id)));
  if (!m) throw new NotFoundError('That trainer-role moment');
  return m;
}

type MomentStatus = typeof transferWeekMoments.$inferSelect.status;
/** Whether the candidate may still change a moment in this status (a confirmed one is final); pages offer the form by it. */
export const mayRevise = (status: MomentStatus): boolean => status !== 'confirmed';
/** Whether a mentor may make `decision` on a moment in this status; pages offer the buttons by it. */
export const mayDecide = (status: MomentStatus, decision: 'confirmed' | 'returned'): boolean => status !== 'confirmed' && !(status === 'returned' && decision === 'returned');

/** The candidate revises a moment a mentor returned; it waits for a mentor again. */
export async function reviseMoment(ctx: AppContext, candidateId: string, stage: StageRow, momentId: string, input: z.output<typeof momentInput>) {
  const current = await getMoment(ctx, stage, momentId);
  if (current.candidateId !== candidateId) throw new NotFoundError('That trainer-role moment');
  if (!mayRevise(current.status)) throw new ConflictError('This moment is already confirmed by a mentor, so it can no longer be changed.');
  return ctx.db.transaction(async (tx) => {
    const [m] = await tx
      .update(transferWeekMoments)
      .set({ segment: input.segment, reflection: input.reflection, dayId: input.dayId ?? current.dayId, status: 'submitted', updatedAt: new Date() })
      .where(eq(transferWeekMoments.id, momentId))
      .returning();
    await audit(tx, { actorId: candidateId, action: 'transfer-week.moment-revised', subjectType: 'transfer_week_moment', subjectId: momentId, before: { segment: current.segment, reflection: current.reflection, status: current.status }, after: input });
    return m;
  });
}

/** A mentor confirms a moment, or returns it with a comment; the candidate is told. */
export async function decideMoment(ctx: AppContext, mentorId: string, stage: StageRow, momentId: string, decision: 'confirmed' | 'returned', comment?: string) {
  const current = await getMoment(ctx, stage, momentId);
  if (!mayDecide(current.status, decision)) throw new ConflictError(current.status === 'confirmed' ? 'This moment is already confirmed.' : 'This moment is already with the candidate to revise.');
  const { moment, notes } = await ctx.db.transaction(async (tx) => {
    const [moment] = await tx
      .update(transferWeekMoments)
      .set({ status: decision, mentorId, mentorComment: comment ?? null, decidedAt: new Date(), updatedAt: new Date() })
      .where(eq(transferWeekMoments.id, momentId))
      .returning();
    await audit(tx, { actorId: mentorId, action: `transfer-week.moment-${decision}`, subjectType: 'transfer_week_moment', subjectId: momentId, before: { status: current.status }, after: { status: decision, comment: comment ?? null } });
    const notes = await notify(tx, [
      {
        userId: current.candidateId,
        kind: `transfer-week.moment-${decision}`,
        title: decision === 'confirmed' ? 'Your trainer-role moment was confirmed' : 'Your trainer-role moment was returned with a comment',
        body: comment ? `“${current.segment}”: ${comment}` : `“${current.segment}”`,
        link: link(stage),
      },
    ]);
    return { moment, notes };
  });
  await deliver(ctx, notes);
  return moment;
}
