/** Socket handlers for the `live:*` events (contract in docs/LIVE.md). Every event answers through its ack. */
import type { Server as IoServer, Socket } from 'socket.io';
import { z } from 'zod';
import { AppError, id, parse, UnauthenticatedError, type Actor, type AppContext } from '../../../server/modules/kit';
import type { LiveRole } from './access';
import { endSession, receiveNotes, releaseNotes, setQuietMode, submitNote } from './actions';
import { candidateRoom, liveSettings, staffRoom } from './hub';
import { presentNote, presentRoom, presentState } from './presenters';
import { heldCount, noteStates, notesAfter, REPLAY_BATCH, roomFor } from './queries';
import { TokenBucket } from './rate-limit';
import { joinSchema, quietSchema, receiptSchema, releaseSchema } from './schemas';

/** The error an ack carries: a stable code and a sentence a person can act on. */
export type SocketError = { code: string; message: string; fields?: { field: string; message: string }[]; retryAfterMs?: number };

type Ack = (response: unknown) => void;

const roomOnly = z.object({ roomId: id }).loose();

/** Maps any thrown error to the ack's error shape (unexpected errors are logged and not described). */
export function socketError(err: unknown, log: AppContext['logger']): SocketError {
  if (err instanceof AppError) return { code: err.code, message: err.message, ...(err.fields.length ? { fields: err.fields } : {}) };
  log.error({ err }, 'live socket handler failed');
  return { code: 'internal', message: 'Something went wrong on the server. Your note is kept and will be sent again.' };
}

/** Registers the live handlers on one authenticated socket. */
export function registerLiveHandlers(io: IoServer, socket: Socket, ctx: AppContext): void {
  const actor = (socket.request as { user?: Actor }).user;
  const settings = liveSettings(io);
  const notes = new TokenBucket(settings.noteRate);
  const events = new TokenBucket(settings.eventRate);
  const roles = new Map<string, LiveRole>();

  const roleIn = async (roomId: string) => {
    const known = roles.get(roomId);
    if (known) return known;
    const { role } = await roomFor(ctx.db, actor, roomId);
    roles.set(roomId, role);
    return role;
  };

  const on = (event: string, bucket: TokenBucket, what: string, fn: (payload: unknown, reply: Ack) => Promise<unknown>) => {
    socket.on(event, async (payload: unknown, ack?: unknown) => {
      const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => {};
      if (!actor) return reply({ error: socketError(new UnauthenticatedError(), ctx.logger) });
      const wait = bucket.take();
      if (wait) {
        const seconds = Math.max(1, Math.ceil(wait / 1000));
        return reply({ error: { code: 'rate_limited', message: `Too many ${what} at once. Wait ${seconds} ${seconds === 1 ? 'second' : 'seconds'}; nothing is lost.`, retryAfterMs: wait } });
      }
      try {
        const result = await fn(payload, reply);
        if (result !== undefined) reply(result);
      } catch (err) {
        reply({ error: socketError(err, ctx.logger) });
      }
    });
  };

  on('live:join', events, 'requests', async (payload) => {
    const { roomId, afterSeq } = parse(joinSchema, payload, 'join');
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    roles.set(roomId, role);
    // Join before reading, so a note committed meanwhile arrives either in the replay or live (the client de-duplicates).
    await socket.join(role === 'candidate' ? candidateRoom(roomId) : staffRoom(roomId));
    const rows = await notesAfter(ctx.db, roomId, role, afterSeq);
    const base = { role, room: presentRoom(room), held: await heldCount(ctx.db, roomId), notes: rows.map((n) => presentNote(n, role)), hasMore: rows.length === REPLAY_BATCH };
    if (role === 'candidate') return base;
    return { ...base, states: (await noteStates(ctx.db, roomId)).map(presentState) };
  });

  on('live:leave', events, 'requests', async (payload) => {
    const { roomId } = parse(releaseSchema, payload, 'leave');
    await socket.leave(staffRoom(roomId));
    await socket.leave(candidateRoom(roomId));
    return { ok: true };
  });

  on('live:note', notes, 'notes', async (payload, reply) => {
    const { roomId } = parse(roomOnly, payload, 'note');
    const role = await roleIn(roomId);
    await submitNote(ctx, actor as Actor, role, payload, (r) => reply({ seq: r.seq, noteId: r.id, duplicate: r.duplicate }));
    return undefined;
  });

  on('live:release', events, 'requests', async (payload) => {
    const { roomId } = parse(releaseSchema, payload, 'release');
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    return { released: await releaseNotes(ctx, actor as Actor, role, room) };
  });

  on('live:quiet', events, 'requests', async (payload) => {
    const { roomId, quietMode } = parse(quietSchema, payload, 'quiet mode');
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    return { released: await setQuietMode(ctx, actor as Actor, role, room, quietMode), quietMode };
  });

  on('live:end', events, 'requests', async (payload) => {
    const { roomId } = parse(releaseSchema, payload, 'end');
    const { room, role } = await roomFor(ctx.db, actor, roomId);
    return { released: await endSession(ctx, actor as Actor, role, room) };
  });

  on('live:receipt', events, 'receipts', async (payload) => {
    const { roomId, upToReleaseSeq, seen } = parse(receiptSchema, payload, 'receipt');
    await receiveNotes(ctx, await roleIn(roomId), roomId, upToReleaseSeq, seen);
    return { ok: true };
  });
}
