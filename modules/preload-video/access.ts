/** Who may watch a video: admins, and people in a cohort whose pre-load stage uses it. */
import { and, eq, inArray } from 'drizzle-orm';
import { cohortStages, id as uuidSchema, NotFoundError, visibleCohorts, type Actor, type Db } from '../../server/modules/kit';
import { preloadVideoVideos } from './schema';
import { libraryVideos, videosForStage, type VideoRow } from './videos';

/** Loads a video the actor may watch, or throws 404 (existence is not revealed to others). */
export async function watchableVideo(db: Db, actor: Actor, videoId: string): Promise<VideoRow> {
  if (!uuidSchema.safeParse(videoId).success) throw new NotFoundError('That video');
  const [video] = await db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, videoId));
  if (!video) throw new NotFoundError('That video');
  if (actor.isAdmin) return video;
  if (video.archivedAt) throw new NotFoundError('That video');
  const cohortIds = (await visibleCohorts(db, actor)).map((c) => c.id);
  if (!cohortIds.length) throw new NotFoundError('That video');
  const stages = await db
    .select({ config: cohortStages.config })
    .from(cohortStages)
    .where(and(inArray(cohortStages.cohortId, cohortIds), eq(cohortStages.moduleKey, 'preload-video')));
  const library = await libraryVideos(db);
  if (!stages.some((s) => videosForStage(library, s).some((v) => v.id === videoId))) throw new NotFoundError('That video');
  return video;
}
