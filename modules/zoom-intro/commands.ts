/** Zoom introduction commands: schedule the meeting, take the register, record Zoom participant events. */
import { and, eq, sql } from 'drizzle-orm';
import { afterCommit, audit, cohortMembers, cohortStages, users, type AppContext, type Db } from '../../server/modules/kit';
import { zoomIntroAttendance, zoomIntroMeetings } from './schema';

/** The room a cohort's mentors (and leads) join to see attendance arrive live. */
export const attendanceRoom = (cohortId: string) => `zoom-intro:cohort:${cohortId}`;

/** One attendance change, as pushed over `zoom-intro:attendance`. */
export type AttendanceEvent = { cohortId: string; candidateId: string; present: boolean; source: 'register' | 'zoom'; joinedAt: string | null; leftAt: string | null };

/** After commit: pushes attendance changes to the cohort's mentors (through `afterCommit`, which never throws). */
export function emitAttendance(ctx: AppContext, events: AttendanceEvent[]): Promise<void> {
  return afterCommit(ctx, { emits: events.map((e) => ({ room: attendanceRoom(e.cohortId), event: 'zoom-intro:attendance', payload: e })) });
}

/** What a mentor schedules. */
export type MeetingInput = { startsAt: Date; durationMinutes: number; timezone: string; joinUrl: string; zoomMeetingId?: string | null };

/** Creates or reschedules the stage's meeting (the ICS sequence goes up on every change). */
export async function scheduleMeeting(db: Db, actorId: string, stageId: string, input: MeetingInput) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(zoomIntroMeetings).where(eq(zoomIntroMeetings.cohortStageId, stageId));
    const values = { ...input, zoomMeetingId: input.zoomMeetingId || null, updatedAt: new Date() };
    const [row] = before
      ? await tx.update(zoomIntroMeetings).set({ ...values, sequence: sql`${zoomIntroMeetings.sequence} + 1` }).where(eq(zoomIntroMeetings.id, before.id)).returning()
      : await tx.insert(zoomIntroMeetings).values({ ...values, cohortStageId: stageId, createdBy: actorId }).returning();
    await audit(tx, { actorId, action: before ? 'zoom-intro.rescheduled' : 'zoom-intro.scheduled', subjectType: 'zoom_intro_meeting', subjectId: row.id, before: before ? { startsAt: before.startsAt, joinUrl: before.joinUrl } : null, after: values });
    return row;
  });
}

/** Records the mentor's register: each listed candidate present or absent. */
export async function takeRegister(db: Db, actorId: string, cohortId: string, stageId: string, marks: { candidateId: string; present: boolean }[]): Promise<AttendanceEvent[]> {
  return db.transaction(async (tx) => {
    const events: AttendanceEvent[] = [];
    for (const m of marks) {
      const [row] = await tx
        .insert(zoomIntroAttendance)
        .values({ cohortStageId: stageId, candidateId: m.candidateId, present: m.present, source: 'register', recordedBy: actorId })
        .onConflictDoUpdate({ target: [zoomIntroAttendance.cohortStageId, zoomIntroAttendance.candidateId], set: { present: m.present, source: 'register', recordedBy: actorId, updatedAt: new Date() } })
        .returning();
      events.push({ cohortId, candidateId: m.candidateId, present: row.present, source: 'register', joinedAt: row.joinedAt?.toISOString() ?? null, leftAt: row.leftAt?.toISOString() ?? null });
    }
    await audit(tx, { actorId, action: 'zoom-intro.register_taken', subjectType: 'cohort_stage', subjectId: stageId, after: marks });
    return events;
  });
}

/** A Zoom participant event, already verified. */
export type ParticipantEvent = { event: 'meeting.participant_joined' | 'meeting.participant_left'; meetingId: string; email: string; at: Date };

/** Records a participant joining or leaving; returns the change, or null when meeting or candidate is unknown. */
export async function recordParticipant(db: Db, e: ParticipantEvent): Promise<AttendanceEvent | null> {
  return db.transaction(async (tx) => {
    const [meeting] = await tx
      .select({ stageId: zoomIntroMeetings.cohortStageId, cohortId: cohortStages.cohortId })
      .from(zoomIntroMeetings)
      .innerJoin(cohortStages, eq(cohortStages.id, zoomIntroMeetings.cohortStageId))
      .where(eq(zoomIntroMeetings.zoomMeetingId, e.meetingId));
    if (!meeting) return null;
    const [candidate] = await tx
      .select({ id: users.id })
      .from(users)
      .innerJoin(cohortMembers, and(eq(cohortMembers.userId, users.id), eq(cohortMembers.cohortId, meeting.cohortId), eq(cohortMembers.role, 'candidate')))
      .where(sql`lower(${users.email}) = ${e.email.toLowerCase()}`);
    if (!candidate) return null;
    const joined = e.event === 'meeting.participant_joined';
    const [row] = await tx
      .insert(zoomIntroAttendance)
      .values({ cohortStageId: meeting.stageId, candidateId: candidate.id, present: true, source: 'zoom', joinedAt: joined ? e.at : null, leftAt: joined ? null : e.at })
      .onConflictDoUpdate({
        target: [zoomIntroAttendance.cohortStageId, zoomIntroAttendance.candidateId],
        set: joined ? { present: true, source: 'zoom', joinedAt: sql`coalesce(${zoomIntroAttendance.joinedAt}, ${e.at.toISOString()}::timestamptz)`, updatedAt: new Date() } : { leftAt: e.at, updatedAt: new Date() },
      })
      .returning();
    await audit(tx, { actorId: null, action: `zoom-intro.${joined ? 'participant_joined' : 'participant_left'}`, subjectType: 'cohort_stage', subjectId: meeting.stageId, after: { candidateId: candidate.id, at: e.at.toISOString() } });
    return { cohortId: meeting.cohortId, candidateId: candidate.id, present: row.present, source: row.source, joinedAt: row.joinedAt?.toISOString() ?? null, leftAt: row.leftAt?.toISOString() ?? null };
  });
}
