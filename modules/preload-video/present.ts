/** What pre-load video's JSON shows, field by field (never a raw row): watched time per video. */
import { presenter } from '../../server/modules/kit';
import type { WatchState } from './watch';

type StageVideo = { id: string; title: string; durationSeconds: number | null; threshold: number };

/** The candidate's watched time of one video after a heartbeat. */
export const presentWatch = presenter((w: WatchState) => ({ videoId: w.videoId, watchedSeconds: w.watchedSeconds, watchedPercent: w.watchedPercent, threshold: w.threshold, met: w.met }));

/** The candidate's watched percent of each of the stage's videos. */
export const presentProgress = presenter((videos: StageVideo[], percents: ReadonlyMap<string, number>) => ({
  videos: videos.map((v) => ({ id: v.id, title: v.title, durationSeconds: v.durationSeconds, threshold: v.threshold, watchedPercent: percents.get(v.id) ?? 0, met: (percents.get(v.id) ?? 0) >= v.threshold })),
}));
