/** Recording heartbeats: merge a played interval into the person's watched intervals, in one transaction. */
import { and, eq } from 'drizzle-orm';
import { ValidationError, type Db } from '../../server/modules/kit';
import { coveredSeconds, mergeIntervals, watchedPercent } from './intervals';
import { preloadVideoProgress, type Interval } from './schema';
import type { VideoRow } from './videos';

/** The longest interval one heartbeat may claim: the player reports about every 4 s of continuous play. */
export const MAX_BEAT_SECONDS = 6;
/** The fastest playback credited (2×): a beat may add at most this many seconds per second since the last beat. */
export const MAX_RATE = 2;
/** Beats further apart than this start a new viewing: the first beat may claim up to MAX_BEAT_SECONDS. */
export const SESSION_GAP_SECONDS = 30;

/** A heartbeat's result, as the player shows it. */
export type WatchState = { videoId: string; watchedSeconds: number; watchedPercent: number; threshold: number; met: boolean };

/**
 * Adds [from, to] to what `userId` has played of `video`; seeking never adds anything because only played intervals
 * arrive. New time is also capped by the wall clock (2× the time since the previous beat, plus 1 s), so a script
 * sending beats back to back cannot "watch" a video faster than a person could.
 */
export async function recordHeartbeat(db: Db, userId: string, video: VideoRow, beat: { from: number; to: number }, now = new Date()): Promise<WatchState> {
  const { from, to } = beat;
  if (!(to > from)) throw new ValidationError('A heartbeat must end after it starts.', [{ field: 'to', message: 'must be greater than from' }]);
  if (to - from > MAX_BEAT_SECONDS) {
    throw new ValidationError(`A heartbeat covers at most ${MAX_BEAT_SECONDS} seconds of playing.`, [{ field: 'to', message: `must be within ${MAX_BEAT_SECONDS} s of from` }]);
  }
  return db.transaction(async (tx) => {
    // The length is a shared fact: read from the file on upload or set by an admin, never taken from a player.
    const duration = video.durationSeconds;
    if (duration && from > duration + 1) throw new ValidationError('That position is past the end of the video.', [{ field: 'from', message: `must be at most ${Math.ceil(duration)}` }]);
    const created = await tx.insert(preloadVideoProgress).values({ videoId: video.id, userId, updatedAt: now }).onConflictDoNothing().returning();
    const [row] = await tx
      .select()
      .from(preloadVideoProgress)
      .where(and(eq(preloadVideoProgress.videoId, video.id), eq(preloadVideoProgress.userId, userId)))
      .for('update');
    const start = Math.max(0, from);
    let end = duration ? Math.min(duration, to) : to;
    let intervals = mergeIntervals([...row.intervals, [start, end] as Interval]);
    let watchedSeconds = coveredSeconds(intervals, duration);
    const sinceLast = (now.getTime() - row.updatedAt.getTime()) / 1000;
    const allowance = created.length || sinceLast > SESSION_GAP_SECONDS || sinceLast < 0 ? MAX_BEAT_SECONDS : sinceLast * MAX_RATE + 1;
    if (watchedSeconds - Number(row.watchedSeconds) > allowance) {
      // Faster than anyone can watch: credit only what the clock allows, from the start of this interval.
      end = Math.min(end, start + Math.max(0, allowance));
      intervals = mergeIntervals([...row.intervals, [start, end] as Interval]);
      watchedSeconds = coveredSeconds(intervals, duration);
    }
    await tx
      .update(preloadVideoProgress)
      .set({ intervals, watchedSeconds, updatedAt: now })
      .where(and(eq(preloadVideoProgress.videoId, video.id), eq(preloadVideoProgress.userId, userId)));
    const pct = watchedPercent(watchedSeconds, duration);
    return { videoId: video.id, watchedSeconds, watchedPercent: pct, threshold: video.threshold, met: pct >= video.threshold };
  });
}
