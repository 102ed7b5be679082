/** Which videos a pre-load stage uses (its cohort's programme's), who is spared a later change, and watched percents. */
import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { cohortMembers, cohorts, type Db, type StageRow } from '../../server/modules/kit';
import { watchedPercent } from './intervals';
import { preloadVideoExemptions, preloadVideoProgress, preloadVideoVideos } from './schema';

/** A video row. */
export type VideoRow = typeof preloadVideoVideos.$inferSelect;

const inOrder = [asc(preloadVideoVideos.position), asc(preloadVideoVideos.createdAt)] as const;

/** Every video of one programme that is not archived, drafts included (for the admin), in order. */
export async function programmeVideos(db: Db, programmeId: string): Promise<VideoRow[]> {
  return db
    .select()
    .from(preloadVideoVideos)
    .where(and(eq(preloadVideoVideos.programmeTemplateId, programmeId), isNull(preloadVideoVideos.archivedAt)))
    .orderBy(...inOrder);
}

/** The published, unarchived videos of each cohort's programme, in order: cohort id → videos (one query). */
export async function videosByCohort(db: Db, cohortIds: string[]): Promise<Map<string, VideoRow[]>> {
  const out = new Map<string, VideoRow[]>(cohortIds.map((id) => [id, []]));
  if (!cohortIds.length) return out;
  const rows = await db
    .select({ cohortId: cohorts.id, video: preloadVideoVideos })
    .from(preloadVideoVideos)
    .innerJoin(cohorts, eq(cohorts.programmeTemplateId, preloadVideoVideos.programmeTemplateId))
    .where(and(inArray(cohorts.id, [...new Set(cohortIds)]), isNull(preloadVideoVideos.archivedAt), isNotNull(preloadVideoVideos.publishedAt)))
    .orderBy(...inOrder);
  for (const r of rows) out.get(r.cohortId)?.push(r.video);
  return out;
}

/** The videos a stage uses: `videoIds` (from requirement params or stage config) or, by default, all of `videos`. */
export function videosForStage(videos: VideoRow[], stage: Pick<StageRow, 'config'>, videoIds?: string[]): VideoRow[] {
  const chosen = videoIds ?? (Array.isArray(stage.config.videoIds) ? (stage.config.videoIds as string[]) : undefined);
  if (!chosen?.length) return videos;
  return chosen.map((id) => videos.find((v) => v.id === id)).filter((v): v is VideoRow => !!v);
}

/** The key of an exemption: `${stageId}|${userId}|${videoId or 'quiz'}`. */
export const exemptionKey = (stageId: string, userId: string, videoId: string | null) => `${stageId}|${userId}|${videoId ?? 'quiz'}`;

/** Who is spared which later content in the given stages (one query): a set of `exemptionKey`s. */
export async function exemptionsIn(db: Db, stageIds: string[]): Promise<Set<string>> {
  if (!stageIds.length) return new Set();
  const rows = await db
    .select({ stageId: preloadVideoExemptions.cohortStageId, userId: preloadVideoExemptions.userId, videoId: preloadVideoExemptions.videoId })
    .from(preloadVideoExemptions)
    .where(inArray(preloadVideoExemptions.cohortStageId, [...new Set(stageIds)]));
  return new Set(rows.map((r) => exemptionKey(r.stageId, r.userId, r.videoId)));
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

/** The next free position among a programme's videos. */
export async function nextPosition(db: Db, programmeId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(max(${preloadVideoVideos.position}), 0)::int` })
    .from(preloadVideoVideos)
    .where(eq(preloadVideoVideos.programmeTemplateId, programmeId));
  return row.n + 1;
}
