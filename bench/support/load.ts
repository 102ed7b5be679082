/** HTTP load with autocannon over loopback, bounded in time. */
import autocannon from 'autocannon';

/** Requests per second and latency of GET `url` (2xx only counted as successes). */
export type LoadResult = { rps: number; p99Ms: number; non2xx: number; errors: number };

/** Runs autocannon for `duration` seconds after a short warm-up; throws if the endpoint does not answer 2xx. */
export async function measureRps(url: string, options: { headers?: Record<string, string>; duration?: number; connections?: number } = {}): Promise<LoadResult> {
  const base = { url, headers: options.headers ?? {}, connections: options.connections ?? 10, timeout: 10 };
  await autocannon({ ...base, duration: 1 }); // warm-up: JIT, caches, connection pools
  const r = await autocannon({ ...base, duration: options.duration ?? 5 });
  if (r['2xx'] === 0) throw new Error(`${url} answered no 2xx responses (${r.non2xx} non-2xx, ${r.errors} errors)`);
  return { rps: r['2xx'] / r.duration, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}
