/** Reads for live rooms: the room with its cohort, replays by sequence, timelines and criteria. */
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { cohorts, cohortStages, id as uuidSchema, NotFoundError, rubricCriteria, rubrics, users, type Actor, type Db } from '../../../server/modules/kit';
import { getCoDeliverySession, listSessions } from '../queries';
import { coDeliveryLiveNotes as notes, coDeliveryLiveRooms as rooms } from '../schema';
import { liveRole, type LiveRole, type RoomRef } from './access';
import type { NoteRow, RoomView } from './presenters';

/** The most notes one replay batch carries; the client asks again while `hasMore`. */
export const REPLAY_BATCH = 500;

/** A room with its cohort (for policies) and candidate's name. */
export type LoadedRoom = RoomView & RoomRef & { organisationId: string };

/** Loads a room or throws 404 (also for malformed ids). */
export async function getRoom(db: Db, roomId: string): Promise<LoadedRoom> {
  if (!uuidSchema.safeParse(roomId).success) throw new NotFoundError('That live room');
  const [row] = await db
    .select({
      id: rooms.id,
      cohortId: rooms.cohortId,
      candidateId: rooms.candidateId,
      candidateName: users.name,
      title: rooms.title,
      coDeliverySessionId: rooms.coDeliverySessionId,
      startedAt: rooms.startedAt,
      endedAt: rooms.endedAt,
      quietMode: rooms.quietMode,
      segment: rooms.segment,
      leadMayObserve: rooms.leadMayObserve,
      organisationId: cohorts.organisationId,
      settings: cohorts.settings,
    })
    .from(rooms)
    .innerJoin(cohorts, eq(cohorts.id, rooms.cohortId))
    .innerJoin(users, eq(users.id, rooms.candidateId))
    .where(eq(rooms.id, roomId));
  if (!row) throw new NotFoundError('That live room');
  return { ...row, cohort: { id: row.cohortId, organisationId: row.organisationId, settings: row.settings } };
}

/** Loads a room and the actor's role in it, or throws 401/403/404. With `cohortId`, the room must belong to it. */
export async function roomFor(db: Db, actor: Actor | undefined, roomId: string, cohortId?: string): Promise<{ room: LoadedRoom; role: LiveRole }> {
  const room = await getRoom(db, roomId);
  const role = liveRole(actor, room);
  if (cohortId !== undefined && room.cohortId !== cohortId) throw new NotFoundError('That live room');
  return { room, role };
}

const noteColumns = {
  id: notes.id,
  roomId: notes.roomId,
  seq: notes.seq,
  releaseSeq: notes.releaseSeq,
  clientId: notes.clientId,
  authorId: notes.authorId,
  authorName: users.name,
  candidateId: notes.candidateId,
  body: notes.body,
  kind: notes.kind,
  criterionId: notes.criterionId,
  criterionTitle: rubricCriteria.title,
  tags: notes.tags,
  atOffsetMs: notes.atOffsetMs,
  segment: notes.segment,
  releasedAt: notes.releasedAt,
  deliveredAt: notes.deliveredAt,
  seenAt: notes.seenAt,
  createdAt: notes.createdAt,
};

function selectNotes(db: Db) {
  return db.select(noteColumns).from(notes).innerJoin(users, eq(users.id, notes.authorId)).leftJoin(rubricCriteria, eq(rubricCriteria.id, notes.criterionId));
}

/**
 * The notes after a cursor, in order: for mentors and observers every note with `seq > afterSeq`; for the
 * candidate only released notes with `releaseSeq > afterSeq` (their stream is ordered by release).
 */
export async function notesAfter(db: Db, roomId: string, role: LiveRole, afterSeq: number, limit = REPLAY_BATCH): Promise<NoteRow[]> {
  if (role === 'candidate') {
    return selectNotes(db)
      .where(and(eq(notes.roomId, roomId), isNotNull(notes.releaseSeq), gt(notes.releaseSeq, afterSeq)))
      .orderBy(asc(notes.releaseSeq))
      .limit(limit);
  }
  return selectNotes(db).where(and(eq(notes.roomId, roomId), gt(notes.seq, afterSeq))).orderBy(asc(notes.seq)).limit(limit);
}

