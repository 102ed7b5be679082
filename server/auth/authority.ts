/**
 * Who may do what, kept fresh: the actor cache every request and socket write reads, and the two things a command
 * calls after it changes someone's authority — `rolesChanged` (roles added: forget the cached actor on every node)
 * and `accessReduced` (removed from a cohort or organisation, disabled, new password: also disconnect their sockets
 * on every node, so an open socket cannot keep acting on roles it no longer has).
 */
import type { Server as IoServer } from 'socket.io';
import type { Db } from '../db';
import { confineActor, loadActor, type Actor, type CapabilityGrants } from './actor';

/** The socket.io server-to-server event that tells other nodes to forget a cached actor. */
export const ACTOR_CHANGED_EVENT = 'cadre:actor-changed';

/**
 * Actors by user id, loaded on a miss (4 queries) and dropped on invalidation. A load that overlapped an
 * invalidation is not kept, so a stale actor is never cached after the change that made it stale. Entries also
 * expire after `ttlMs`, a bound on staleness should a cross-node message be lost.
 */
export class ActorCache {
  /** Each user's actor, and beside it that actor confined to an organisation (LTI sessions), per organisation. */
  private readonly entries = new Map<string, { actor: Actor | null; at: number; confined: Map<string, Actor> }>();
  private invalidations = 0;
  /** True when other nodes share the database (the PostgreSQL adapter carries invalidations to them). */
  crossNode = false;

  constructor(
    private readonly db: Db,
    /** The app's module capabilities, carried by every actor it loads. */
    readonly capabilities: CapabilityGrants,
    private readonly options: { ttlMs: number; max: number } = { ttlMs: 60_000, max: 10_000 },
  ) {}

  /** The active user's actor with fresh roles, confined to the organisation `confinedTo` when given (an LTI
   * session's; see `confineActor`); null when missing or not active. Both forms are forgotten together. */
  async get(userId: string, confinedTo?: string): Promise<Actor | null> {
    let entry = this.entries.get(userId);
    if (!entry || Date.now() - entry.at >= this.options.ttlMs) {
      const before = this.invalidations;
      entry = { actor: await loadActor(this.db, userId, this.capabilities), at: Date.now(), confined: new Map() };
      if (before === this.invalidations) this.remember(userId, entry);
    }
    if (!confinedTo || !entry.actor) return entry.actor;
    let confined = entry.confined.get(confinedTo);
    if (!confined) {
      const before = this.invalidations;
      confined = await confineActor(this.db, entry.actor, confinedTo);
      if (before === this.invalidations) entry.confined.set(confinedTo, confined);
    }
    return confined;
  }

  private remember(userId: string, entry: { actor: Actor | null; at: number; confined: Map<string, Actor> }): void {
    this.entries.delete(userId);
    if (this.entries.size >= this.options.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(userId, entry);
  }

  /** Forgets one user's actor on this node. */
  invalidate(userId: string): void {
    this.invalidations++;
    this.entries.delete(userId);
  }

  /** Listens for other nodes' invalidations (through the socket.io adapter: PostgreSQL NOTIFY with several nodes). */
  listen(io: IoServer, crossNode: boolean): void {
    this.crossNode = crossNode;
    if (!crossNode) return;
    io.on(ACTOR_CHANGED_EVENT, (userId: unknown) => {
      if (typeof userId === 'string') this.invalidate(userId);
    });
  }
}

/** What the authority helpers need from the app context. */
export type AuthorityContext = { io: IoServer; actors: ActorCache };

/** A user's roles changed (call after commit): every node reloads their actor on the next request or socket write. */
export function rolesChanged(ctx: AuthorityContext, userId: string): void {
  ctx.actors.invalidate(userId);
  if (ctx.actors.crossNode) ctx.io.serverSideEmit(ACTOR_CHANGED_EVENT, userId);
}

/** A user lost access (call after commit): forget their actor everywhere and disconnect their sockets on every node. */
export function accessReduced(ctx: AuthorityContext, userId: string): void {
  rolesChanged(ctx, userId);
  ctx.io.in(`user:${userId}`).disconnectSockets(true);
}

/** The socket.io room of every socket opened with one login session. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/** Login sessions were ended (call after the rows are deleted): disconnect the sockets opened with them, on every node. */
export function sessionsEnded(ctx: AuthorityContext, sessionIds: string[]): void {
  if (sessionIds.length) ctx.io.in(sessionIds.map(sessionRoom)).disconnectSockets(true);
}
