/** The socket edge, like the HTTP one: an event's payload is checked by the one text rule and parsed with its zod
 * schema before the handler runs; bad input answers `validation_failed` naming the field (never `internal`, which a
 * live client retries). Every event answers through its ack. */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Actor } from './auth/actor';
import type { ActorCache } from './auth/authority';
import { AppError, UnauthenticatedError } from './errors';
import { SESSION_ABSOLUTE_MS } from './http/session';
import type { Logger } from './logger';
import { runInRequest } from './request-scope';
import { parse } from './http/validate';

/** The error an ack carries: a stable code and a sentence a person can act on. */
export type SocketError = { code: string; message: string; fields?: { field: string; message: string }[]; retryAfterMs?: number };

/** Answers the client (socket.io's acknowledgement callback). */
export type Ack = (response: unknown) => void;

/** Maps any thrown error to the ack's error shape (unexpected errors are logged and not described). */
export function socketError(err: unknown, log: Logger): SocketError {
  if (err instanceof AppError) return { code: err.code, message: err.message, ...(err.fields.length ? { fields: err.fields } : {}) };
  log.error({ err }, 'socket handler failed');
  return { code: 'internal', message: 'Something went wrong on the server. Your note is kept and will be sent again.' };
}

type SocketRequest = { user?: Actor; session?: { startedAt?: number } };

/**
 * The socket's person with their roles as they are now (the actor cache, invalidated on every membership change on
 * every node), or null — and the socket is disconnected — when the account is gone or disabled, or the login
 * session is past its absolute lifetime. An open socket never acts on the roles it had at the handshake.
 */
export async function socketActor(socket: Socket, ctx: { actors: ActorCache }): Promise<Actor | null> {
  const request = socket.request as unknown as SocketRequest;
  const userId = request.user?.id;
  if (!userId) return null;
  const startedAt = request.session?.startedAt;
  if (!startedAt || Date.now() - startedAt >= SESSION_ABSOLUTE_MS) {
    socket.disconnect(true);
    return null;
  }
  const actor = await ctx.actors.get(userId);
  if (!actor) {
    socket.disconnect(true);
    return null;
  }
  request.user = actor; // later reads of the handshake's actor see the fresh roles too
  return actor;
}

/** What the socket edge needs from the app: the logger, and the actor cache for fresh roles on every event. */
export type SocketEdgeContext = { logger: Logger; actors: ActorCache };

/** What a socket event handler receives. */
export type SocketInput<T> = { payload: T; actor: Actor; reply: Ack; raw: unknown };

/** Options of one event: a throttle checked before parsing (answer a `SocketError` to refuse). */
export type SocketEventOptions = { before?: () => SocketError | undefined };

/**
 * Registers `event` on `socket`: the person re-authorised with fresh roles (`socketActor`; anonymous, disabled or
 * expired → `unauthenticated`); the payload parsed with `schema` (and the text rule) → `validation_failed` naming the
 * field; then `handler` with that fresh actor, whose return value (if any) is the ack's answer.
 */
export function onEvent<S extends z.ZodType>(
  socket: Socket,
  ctx: SocketEdgeContext,
  event: string,
  schema: S,
  handler: (input: SocketInput<z.output<S>>) => Promise<unknown>,
  options: SocketEventOptions = {},
): void {
  socket.on(event, async (raw: unknown, ack?: unknown) => {
    const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => {};
    const log = ctx.logger;
    let actor: Actor | null;
    try {
      actor = await socketActor(socket, ctx);
    } catch (err) {
      return reply({ error: socketError(err, log) });
    }
    if (!actor) return reply({ error: socketError(new UnauthenticatedError(), log) });
    const refused = options.before?.();
    if (refused) return reply({ error: refused });
    try {
      const payload = parse(schema, raw, event);
      const result = await runInRequest({ id: `socket:${socket.id}:${event}` }, () => handler({ payload, actor, reply, raw }));
      if (result !== undefined) reply(result);
    } catch (err) {
      reply({ error: socketError(err, log) });
    }
  });
}