/** Notes by id (for broadcasting what a command wrote). */
export async function notesByIds(db: Db, ids: string[]): Promise<NoteRow[]> {
  if (!ids.length) return [];
  return selectNotes(db).where(inArray(notes.id, ids)).orderBy(asc(notes.seq));
}

/** Every note's state in a room (a mentor rejoining catches up on deliveries and releases too). */
export async function noteStates(db: Db, roomId: string) {
  return db
    .select({ seq: notes.seq, releaseSeq: notes.releaseSeq, releasedAt: notes.releasedAt, deliveredAt: notes.deliveredAt, seenAt: notes.seenAt })
    .from(notes)
    .where(eq(notes.roomId, roomId))
    .orderBy(asc(notes.seq));
}

/** How many notes are held in quiet mode. */
export async function heldCount(db: Db, roomId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(notes).where(and(eq(notes.roomId, roomId), isNull(notes.releasedAt)));
  return row?.n ?? 0;
}

/** One note with its room, or 404. */
export async function getNote(db: Db, noteId: string): Promise<NoteRow> {
  if (!uuidSchema.safeParse(noteId).success) throw new NotFoundError('That note');
  const [row] = await selectNotes(db).where(eq(notes.id, noteId));
  if (!row) throw new NotFoundError('That note');
  return row;
}

/** The feedback timeline: every note (staff) or every released note (candidate), in time-code order. */
export async function timelineNotes(db: Db, roomId: string, role: LiveRole): Promise<NoteRow[]> {
  const where = role === 'candidate' ? and(eq(notes.roomId, roomId), isNotNull(notes.releasedAt)) : eq(notes.roomId, roomId);
  return selectNotes(db).where(where).orderBy(asc(notes.atOffsetMs), asc(notes.seq));
}

/** The rooms of a cohort an actor may see, newest first, with note counts. */
export async function cohortRooms(db: Db, cohort: RoomRef['cohort'], actor: Actor) {
  const rows = await db
    .select({
      id: rooms.id,
      title: rooms.title,
      candidateId: rooms.candidateId,
      candidateName: users.name,
      startedAt: rooms.startedAt,
      endedAt: rooms.endedAt,
      leadMayObserve: rooms.leadMayObserve,
      noteCount: sql<number>`(select count(*)::int from co_delivery_live_notes n where n.room_id = ${rooms.id})`,
    })
    .from(rooms)
    .innerJoin(users, eq(users.id, rooms.candidateId))
    .where(eq(rooms.cohortId, cohort.id))
    .orderBy(desc(rooms.startedAt));
  const visible = (r: (typeof rows)[number]) => {
    try {
      liveRole(actor, { candidateId: r.candidateId, leadMayObserve: r.leadMayObserve, cohort });
      return true;
    } catch {
      return false;
    }
  };
  return rows.filter(visible);
}

/** The criteria of the practical-session rubric, if one exists. */
export async function practicalCriteria(db: Db): Promise<{ id: string; title: string }[]> {
  return db
    .select({ id: rubricCriteria.id, title: rubricCriteria.title })
    .from(rubricCriteria)
    .innerJoin(rubrics, eq(rubrics.id, rubricCriteria.rubricId))
    .where(and(eq(rubrics.key, 'practical-session'), isNull(rubrics.archivedAt)))
    .orderBy(asc(rubricCriteria.position));
}

/** The cohort's co-delivery sessions (from the co-delivery stage), for linking a room to one. */
export async function coDeliverySessionsOf(db: Db, cohortId: string): Promise<{ id: string; title: string; startsAt: Date }[]> {
  const stages = await db
    .select({ id: cohortStages.id })
    .from(cohortStages)
    .where(and(eq(cohortStages.cohortId, cohortId), eq(cohortStages.moduleKey, 'co-delivery')))
    .orderBy(asc(cohortStages.position));
  const lists = await Promise.all(stages.map((s) => listSessions(db, s.id)));
  return lists.flat().map((s) => ({ id: s.id, title: s.title, startsAt: s.startsAt }));
}

/** The title and start of a linked co-delivery session, if it still exists. */
export async function linkedSession(db: Db, sessionId: string | null): Promise<{ title: string; startsAt: Date } | null> {
  if (!sessionId) return null;
  const s = await getCoDeliverySession(db, sessionId);
  return s ? { title: s.title, startsAt: s.startsAt } : null;
}
