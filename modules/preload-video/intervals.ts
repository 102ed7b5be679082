/** Interval arithmetic for "actually played" time: merge, and measure the union. */
import type { Interval } from './schema';

/** Merges overlapping or touching (within 0.25 s) intervals; returns them sorted. */
export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 0.25) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The total length of (already merged) intervals, clipped to [0, duration] when a duration is known. */
export function coveredSeconds(intervals: Interval[], duration?: number | null): number {
  let total = 0;
  for (const [a, b] of intervals) {
    const from = Math.max(0, a);
    const to = duration ? Math.min(duration, b) : b;
    if (to > from) total += to - from;
  }
  return Math.round(total * 1000) / 1000;
}

/** Watched percent (0–100, whole number, rounded down so 89.6% is never shown as 90%). */
export function watchedPercent(watchedSeconds: number, duration: number | null | undefined): number {
  if (!duration || duration <= 0) return 0;
  return Math.min(100, Math.floor((watchedSeconds / duration) * 100));
}
