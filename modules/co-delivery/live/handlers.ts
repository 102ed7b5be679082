/** Socket handlers for the `live:*` events (contract in docs/LIVE.md). Every event answers through its ack. */
import type { Server as IoServer, Socket } from 'socket.io';
import { z } from 'zod';
import { id, onEvent, parse, type Actor, type AppContext } from '../../../server/modules/kit';
import { liveRole, type RoomRef } from './access';
import { endSession, receiveNotes, releaseNotes, setQuietMode, submitNote } from './actions';
import { candidateRoom, liveSettings, staffRoom } from './hub';
import { presentNote, presentRoom, presentState } from './presenters';
import { heldCount, noteStates, notesAfter, REPLAY_BATCH, roomFor } from './queries';
import { TokenBucket } from './rate-limit';
import { joinSchema, postNoteSchema, quietSchema, receiptSchema, releaseSchema } from './schemas';

/** The error an ack carries (the core socket edge's shape). */
export type { SocketError } from '../../../server/modules/kit';

const roomOnly = z.object({ roomId: id }).loose();

/**
 * Registers the live handlers on one authenticated socket. Every event is authorised with the person's roles as they
 * are now (the core edge's fresh actor): a mentor removed from the cohort is refused on the next write.
 */
export function registerLiveHandlers(io: IoServer, socket: Socket, ctx: AppContext): void {
  const settings = liveSettings(io);
  const notes = new TokenBucket(settings.noteRate);
  const events = new TokenBucket(settings.eventRate);
  // Each room's cohort and candidate, kept to decide a note's role cheaply; the role itself is decided afresh.
  const rooms = new Map<string, RoomRef>();

  const roleIn = async (actor: Actor, roomId: string) => {
    const known = rooms.get(roomId);
    if (known) return liveRole(actor, known);
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    rooms.set(roomId, room);
    return role;
  };

  const throttle = (bucket: TokenBucket, what: string) => () => {
    const wait = bucket.take();
    if (!wait) return undefined;
    const seconds = Math.max(1, Math.ceil(wait / 1000));
    return { code: 'rate_limited', message: `Too many ${what} at once. Wait ${seconds} ${seconds === 1 ? 'second' : 'seconds'}; nothing is lost.`, retryAfterMs: wait };
  };
  // Every event goes through the core socket edge: the text rule and the event's schema first (validation_failed
  // naming the field), then the handler.
  const on = <S extends z.ZodType>(event: string, bucket: TokenBucket, what: string, schema: S, fn: (payload: z.output<S>, actor: Actor, reply: (r: unknown) => void, raw: unknown) => Promise<unknown>) =>
    onEvent(socket, ctx, event, schema, ({ payload, actor, reply, raw }) => fn(payload, actor, reply, raw), { before: throttle(bucket, what) });

  on('live:join', events, 'requests', joinSchema, async ({ roomId, afterSeq }, actor) => {
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    rooms.set(roomId, room);
    // Join before reading, so a note committed meanwhile arrives either in the replay or live (the client de-duplicates).
    await socket.join(role === 'candidate' ? candidateRoom(roomId) : staffRoom(roomId));
    const rows = await notesAfter(ctx.db, roomId, role, afterSeq);
    const base = { role, room: presentRoom(room), held: await heldCount(ctx.db, roomId), notes: rows.map((n) => presentNote(n, role)), hasMore: rows.length === REPLAY_BATCH };
    if (role === 'candidate') return base;
    return { ...base, states: (await noteStates(ctx.db, roomId)).map(presentState) };
  });

  on('live:leave', events, 'requests', releaseSchema, async ({ roomId }) => {
    await socket.leave(staffRoom(roomId));
    await socket.leave(candidateRoom(roomId));
    return { ok: true };
  });

  on('live:note', notes, 'notes', roomOnly, async ({ roomId }, actor, reply, raw) => {
    const role = await roleIn(actor, roomId);
    await submitNote(ctx, actor, role, parse(postNoteSchema, raw, 'note'), (r) => reply({ seq: r.seq, noteId: r.id, duplicate: r.duplicate }));
    return undefined;
  });

  on('live:release', events, 'requests', releaseSchema, async ({ roomId }, actor) => {
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    return { released: await releaseNotes(ctx, actor, role, room) };
  });

  on('live:quiet', events, 'requests', quietSchema, async ({ roomId, quietMode }, actor) => {
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    return { released: await setQuietMode(ctx, actor, role, room, quietMode), quietMode };
  });

  on('live:end', events, 'requests', releaseSchema, async ({ roomId }, actor) => {
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    return { released: await endSession(ctx, actor, role, room) };
  });

  on('live:receipt', events, 'receipts', receiptSchema, async ({ roomId, upToReleaseSeq, seen }, actor) => {
    await receiveNotes(ctx, await roleIn(actor, roomId), roomId, upToReleaseSeq, seen);
    return { ok: true };
  });
}
