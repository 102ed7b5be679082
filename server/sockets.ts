/** The socket edge, like the HTTP one: an event's payload is checked by the one text rule and parsed with its zod
 * schema before the handler runs; bad input answers `validation_failed` naming the field (never `internal`, which a
 * live client retries). Every event answers through its ack. */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Actor } from './auth/actor';
import type { ActorCache } from './auth/authority';
import { AppError, UnauthenticatedError } from './errors';
import { SESSION_ABSOLUTE_MS, type SessionConfinement } from './http/session';
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

/** What a socket keeps of its login session: the person, the session, when it started, and the organisation its
 * actor is confined to (an LTI session's), which every event's fresh actor is confined to again. */
type SocketRequest = { user?: Actor; sessionID?: string; sessionStartedAt?: number; confinedTo?: string };

/** A connect-style middleware, as the engine runs them on a handshake. */
type EngineMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** What each handshake's login session left for its socket, until `adoptHandshake` (and its response, until
 * `settleHandshake`). Kept beside the request, not on it: the engine deletes a property of the request after the
 * middlewares ran, and a request with properties added after that one would turn into a slower, larger dictionary. */
const handshakes = new WeakMap<object, { res: ServerResponse; user?: Actor; sessionID?: string; sessionStartedAt?: number; confinedTo?: string }>();

/**
 * The login session on a socket handshake: runs `chain` (express-session, the lifetime rule, passport) on a scratch
 * request holding what they read of the handshake's (headers, address, socket), and keeps only what the socket needs
 * — the person, the session id, when the session started (for the absolute lifetime) and the organisation an LTI
 * session's actor is confined to. The socket holds its
 * handshake's request for as long as it is open; without this every idle socket would also hold the Session, its
 * cookie, passport's helpers and express-session's closures.
 */
export function handshakeSession(chain: EngineMiddleware[], confinement: SessionConfinement = () => undefined): EngineMiddleware {
  return (req, res, next) => {
    // What express-session and passport read of a request (the cookie header, the address, whether it is secure).
    const scratch = { headers: req.headers, url: req.url, originalUrl: req.url, method: req.method, socket: req.socket, connection: req.socket } as unknown as IncomingMessage & SocketRequest & { session?: Parameters<SessionConfinement>[0] & { startedAt?: number } };
    let i = 0;
    const step = (err?: unknown) => {
      if (err) return next(err);
      const middleware = chain[i++];
      if (!middleware) {
        handshakes.set(req, { res, user: scratch.user, sessionID: scratch.sessionID, sessionStartedAt: scratch.session?.startedAt, confinedTo: confinement(scratch.session) });
        return next();
      }
      try {
        middleware(scratch, res, step);
      } catch (e) {
        next(e);
      }
    };
    step();
  };
}

/** In the socket's first middleware: puts the handshake's person, session id and session start on `socket.request`
 * (`user`, `sessionID`, `sessionStartedAt`); returns the person, or undefined for an anonymous handshake. */
export function adoptHandshake(socket: Socket): Actor | undefined {
  const kept = handshakes.get(socket.request);
  if (!kept) return undefined;
  const request = socket.request as unknown as SocketRequest;
  request.user = kept.user;
  request.sessionID = kept.sessionID;
  request.sessionStartedAt = kept.sessionStartedAt;
  request.confinedTo = kept.confinedTo;
  return kept.user;
}

/**
 * Once a socket is connected: puts back the handshake response's own end/writeHead, which express-session and
 * on-headers wrapped (their closures hold the whole session middleware's state); the engine never calls them again.
 */
export function settleHandshake(socket: Socket): void {
  const res = handshakes.get(socket.request)?.res;
  handshakes.delete(socket.request);
  if (!res) return;
  if (res instanceof ServerResponse && !res.writableEnded) return; // a polling answer still open keeps its wrappers
  const own = Object.getPrototypeOf(res) as ServerResponse;
  res.end = own.end;
  res.writeHead = own.writeHead;
}

/**
 * The socket's person with their roles as they are now (the actor cache, invalidated on every membership change on
 * every node), or null — and the socket is disconnected — when the account is gone or disabled, or the login
 * session is past its absolute lifetime. An open socket never acts on the roles it had at the handshake.
 */
export async function socketActor(socket: Socket, ctx: { actors: ActorCache }): Promise<Actor | null> {
  const request = socket.request as unknown as SocketRequest;
  const userId = request.user?.id;
  if (!userId) return null;
  const startedAt = request.sessionStartedAt;
  if (!startedAt || Date.now() - startedAt >= SESSION_ABSOLUTE_MS) {
    socket.disconnect(true);
    return null;
  }
  const actor = await ctx.actors.get(userId, request.confinedTo);
  if (!actor) {
    socket.disconnect(true);
    return null;
  }
  request.user = actor; // later reads of the handshake's actor see the fresh roles too
  return actor;
}

/** What the socket edge needs from the app: the logger, and the actor cache for fresh roles on every event. */
export type SocketEdgeContext = { logger: Logger; actors: ActorCache };

/** What a socket event handler receives (`socket`: the socket the event came on). */
export type SocketInput<T> = { payload: T; actor: Actor; reply: Ack; raw: unknown; socket: Socket };

/** Options of one event: a throttle checked before parsing (answer a `SocketError` to refuse). */
export type SocketEventOptions = { before?: (socket: Socket) => SocketError | undefined };

/**
 * The listener for `event`, made once and shared by every socket it is registered on (socket.io calls a listener with
 * its socket as `this`), so an idle socket holds no closure per event: the person re-authorised with fresh roles
 * (`socketActor`; anonymous, disabled or expired → `unauthenticated`); the payload parsed with `schema` (and the text
 * rule) → `validation_failed` naming the field; then `handler` with that fresh actor, whose return value (if any) is
 * the ack's answer.
 */
export function eventListener<S extends z.ZodType>(
  ctx: SocketEdgeContext,
  event: string,
  schema: S,
  handler: (input: SocketInput<z.output<S>>) => Promise<unknown>,
  options: SocketEventOptions = {},
): (this: Socket, raw: unknown, ack?: unknown) => Promise<void> {
  return async function (this: Socket, raw: unknown, ack?: unknown) {
    const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => {};
    const log = ctx.logger;
    let actor: Actor | null;
    try {
      actor = await socketActor(this, ctx);
    } catch (err) {
      return reply({ error: socketError(err, log) });
    }
    if (!actor) return reply({ error: socketError(new UnauthenticatedError(), log) });
    const refused = options.before?.(this);
    if (refused) return reply({ error: refused });
    try {
      const payload = parse(schema, raw, event);
      const result = await runInRequest({ id: `socket:${this.id}:${event}` }, () => handler({ payload, actor, reply, raw, socket: this }));
      if (result !== undefined) reply(result);
    } catch (err) {
      reply({ error: socketError(err, log) });
    }
  };
}

/** Registers `event` on one `socket` (see `eventListener`; a hook that registers on every socket should make its
 * listeners once with `eventListener` and register those). */
export function onEvent<S extends z.ZodType>(
  socket: Socket,
  ctx: SocketEdgeContext,
  event: string,
  schema: S,
  handler: (input: SocketInput<z.output<S>>) => Promise<unknown>,
  options: SocketEventOptions = {},
): void {
  socket.on(event, eventListener(ctx, event, schema, handler, options));
}
