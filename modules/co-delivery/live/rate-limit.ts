/** A token bucket: `capacity` events at once, refilled at `perSecond`; says how long to wait when empty. */

/** How a bucket is sized. */
export type BucketSpec = { capacity: number; perSecond: number };

/** One socket's allowance for one kind of event. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly spec: BucketSpec,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = spec.capacity;
    this.last = now();
  }

  /** Takes a token; returns 0 when allowed, otherwise the milliseconds until one is available. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.spec.capacity, this.tokens + ((t - this.last) / 1000) * this.spec.perSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.spec.perSecond) * 1000);
  }
}
