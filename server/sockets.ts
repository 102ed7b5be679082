/** The socket edge, like the HTTP one: an event's payload is checked by the one text rule and parsed with its zod
 * schema before the handler runs; bad input answers `validation_failed` naming the field (never `internal`, which a
 * live client retries). Every event answers through its ack. */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Actor } from './auth/actor';
import { AppError, UnauthenticatedError } from './errors';
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

/** What a socket event handler receives. */
export type SocketInput<T> = { payload: T; actor: Actor; reply: Ack; raw: unknown };

/** Options of one event: a throttle checked before parsing (answer a `SocketError` to refuse). */
export type SocketEventOptions = { before?: () => SocketError | undefined };

/**
 * Registers `event` on `socket`: anonymous → `unauthenticated`; the payload parsed with `schema` (and the text rule)
 * → `validation_failed` naming the field; then `handler`, whose return value (if any) is the ack's answer.
 */
export function onEvent<S extends z.ZodType>(
  socket: Socket,
  log: Logger,
  event: string,
  schema: S,
  handler: (input: SocketInput<z.output<S>>) => Promise<unknown>,
  options: SocketEventOptions = {},
): void {
  socket.on(event, async (raw: unknown, ack?: unknown) => {
    const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => {};
    const actor = (socket.request as { user?: Actor }).user;
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
