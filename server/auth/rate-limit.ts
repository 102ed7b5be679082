/**
 * Login and password-reset throttles. Counters live in the `rate_limits` table (rate-limiter-flexible's PostgreSQL
 * store), so every node sees the same counts and they survive a restart.
 *
 * Login: failures are counted per account *and* address, with a lockout that doubles each time (5 min … 1 h), so a
 * stranger's guesses never lock the owner out from their own address. Two looser caps stop wide attacks: per address
 * (password spraying) and per account from addresses that have never logged in to it (a botnet guessing one account).
 */
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db';
import { RateLimitedError } from '../errors';
import { sha256 } from '../util/canonical';

type Query = { text: string; values?: unknown[] };

/** rate-limiter-flexible's store client over our `query` (PGlite or PostgreSQL); bigint `expire` read as a number. */
export function limiterClient(database: Database) {
  return {
    async query(q: Query) {
      const r = await database.query(q.text, q.values);
      const rows = r.rows.map((row) => ('expire' in row ? { ...row, expire: row.expire === null ? null : Number(row.expire) } : row));
      return { rows, rowCount: rows.length };
    },
  };
}

/** One counter family in the shared table (reused by other throttles, such as the public questionnaire's). */
export function limiter(database: Database, keyPrefix: string, points: number, durationSeconds: number): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: limiterClient(database),
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true, // created by a migration
    clearExpiredByTimeout: false, // pruned with the sessions (pruneRateLimits)
    keyPrefix,
    points,
    duration: durationSeconds,
  });
}

/** Deletes counters that expired over an hour ago. */
export async function pruneRateLimits(database: Database): Promise<void> {
  await database.query('delete from rate_limits where expire < $1', [Date.now() - 3600_000]);
}

/** Keys never hold an e-mail address in clear (and stay inside the 255-character key). */
function accountKey(account: string): string {
  return sha256(account.trim().toLowerCase()).slice(0, 40);
}

function pairKey(account: string, ip: string): string {
  return `${accountKey(account)}|${ip.slice(0, 100)}`;
}

function minutesText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The limits, exported so tests and documentation agree with the code. */
export const LOGIN_LIMITS = {
  /** Failures from one address for one account before a lockout of that pair. */
  perAccountIp: 5,
  /** The first lockout; each later one doubles, up to `maxLockoutSeconds`. */
  firstLockoutSeconds: 5 * 60,
  maxLockoutSeconds: 60 * 60,
  /** Failures from one address across all accounts in an hour. */
  perIpPerHour: 100,
  /** Failures for one account from addresses that never logged in to it, in an hour. */
  perAccountPerHour: 50,
} as const;

/** Login throttling shared by every node. Keys are the account (hashed, case-insensitive) and the client address. */
export class LoginThrottle {
  private readonly pairFails: RateLimiterPostgres;
  private readonly pairLockouts: RateLimiterPostgres;
  private readonly ipFails: RateLimiterPostgres;
  private readonly accountFails: RateLimiterPostgres;
  private readonly knownPairs: RateLimiterPostgres;

  constructor(database: Database) {
    this.pairFails = limiter(database, 'login_pair', LOGIN_LIMITS.perAccountIp, 15 * 60);
    this.pairLockouts = limiter(database, 'login_lockouts', 1000, 24 * 3600);
    this.ipFails = limiter(database, 'login_ip', LOGIN_LIMITS.perIpPerHour, 3600);
    this.accountFails = limiter(database, 'login_account', LOGIN_LIMITS.perAccountPerHour, 3600);
    this.knownPairs = limiter(database, 'login_known', 1, 30 * 24 * 3600);
  }

  /** Throws RateLimitedError (with the wait in words) when this account or address may not try now. */
  async check(account: string, ip: string): Promise<void> {
    const pair = pairKey(account, ip);
    const [pairRes, ipRes, accountRes, known] = await Promise.all([this.pairFails.get(pair), this.ipFails.get(ip), this.accountFails.get(accountKey(account)), this.knownPairs.get(pair)]);
    const waits: number[] = [];
    if (pairRes && pairRes.consumedPoints > LOGIN_LIMITS.perAccountIp) waits.push(pairRes.msBeforeNext);
    if (ipRes && ipRes.consumedPoints >= LOGIN_LIMITS.perIpPerHour) waits.push(ipRes.msBeforeNext);
    if (accountRes && accountRes.consumedPoints >= LOGIN_LIMITS.perAccountPerHour && !known) waits.push(accountRes.msBeforeNext);
    const wait = Math.max(0, ...waits);
    if (wait > 0) {
      throw new RateLimitedError(`Too many failed attempts. For your security, try again in ${minutesText(wait)}, or reset your password.`, Math.ceil(wait / 1000));
    }
  }

  /** Records a failed attempt; the fifth failure of a pair locks it out, each lockout twice as long as the last. */
  async fail(account: string, ip: string): Promise<void> {
    const pair = pairKey(account, ip);
    const [pairRes] = await Promise.all([this.pairFails.penalty(pair), this.ipFails.penalty(ip), this.accountFails.penalty(accountKey(account))]);
    if (pairRes.consumedPoints >= LOGIN_LIMITS.perAccountIp) {
      const lockouts = (await this.pairLockouts.penalty(pair)).consumedPoints;
      const seconds = Math.min(LOGIN_LIMITS.firstLockoutSeconds * 2 ** (lockouts - 1), LOGIN_LIMITS.maxLockoutSeconds);
      await this.pairFails.block(pair, seconds);
    }
  }

  /** Clears the pair's failures and remembers the address as one the owner uses. */
  async succeed(account: string, ip: string): Promise<void> {
    const pair = pairKey(account, ip);
    await Promise.all([this.pairFails.delete(pair), this.pairLockouts.delete(pair), this.knownPairs.set(pair, 1, 30 * 24 * 3600)]);
  }
}

/** Reset-request limits: per address asked about and per client address. */
export const RESET_LIMITS = { perAddressPerHour: 3, perIpPerHour: 50 } as const;

/** Password-reset requests throttled per e-mail address and per client address, the same whether the account exists. */
export class ResetThrottle {
  private readonly byAddress: RateLimiterPostgres;
  private readonly byIp: RateLimiterPostgres;

  constructor(database: Database) {
    this.byAddress = limiter(database, 'reset_address', RESET_LIMITS.perAddressPerHour, 3600);
    this.byIp = limiter(database, 'reset_ip', RESET_LIMITS.perIpPerHour, 3600);
  }

  /** Counts one request; throws RateLimitedError when the address or the client has asked too often this hour. */
  async consume(email: string, ip: string): Promise<void> {
    const results = await Promise.allSettled([this.byAddress.consume(accountKey(email)), this.byIp.consume(ip)]);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    for (const reason of refused) if (!(reason instanceof RateLimiterRes)) throw reason;
    if (refused.length) {
      const wait = Math.max(...refused.map((r) => (r as RateLimiterRes).msBeforeNext));
      throw new RateLimitedError(`Too many reset requests. Try again in ${minutesText(wait)}; a link already sent still works until it expires.`, Math.ceil(wait / 1000));
    }
  }
}
