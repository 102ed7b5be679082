/** Socket handlers for the `live:*` events (contract in docs/LIVE.md). Every event answers through its ack. */
import type { Server as IoServer, Socket } from 'socket.io';
import { z } from 'zod';
import { eventListener, id, parse, type Actor, type AppContext, type SocketInput } from '../../../server/modules/kit';
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

/** What one socket holds for the live events, made on its first live event (an idle socket holds none of it). */
type SocketState = { notes: TokenBucket; events: TokenBucket; rooms: Map<string, RoomRef> };

const states = new WeakMap<Socket, SocketState>();
const listenersByServer = new WeakMap<IoServer, [string, (this: Socket, raw: unknown, ack?: unknown) => Promise<void>][]>();

function stateOf(io: IoServer, socket: Socket): SocketState {
  let state = states.get(socket);
  if (!state) {
    const settings = liveSettings(io);
    state = { notes: new TokenBucket(settings.noteRate), events: new TokenBucket(settings.eventRate), rooms: new Map() };
    states.set(socket, state);
  }
  return state;
}

/** The live events' listeners of one app, made once and shared by all its sockets. */
function liveListeners(io: IoServer, ctx: AppContext) {
  const made: [string, (this: Socket, raw: unknown, ack?: unknown) => Promise<void>][] = [];
  // Each room's cohort and candidate is kept per socket to decide a note's role cheaply; the role itself is decided afresh.
  const roleIn = async (socket: Socket, actor: Actor, roomId: string) => {
    const { rooms } = stateOf(io, socket);
    const known = rooms.get(roomId);
    if (known) return liveRole(actor, known);
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    rooms.set(roomId, room);
    return role;
  };
  const throttle = (bucket: 'notes' | 'events', what: string) => (socket: Socket) => {
    const wait = stateOf(io, socket)[bucket].take();
    if (!wait) return undefined;
    const seconds = Math.max(1, Math.ceil(wait / 1000));
    return { code: 'rate_limited', message: `Too many ${what} at once. Wait ${seconds} ${seconds === 1 ? 'second' : 'seconds'}; nothing is lost.`, retryAfterMs: wait };
  };
  // Every event goes through the core socket edge: the text rule and the event's schema first (validation_failed
  // naming the field), then the handler.
  const on = <S extends z.ZodType>(event: string, bucket: 'notes' | 'events', what: string, schema: S, fn: (input: SocketInput<z.output<S>>) => Promise<unknown>) =>
    made.push([event, eventListener(ctx, event, schema, fn, { before: throttle(bucket, what) })]);

  on('live:join', 'events', 'requests', joinSchema, async ({ payload: { roomId, afterSeq }, actor, socket }) => {
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    stateOf(io, socket).rooms.set(roomId, room);
    // Join before reading, so a note committed meanwhile arrives either in the replay or live (the client de-duplicates).
    await socket.join(role === 'candidate' ? candidateRoom(roomId) : staffRoom(roomId));
    const rows = await notesAfter(ctx.db, roomId, role, afterSeq);
    const base = { role, room: presentRoom(room), held: await heldCount(ctx.db, roomId), notes: rows.map((n) => presentNote(n, role)), hasMore: rows.length === REPLAY_BATCH };
    if (role === 'candidate') return base;
    return { ...base, states: (await noteStates(ctx.db, roomId)).map(presentState) };
  });

  on('live:leave', 'events', 'requests', releaseSchema, async ({ payload: { roomId }, socket }) => {
    await socket.leave(staffRoom(roomId));
    await socket.leave(candidateRoom(roomId));
    return { ok: true };
  });

  on('live:note', 'notes', 'notes', roomOnly, async ({ payload: { roomId }, actor, reply, raw, socket }) => {
    const role = await roleIn(socket, actor, roomId);
    await submitNote(ctx, actor, role, parse(postNoteSchema, raw, 'note'), (r) => reply({ seq: r.seq, noteId: r.id, duplicate: r.duplicate }));
    return undefined;
  });

  on('live:release', 'events', 'requests', releaseSchema, async ({ payload: { roomId }, actor }) => {
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    return { released: await releaseNotes(ctx, actor, role, room) };
  });

  on('live:quiet', 'events', 'requests', quietSchema, async ({ payload: { roomId, quietMode }, actor }) => {
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    return { released: await setQuietMode(ctx, actor, role, room, quietMode), quietMode };
  });

  on('live:end', 'events', 'requests', releaseSchema, async ({ payload: { roomId }, actor }) => {
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    return { released: await endSession(ctx, actor, role, room) };
  });

  on('live:receipt', 'events', 'receipts', receiptSchema, async ({ payload: { roomId, upToReleaseSeq, seen }, actor, socket }) => {
    await receiveNotes(ctx, await roleIn(socket, actor, roomId), roomId, upToReleaseSeq, seen);
    return { ok: true };
  });
  return made;
}

/**
 * Registers the live handlers on one authenticated socket: the app's shared listeners (made on the first socket), so an
 * idle socket holds no closure per event and no rate-limit state until it sends one. Every event is authorised with
 * the person's roles as they are now (the core edge's fresh actor): a mentor removed from the cohort is refused on the
 * next write.
 */
export function registerLiveHandlers(io: IoServer, socket: Socket, ctx: AppContext): void {
  let listeners = listenersByServer.get(io);
  if (!listeners) {
    listeners = liveListeners(io, ctx);
    listenersByServer.set(io, listeners);
  }
  for (const [event, listener] of listeners) socket.on(event, listener);
}
