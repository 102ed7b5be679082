/** Who may watch a video: admins, and people in a cohort of the video's programme whose pre-load stage uses it. */
import { and, eq, inArray } from 'drizzle-orm';
import { cohortStages, id as uuidSchema, NotFoundError, visibleCohorts, type Actor, type Db } from '../../server/modules/kit';
import { preloadVideoVideos } from './schema';
import { videosByCohort, videosForStage, type VideoRow } from './videos';

/** Loads a video the actor may watch, or throws 404 (existence is not revealed to others). Drafts are the admin's. */
export async function watchableVideo(db: Db, actor: Actor, videoId: string): Promise<VideoRow> {
  if (!uuidSchema.safeParse(videoId).success) throw new NotFoundError('That video');
  const [video] = await db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, videoId));
  if (!video) throw new NotFoundError('That video');
  if (actor.isAdmin) return video;
  if (video.archivedAt || !video.publishedAt) throw new NotFoundError('That video');
  const cohortIds = (await visibleCohorts(db, actor)).map((c) => c.id);
  if (!cohortIds.length) throw new NotFoundError('That video');
  const stages = await db
    .select({ cohortId: cohortStages.cohortId, config: cohortStages.config })
    .from(cohortStages)
    .where(and(inArray(cohortStages.cohortId, cohortIds), eq(cohortStages.moduleKey, 'preload-video')));
  const byCohort = await videosByCohort(db, cohortIds);
  if (!stages.some((s) => videosForStage(byCohort.get(s.cohortId) ?? [], s).some((v) => v.id === videoId))) throw new NotFoundError('That video');
  return video;
}
