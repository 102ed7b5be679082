/** Which videos a pre-load stage uses, and each person's watched percent. */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { cohortMembers, type Db, type StageRow } from '../../server/modules/kit';
import { watchedPercent } from './intervals';
import { preloadVideoProgress, preloadVideoVideos } from './schema';

/** A video row. */
export type VideoRow = typeof preloadVideoVideos.$inferSelect;

/** Every video in the library that is not archived, in order. */
export async function libraryVideos(db: Db): Promise<VideoRow[]> {
  return db.select().from(preloadVideoVideos).where(isNull(preloadVideoVideos.archivedAt)).orderBy(asc(preloadVideoVideos.position), asc(preloadVideoVideos.createdAt));
}

/** The videos a stage uses: `videoIds` (from requirement params or stage config) or, by default, the whole library. */
export function videosForStage(library: VideoRow[], stage: Pick<StageRow, 'config'>, videoIds?: string[]): VideoRow[] {
  const chosen = videoIds ?? (Array.isArray(stage.config.videoIds) ? (stage.config.videoIds as string[]) : undefined);
  if (!chosen?.length) return library;
  return chosen.map((id) => library.find((v) => v.id === id)).filter((v): v is VideoRow => !!v);
}

/** Watched seconds of the given videos by every candidate of the given cohorts: `${videoId}|${userId}` → seconds. */
export async function watchedByCandidates(db: Db, videoIds: string[], cohortIds: string[]): Promise<Map<string, number>> {
  if (!videoIds.length || !cohortIds.length) return new Map();
  const rows = await db
    .selectDistinct({ videoId: preloadVideoProgress.videoId, userId: preloadVideoProgress.userId, seconds: preloadVideoProgress.watchedSeconds })
    .from(preloadVideoProgress)
    .innerJoin(cohortMembers, and(eq(cohortMembers.userId, preloadVideoProgress.userId), eq(cohortMembers.role, 'candidate')))
    .where(and(inArray(preloadVideoProgress.videoId, videoIds), inArray(cohortMembers.cohortId, cohortIds)));
  return new Map(rows.map((r) => [`${r.videoId}|${r.userId}`, Number(r.seconds)]));
}

/** One person's watched percent per video id. */
export async function percentsFor(db: Db, userId: string, videos: VideoRow[]): Promise<Map<string, number>> {
  if (!videos.length) return new Map();
  const rows = await db
    .select({ videoId: preloadVideoProgress.videoId, seconds: preloadVideoProgress.watchedSeconds })
    .from(preloadVideoProgress)
    .where(and(eq(preloadVideoProgress.userId, userId), inArray(preloadVideoProgress.videoId, videos.map((v) => v.id))));
  const seconds = new Map(rows.map((r) => [r.videoId, Number(r.seconds)]));
  return new Map(videos.map((v) => [v.id, watchedPercent(seconds.get(v.id) ?? 0, v.durationSeconds)]));
}

/** The next free position in the library. */
export async function nextPosition(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`coalesce(max(${preloadVideoVideos.position}), 0)::int` }).from(preloadVideoVideos);
  return row.n + 1;
}
