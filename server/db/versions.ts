/**
 * Data versions and the caches that trust them. Database triggers (migration `data_versions_triggers`) give a cohort a
 * new version, in the writing transaction, whenever a table that progress, readiness or a record reads changes for
 * it; reference data every cohort reads changes the `*` scope. A cached value is stamped with the versions read
 * *before* it was computed, so it is never older than its stamp, and it is used only while the versions are equal:
 * a changed rule, mark or heartbeat applies at the next read, on every node (the versions live in the database).
 *
 * Within one request the versions are read once (one statement) and reused until the request writes anything; on
 * the embedded database they are reused across requests until anything is written (see `fetchVersions`).
 */
import { sql } from 'drizzle-orm';
import type { Db } from './index';
import { prepared } from './prepared';
import { dataVersions } from './schema/versions';
import { currentTally, type StatementTally } from './statements';

/** The scope of reference data every cohort may read (rubrics, competencies, the video library). */
export const GLOBAL_SCOPE = '*';

type Memo = { writes: number; versions: Map<string, string>; reading?: Promise<unknown> };
const memos = new WeakMap<StatementTally, Memo>();

/** Scopes a request is expected to read, noted before it reads its session (see `expectScopes`). */
const expected = new WeakMap<StatementTally, string[]>();

/**
 * Notes that the request running now will read these scopes' versions (its path names a cohort), so the session
 * store can read them in the same statement as the session row (PostgreSQL: one round trip, not two) and hand
 * them over (`expectedVersions`).
 */
export function expectScopes(scopes: string[]): void {
  const tally = currentTally();
  if (tally) expected.set(tally, [...new Set([...scopes, GLOBAL_SCOPE])]);
}

/**
 * The scopes `expectScopes` noted for the request running now, if any, and how to hand over their versions once read
 * with another statement (its session row): its later reads use them, as if `readVersions` had read them, until it
 * writes (a write sent meanwhile makes them unused).
 */
export function expectedVersions(): { scopes: string[]; prime: (read: Map<string, string>) => void } | undefined {
  const tally = currentTally();
  const scopes = tally && expected.get(tally);
  if (!tally || !scopes) return undefined;
  const writesAt = tally.writes;
  const prime = (read: Map<string, string>) => {
    if (tally.writes !== writesAt) return;
    let memo = memos.get(tally);
    if (!memo || memo.writes !== tally.writes) {
      memo = { writes: tally.writes, versions: new Map() };
      memos.set(tally, memo);
    }
    for (const [scope, version] of read) memo.versions.set(scope, version);
  };
  return { scopes, prime };
}

/** The current version of each scope ('0' for one never written); one statement, or none when this request has
 * already read them (or is reading them: parallel readers share the read) and has written nothing since. */
export async function readVersions(db: Db, scopes: string[]): Promise<Map<string, string>> {
  const tally = currentTally();
  let memo = tally && memos.get(tally);
  // Read already in this request, nothing written since (most calls): the same map, nothing made.
  if (memo && !memo.reading && memo.writes === tally?.writes && memo.versions.has(GLOBAL_SCOPE) && scopes.every((s) => memo?.versions.has(s))) return memo.versions;
  const wanted = [...new Set([...scopes, GLOBAL_SCOPE])];
  if (!tally) return fetchVersions(db, wanted, new Map());
  if (memo?.reading && memo.writes === tally.writes) await memo.reading.catch(() => undefined);
  memo = memos.get(tally);
  if (!memo || memo.writes !== tally.writes) {
    memo = { writes: tally.writes, versions: new Map() };
    memos.set(tally, memo);
  }
  const current = memo;
  const missing = wanted.filter((s) => !current.versions.has(s));
  if (missing.length) {
    const reading = fetchVersions(db, missing, current.versions);
    current.reading = reading;
    try {
      await reading;
    } finally {
      if (current.reading === reading) current.reading = undefined;
    }
  }
  return current.versions;
}

/**
 * The embedded database has one writer, this process, and every statement it sends is counted as it is sent: the
 * versions read on the root connection (outside any transaction — a query there waits for an open transaction to
 * end) hold until the next write is sent, so reads between writes are answered from memory. Never used for
 * PostgreSQL, which other nodes write too.
 */
type Embedded = { writes: () => number; seen?: { at: number; versions: Map<string, string> } };
const embedded = new WeakMap<Db, Embedded>();

/** Marks `db` as an embedded database's root connection; `writes()` counts the writes sent through it so far. */
export function trackEmbeddedWrites(db: Db, writes: () => number): void {
  embedded.set(db, { writes });
}

