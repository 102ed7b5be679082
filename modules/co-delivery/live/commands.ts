/** Writes for live rooms. Each runs in one transaction; the caller emits socket events after it commits. */
import { and, eq, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import { audit, ConflictError, isCandidate, notify, NotFoundError, PG, pgCode, refuseOwnRecord, rubricCriteria, ValidationError, type Actor, type Db } from '../../../server/modules/kit';
import { getCoDeliverySession } from '../queries';
import { coDeliveryLiveNotes as notes, coDeliveryLiveReleases as releases, coDeliveryLiveRooms as rooms, type LiveReleaseReason } from '../schema';
import type { NoteRow } from './presenters';
import type { CreateRoomInput, PostNoteInput } from './schemas';

/** Opens a live room for a candidate of the cohort, and tells the candidate in-app (the notification to deliver after
 * commit is returned with the room). */
export async function createRoom(db: Db, actor: Actor, cohortId: string, input: CreateRoomInput): Promise<{ id: string; notifications: Awaited<ReturnType<typeof notify>> }> {
  refuseOwnRecord(actor, [input.candidateId], 'your own co-delivery (a live room gives feedback on you)');
  if (!(await isCandidate(db, cohortId, input.candidateId))) {
    throw new ValidationError('Choose a candidate of this cohort.', [{ field: 'candidateId', message: 'is not a candidate of this cohort' }]);
  }
  if (input.coDeliverySessionId) {
    const session = await getCoDeliverySession(db, input.coDeliverySessionId);
    if (!session || session.cohortId !== cohortId) {
      throw new ValidationError('Choose a co-delivery session of this cohort, or none.', [{ field: 'coDeliverySessionId', message: 'is not a co-delivery session of this cohort' }]);
    }
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
    const notifications = await notify(tx, [
      {
        userId: input.candidateId,
        kind: 'co-delivery.live-room',
        title: `${actor.name} opened a live feedback room for you`,
        body: `"${input.title}" — open it when you are ready to teach; notes from your mentors appear there.`,
        link: `/cohorts/${cohortId}/live/${room.id}`,
      },
    ]);
    return { id: room.id, notifications };
  });
}

/** The outcome of posting a note: the stored note, and whether this client id had already been stored. */
export type PostResult = { id: string; seq: number; duplicate: boolean; note?: NoteRow };

type InsertedRow = {
  id: string;
  seq: number;
  release_seq: number | null;
  candidate_id: string;
  criterion_id: string | null;
  tags: string[];
  at_offset_ms: number;
  segment: number;
  released_at: string | Date | null;
  created_at: string | Date;
};

/**
 * Stores a note exactly once per (room, client id) in ONE statement (so one transaction): the room's counter
 * row is updated (`next_seq = next_seq + 1 … RETURNING`, which locks it, so seqs are gap-free and ordered)
 * and the note inserted from what it returns. A repeated client id updates nothing and is answered with the
 * stored note; a concurrent repeat fails the unique index, rolls back the counter, and is answered the same way.
 */
export async function postNote(db: Db, author: { id: string; name: string }, input: PostNoteInput): Promise<PostResult> {
  const tags = JSON.stringify([...new Set(input.tags)]);
  let rows: InsertedRow[];
  try {
    const result = await db.execute(sql`
      with room as (
        update co_delivery_live_rooms
           set next_seq = next_seq + 1,
               next_release_seq = next_release_seq + (case when quiet_mode then 0 else 1 end)
         where id = ${input.roomId} and ended_at is null
           and not exists (select 1 from co_delivery_live_notes where room_id = ${input.roomId} and client_id = ${input.clientId})
        returning next_seq - 1 as seq, case when quiet_mode then null else next_release_seq - 1 end as release_seq,
                  candidate_id, started_at, segment, quiet_mode
      )
      insert into co_delivery_live_notes
        (room_id, seq, release_seq, client_id, author_id, candidate_id, body, kind, criterion_id, tags, at_offset_ms, segment, released_at)
      select ${input.roomId}, seq, release_seq, ${input.clientId}, ${author.id}, candidate_id, ${input.body}, ${input.kind},
             ${input.criterionId ?? null}::uuid, ${tags}::jsonb,
             coalesce(${input.atOffsetMs ?? null}::int, greatest(0, (extract(epoch from now() - started_at) * 1000)::int)),
             segment, case when quiet_mode then null else now() end
        from room
      returning id, seq, release_seq, candidate_id, criterion_id, tags, at_offset_ms, segment, released_at, created_at`);
    rows = (result as unknown as { rows: InsertedRow[] }).rows;
  } catch (err) {
    const code = pgCode(err);
    if (code === PG.foreignKeyViolation) throw new ValidationError('Choose a criterion from the list.', [{ field: 'criterionId', message: 'is not a rubric criterion' }]);
    if (code !== PG.uniqueViolation) throw err;
    rows = [];
  }
  const [row] = rows;
  if (!row) return existingOrRefusal(db, input);
  let criterionTitle: string | null = null;
  if (row.criterion_id) {
    const [c] = await db.select({ title: rubricCriteria.title }).from(rubricCriteria).where(eq(rubricCriteria.id, row.criterion_id));
    criterionTitle = c?.title ?? null;
  }
  const note: NoteRow = {
    id: row.id,
    roomId: input.roomId,
    seq: Number(row.seq),
    releaseSeq: row.release_seq === null ? null : Number(row.release_seq),
    clientId: input.clientId,
    authorId: author.id,
    authorName: author.name,
    candidateId: row.candidate_id,
    body: input.body,
    kind: input.kind,
    criterionId: row.criterion_id,
    criterionTitle,
    tags: typeof row.tags === 'string' ? (JSON.parse(row.tags) as string[]) : row.tags,
    atOffsetMs: Number(row.at_offset_ms),
    segment: Number(row.segment),
    releasedAt: row.released_at ? new Date(row.released_at) : null,
    deliveredAt: null,
    seenAt: null,
    createdAt: new Date(row.created_at),
  };
  return { id: note.id, seq: note.seq, duplicate: false, note };
}

/** Nothing was inserted: the client id is already stored (answer with it), the session ended, or there is no such room. */
async function existingOrRefusal(db: Db, input: PostNoteInput): Promise<PostResult> {
  const [existing] = await db
    .select({ id: notes.id, seq: notes.seq })
    .from(notes)
    .where(and(eq(notes.roomId, input.roomId), eq(notes.clientId, input.clientId)));
  if (existing) return { ...existing, duplicate: true };
  const [room] = await db.select({ endedAt: rooms.endedAt }).from(rooms).where(eq(rooms.id, input.roomId));
  if (!room) throw new NotFoundError('That live room');
  throw new ConflictError('This live session has ended, so notes can no longer be added. Add feedback to the timeline instead.');
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
