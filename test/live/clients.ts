/** Real socket.io clients for live tests and the bench: log in over HTTP, then speak the `live:*` protocol. */
import { randomUUID } from 'node:crypto';
import { io as connectIo, type Socket } from 'socket.io-client';
import { TEST_PASSWORD } from '../support/factories';

/** Logs in through the JSON API at `baseUrl` and returns the session cookie header. */
export async function loginCookie(baseUrl: string, email: string, password = TEST_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** Opens a websocket-only socket.io client carrying the session cookie. */
export function openSocket(baseUrl: string, cookie: string, options: { reconnectionDelay?: number } = {}): Socket {
  return connectIo(baseUrl, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    forceNew: true,
    reconnectionDelay: options.reconnectionDelay ?? 100,
    reconnectionDelayMax: 500,
  });
}

/** Resolves when the socket connects (or rejects with the server's refusal). */
export function connected(socket: Socket): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Emits with an acknowledgement and a timeout. */
export function ask<T = Record<string, unknown>>(socket: Socket, event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

/** A note as the server sends it. */
export type WireNote = { id: string; seq: number; releaseSeq: number | null; body: string; clientId?: string; state?: string; kind: string; tags: string[] };

/**
 * A client that follows a room the way the browser does: joins with its cursor on every (re)connect,
 * applies notes strictly in order once each, and fills gaps from the server.
 */
export class RoomFollower {
  /** Cursor values applied, in order (seq for staff, releaseSeq for the candidate). */
  readonly applied: number[] = [];
  readonly notes: WireNote[] = [];
  /** Copies that arrived but were already applied (dropped by de-duplication). */
  duplicatesDropped = 0;
  lastSeq = 0;
  role?: string;
  private pending = new Map<number, WireNote>();
  private gapTimer?: NodeJS.Timeout;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(
    readonly socket: Socket,
    readonly roomId: string,
    readonly cursor: 'seq' | 'releaseSeq',
  ) {
    socket.on('connect', () => void this.join());
    socket.on('live:note', (m: { roomId: string; note: WireNote }) => {
      if (m.roomId === roomId) this.accept(m.note);
    });
  }

  /** Joins (or rejoins) with the current cursor; resolves with the server's answer. */
  async join(): Promise<Record<string, unknown>> {
    const res = await ask<{ error?: unknown; notes: WireNote[]; hasMore: boolean; role: string }>(this.socket, 'live:join', { roomId: this.roomId, afterSeq: this.lastSeq }).catch((err: Error) => ({ error: { code: 'timeout', message: err.message } }) as { error: unknown; notes: WireNote[]; hasMore: boolean; role: string });
    if (res.error) return res as unknown as Record<string, unknown>;
    this.role = res.role;
    for (const n of res.notes) this.accept(n);
    if (res.hasMore) await this.join();
    return res as unknown as Record<string, unknown>;
  }

  private accept(note: WireNote): void {
    const key = note[this.cursor];
    if (key === null || key === undefined) return;
    if (key <= this.lastSeq) {
      this.duplicatesDropped++;
      return;
    }
    this.pending.set(key, note);
    while (this.pending.has(this.lastSeq + 1)) {
      const next = this.pending.get(this.lastSeq + 1) as WireNote;
      this.pending.delete(this.lastSeq + 1);
      this.lastSeq += 1;
      this.applied.push(this.lastSeq);
      this.notes.push(next);
    }
    clearTimeout(this.gapTimer);
    if (this.pending.size) this.gapTimer = setTimeout(() => void this.join(), 300);
    this.waiters = this.waiters.filter((w) => (this.applied.length >= w.n ? (w.resolve(), false) : true));
  }

  /** Resolves when `n` notes have been applied (or rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.applied.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`waited for ${n} notes, have ${this.applied.length}`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  /** Stops timers. */
  close(): void {
    clearTimeout(this.gapTimer);
    this.socket.close();
  }
}

/** A note waiting in the mentor's outbox. */
export type OutboxItem = { roomId: string; clientId: string; body: string; kind: 'strength' | 'to_work_on'; tags: string[]; atOffsetMs?: number };

/**
 * The mentor's outbox, as the browser keeps it: every note has a client id; it stays queued until the server
 * acknowledges it with a seq, and is sent again after any disconnect. `window` notes may be in flight at once.
 */
export class MentorOutbox {
  readonly queue: OutboxItem[] = [];
  readonly acked = new Map<string, number>();
  sends = 0;
  private inFlight = new Set<string>();
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(
    readonly socket: Socket,
    readonly roomId: string,
    readonly window = 8,
  ) {
    socket.on('connect', () => {
      this.inFlight.clear();
      this.pump();
    });
  }

  /** Queues a note (with a fresh client id unless given) and starts sending. */
  post(body: string, extra: Partial<OutboxItem> = {}): OutboxItem {
    const item: OutboxItem = { roomId: this.roomId, clientId: randomUUID(), body, kind: 'strength', tags: [], ...extra };
    this.queue.push(item);
    this.pump();
    return item;
  }

  private pump(): void {
    if (!this.socket.connected) return;
    for (const item of this.queue) {
      if (this.inFlight.size >= this.window) break;
      if (this.inFlight.has(item.clientId)) continue;
      this.inFlight.add(item.clientId);
      this.sends++;
      const socket = this.socket;
      ask<{ seq?: number; error?: { code: string; retryAfterMs?: number } }>(socket, 'live:note', item, 5000)
        .then((res) => {
          if (res.seq !== undefined) {
            this.acked.set(item.clientId, res.seq);
            const i = this.queue.indexOf(item);
            if (i >= 0) this.queue.splice(i, 1);
            this.waiters = this.waiters.filter((w) => (this.acked.size >= w.n ? (w.resolve(), false) : true));
          }
          this.inFlight.delete(item.clientId);
          if (res.error) setTimeout(() => this.pump(), res.error.retryAfterMs ?? 200);
          else this.pump();
        })
        .catch(() => {
          // No ack (disconnected or timed out): keep it queued; it is sent again on reconnect.
          this.inFlight.delete(item.clientId);
          if (socket.connected) setTimeout(() => this.pump(), 200);
        });
    }
  }

  /** Resolves when `n` notes have been acknowledged. */
  waitForAcks(n: number, timeoutMs = 60_000): Promise<void> {
    if (this.acked.size >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`waited for ${n} acks, have ${this.acked.size}`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
    });
  }
}
