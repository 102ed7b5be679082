/** Writes for live rooms. Each runs in one transaction; the caller emits socket events after it commits. */
import { and, eq, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { audit } from '../audit';
import { isCandidate } from '../cohorts/queries';
import type { Db } from '../db';
import { rubricCriteria } from '../db/tables';
import { coDeliveryLiveNotes as notes, coDeliveryLiveReleases as releases, coDeliveryLiveRooms as rooms, type LiveReleaseReason } from '../db/schema/live';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { CreateRoomInput, PostNoteInput } from './schemas';

/** Opens a live room for a candidate of the cohort. */
export async function createRoom(db: Db, actor: Actor, cohortId: string, input: CreateRoomInput): Promise<{ id: string }> {
  if (!(await isCandidate(db, cohortId, input.candidateId))) {
    throw new ValidationError('Choose a candidate of this cohort.', [{ field: 'candidateId', message: 'is not a candidate of this cohort' }]);
  }
  return db.transaction(async (tx) => {
    const [room] = await tx
      .insert(rooms)
      .values({
        cohortId,
        candidateId: input.candidateId,
        title: input.title,
        coDeliverySessionId: input.coDeliverySessionId ?? null,
        quietMode: input.quietMode,
        leadMayObserve: input.leadMayObserve,
        createdBy: actor.id,
      })
      .returning({ id: rooms.id });
    await audit(tx, { actorId: actor.id, action: 'live.room.create', subjectType: 'co_delivery_live_room', subjectId: room.id, after: input });
    return room;
  });
}

/** The outcome of posting a note: its id and seq, and whether this client id had already been stored. */
export type PostResult = { id: string; seq: number; duplicate: boolean };

/**
 * Stores a note exactly once per (room, client id). The room row is locked first, so a repeated client id
 * finds the earlier row and concurrent posts take consecutive, gap-free sequence numbers.
 */
export async function postNote(db: Db, authorId: string, input: PostNoteInput): Promise<PostResult> {
  return db.transaction(async (tx) => {
    const [room] = await tx
      .select({ id: rooms.id, endedAt: rooms.endedAt, startedAt: rooms.startedAt, candidateId: rooms.candidateId, segment: rooms.segment })
      .from(rooms)
      .where(eq(rooms.id, input.roomId))
      .for('update');
    if (!room) throw new NotFoundError('That live room');
    const [existing] = await tx
      .select({ id: notes.id, seq: notes.seq })
      .from(notes)
      .where(and(eq(notes.roomId, input.roomId), eq(notes.clientId, input.clientId)));
    if (existing) return { ...existing, duplicate: true };
    if (room.endedAt) throw new ConflictError('This live session has ended, so notes can no longer be added. Add feedback to the timeline instead.');
    if (input.criterionId) {
      const [c] = await tx.select({ id: rubricCriteria.id }).from(rubricCriteria).where(eq(rubricCriteria.id, input.criterionId));
      if (!c) throw new ValidationError('Choose a criterion from the list.', [{ field: 'criterionId', message: 'is not a rubric criterion' }]);
    }
    const [counter] = await tx
      .update(rooms)
      .set({
        nextSeq: sql`${rooms.nextSeq} + 1`,
        nextReleaseSeq: sql`${rooms.nextReleaseSeq} + (case when ${rooms.quietMode} then 0 else 1 end)`,
      })
      .where(eq(rooms.id, input.roomId))
      .returning({ nextSeq: rooms.nextSeq, nextReleaseSeq: rooms.nextReleaseSeq, quietMode: rooms.quietMode });
    const seq = counter.nextSeq - 1;
    const now = new Date();
    const [note] = await tx
      .insert(notes)
      .values({
        roomId: input.roomId,
        seq,
        releaseSeq: counter.quietMode ? null : counter.nextReleaseSeq - 1,
        clientId: input.clientId,
        authorId,
        candidateId: room.candidateId,
        body: input.body,
        kind: input.kind,
        criterionId: input.criterionId ?? null,
        tags: [...new Set(input.tags)],
        atOffsetMs: input.atOffsetMs ?? Math.max(0, now.getTime() - room.startedAt.getTime()),
        segment: room.segment,
        releasedAt: counter.quietMode ? null : now,
      })
      .returning({ id: notes.id });
    return { id: note.id, seq, duplicate: false };
  });
}

/** What a release changed: the notes now visible to the candidate (ids, in stream order) and the room's new settings. */
export type ReleaseResult = { releasedIds: string[]; quietMode: boolean; segment: number; endedAt: Date | null };

/**
 * Releases every held note to the candidate in seq order, giving each the next release seq, and logs the
 * release. Optionally moves to the next segment, switches quiet mode, or ends the session — all in one transaction.
 */
export async function releaseHeld(
  db: Db,
  actorId: string,
  roomId: string,
  reason: LiveReleaseReason,
  change: { nextSegment?: boolean; quietMode?: boolean; end?: boolean } = {},
): Promise<ReleaseResult> {
  return db.transaction(async (tx) => {
    const [room] = await tx
      .select({ nextReleaseSeq: rooms.nextReleaseSeq, segment: rooms.segment, quietMode: rooms.quietMode, endedAt: rooms.endedAt })
      .from(rooms)
      .where(eq(rooms.id, roomId))
      .for('update');
    if (!room) throw new NotFoundError('That live room');
    const base = room.nextReleaseSeq;
    const released = await tx.execute<{ id: string; release_seq: number }>(sql`
      update co_delivery_live_notes n
         set release_seq = ${base}::int + r.rn - 1, released_at = now()
        from (select id, (row_number() over (order by seq))::int as rn
                from co_delivery_live_notes
               where room_id = ${roomId} and released_at is null) r
       where n.id = r.id
      returning n.id, n.release_seq`);
    const rows = [...(released as unknown as { rows: { id: string; release_seq: number }[] }).rows].sort((a, b) => a.release_seq - b.release_seq);
    const endedAt = change.end ? (room.endedAt ?? new Date()) : room.endedAt;
    const quietMode = change.quietMode ?? room.quietMode;
    const segment = change.nextSegment && !room.endedAt ? room.segment + 1 : room.segment;
    await tx
      .update(rooms)
      .set({
        nextReleaseSeq: base + rows.length,
        quietMode,
        segment,
        ...(segment !== room.segment ? { segmentStartedAt: new Date() } : {}),
        endedAt,
      })
      .where(eq(rooms.id, roomId));
    if (rows.length) {
      await tx.insert(releases).values({ roomId, fromReleaseSeq: base, toReleaseSeq: base + rows.length - 1, noteCount: rows.length, reason, releasedBy: actorId });
    }
    if (change.end && !room.endedAt) await audit(tx, { actorId, action: 'live.room.end', subjectType: 'co_delivery_live_room', subjectId: roomId, after: { released: rows.length } });
    return { releasedIds: rows.map((r) => r.id), quietMode, segment, endedAt };
  });
}

/** Records that the candidate's client received (and, with `seen`, showed) every note up to a release seq. */
export async function recordReceipt(db: Db, roomId: string, upToReleaseSeq: number, seen: boolean) {
  return db
    .update(notes)
    .set({
      deliveredAt: sql`coalesce(${notes.deliveredAt}, now())`,
      ...(seen ? { seenAt: sql`coalesce(${notes.seenAt}, now())` } : {}),
    })
    .where(
      and(
        eq(notes.roomId, roomId),
        isNotNull(notes.releaseSeq),
        lte(notes.releaseSeq, upToReleaseSeq),
        seen ? or(isNull(notes.deliveredAt), isNull(notes.seenAt)) : isNull(notes.deliveredAt),
      ),
    )
    .returning({ seq: notes.seq, releaseSeq: notes.releaseSeq, releasedAt: notes.releasedAt, deliveredAt: notes.deliveredAt, seenAt: notes.seenAt });
}