async function fetchVersions(db: Db, scopes: string[], into: Map<string, string>): Promise<Map<string, string>> {
  const local = embedded.get(db);
  if (!local) return queryVersions(db, scopes, into);
  const at = local.writes();
  const seen = local.seen?.at === at ? local.seen.versions : undefined;
  if (seen && scopes.every((s) => seen.has(s))) {
    for (const s of scopes) into.set(s, seen.get(s) as string);
    return into;
  }
  const read = await queryVersions(db, scopes, new Map());
  // Kept only if nothing was written while it was read (such a write may or may not be in what it read).
  if (local.writes() === at) {
    if (local.seen?.at !== at) local.seen = { at, versions: new Map() };
    for (const [s, v] of read) local.seen.versions.set(s, v);
  }
  for (const [s, v] of read) into.set(s, v);
  return into;
}

async function queryVersions(db: Db, scopes: string[], into: Map<string, string>): Promise<Map<string, string>> {
  const list = `{${scopes.map((s) => `"${s}"`).join(',')}}`;
  const rows = await prepared(db, 'cadre_data_versions', (d) =>
    d
      .select({ scope: dataVersions.scope, version: sql<string>`${dataVersions.version}::text` })
      .from(dataVersions)
      .where(sql`${dataVersions.scope} = any(${sql.placeholder('scopes')}::text[])`)
      .prepare('cadre_data_versions'),
  ).execute({ scopes: list });
  const found = new Map(rows.map((r) => [r.scope, r.version]));
  for (const s of scopes) into.set(s, found.get(s) ?? '0');
  return into;
}

const everyCache = new Set<{ clear(): void }>();

/** Adds a cache of values stamped with these versions to those `clearVersionedCaches` empties. */
export function registerVersionedCache(cache: { clear(): void }): void {
  everyCache.add(cache);
}

/** Forgets every cached value in this process (the bench times cold computations this way). */
export function clearVersionedCaches(): void {
  for (const cache of everyCache) cache.clear();
}

/** Deep-freezes a cached value: it is shared by every request that reads it, so nobody may change it. */
export function freeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) for (const v of value.values()) freeze(v);
    else for (const v of Object.values(value)) freeze(v);
  }
  return value;
}

/**
 * Values per key (each key belongs to one cohort scope), cached while that cohort's and the global version — and the
 * caller's `variant` (such as today's date, for answers that depend on it) — stay the same. Bounded (least recently
 * used go first). Concurrent misses of the same key and stamp share one computation.
 */
export class VersionedCache<V> {
  private readonly entries = new Map<string, { stamp: string; value: V; until: number }>();
  private readonly pending = new Map<string, Promise<V | undefined>>();

  constructor(private readonly max = 1000) {
    registerVersionedCache(this);
  }

  /** The values for `keys`; `compute(missing)` answers the keys whose stamp changed (absent keys get no value).
   * `until(value)`: the instant (epoch ms) the clock alone changes a computed value, when it is not only the date
   * in `variant` (kept until then at most). */
  async get(db: Db, keys: string[], scopeOf: (key: string) => string, variant: string, compute: (missing: string[]) => Promise<Map<string, V>>, until?: (value: V) => number): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    if (!keys.length) return out;
    const versions = await readVersions(db, keys.map(scopeOf));
    const stampOf = (key: string) => `${versions.get(scopeOf(key))}:${versions.get(GLOBAL_SCOPE)}:${variant}`;
    const missing: string[] = [];
    const waits: Promise<void>[] = [];
    for (const key of keys) {
      const stamp = stampOf(key);
      const hit = this.entries.get(key);
      if (hit && hit.stamp === stamp && (hit.until === Infinity || Date.now() < hit.until)) {
        // Refresh its place in the least-recently-used order.
        this.entries.delete(key);
        this.entries.set(key, hit);
        out.set(key, hit.value);
        continue;
      }
      const inFlight = this.pending.get(`${key}@${stamp}`);
      if (inFlight) {
        waits.push(
          inFlight.then((v) => {
            if (v !== undefined) out.set(key, v);
          }),
        );
      } else missing.push(key);
    }
    if (missing.length) {
      const batch = compute(missing);
      for (const key of missing) {
        const stamp = stampOf(key);
        const one = batch.then((m) => m.get(key));
        one.catch(() => undefined);
        this.pending.set(`${key}@${stamp}`, one);
      }
      try {
        const computed = await batch;
        for (const key of missing) {
          const value = computed.get(key);
          if (value === undefined) continue;
          this.store(key, stampOf(key), freeze(value), until ? until(value) : Infinity);
          out.set(key, value);
        }
      } finally {
        for (const key of missing) this.pending.delete(`${key}@${stampOf(key)}`);
      }
    }
    if (waits.length) await Promise.all(waits);
    return out;
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }

  private store(key: string, stamp: string, value: V, until: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { stamp, value, until });
  }
}
