/** Login throttling per account and per IP address, with the time to wait in the message. */
import { RateLimitedError } from '../errors';

type Window = { failures: number[] };

/** Counts failures in a sliding window and refuses further attempts once a key has too many. */
export class LoginThrottle {
  private readonly byKey = new Map<string, Window>();

  constructor(
    private readonly limits = { perAccount: 5, perIp: 30, windowMs: 15 * 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws RateLimitedError when the account or the address has failed too often recently. */
  check(account: string, ip: string): void {
    const wait = Math.max(this.waitMs(`a:${account}`, this.limits.perAccount), this.waitMs(`i:${ip}`, this.limits.perIp));
    if (wait > 0) {
      const minutes = Math.ceil(wait / 60_000);
      throw new RateLimitedError(
        `Too many failed attempts. For your security, try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or reset your password.`,
        Math.ceil(wait / 1000),
      );
    }
  }

  /** Records a failed attempt. */
  fail(account: string, ip: string): void {
    for (const key of [`a:${account}`, `i:${ip}`]) {
      const w = this.byKey.get(key) ?? { failures: [] };
      w.failures.push(this.now());
      this.byKey.set(key, w);
    }
  }

  /** Clears the account's failures after a successful login. */
  succeed(account: string): void {
    this.byKey.delete(`a:${account}`);
  }

  private waitMs(key: string, limit: number): number {
    const w = this.byKey.get(key);
    if (!w) return 0;
    const since = this.now() - this.limits.windowMs;
    w.failures = w.failures.filter((t) => t > since);
    if (w.failures.length === 0) this.byKey.delete(key);
    if (w.failures.length < limit) return 0;
    return w.failures[w.failures.length - limit] + this.limits.windowMs - this.now();
  }
}
