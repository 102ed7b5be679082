/** Who may watch a video: admins, and people in a cohort of the video's programme whose pre-load stage uses it. */
import { and, eq, inArray } from 'drizzle-orm';
import type { Request } from 'express';
import { cohortStages, grant, id as uuidSchema, NotFoundError, visibleCohorts, type Actor, type CohortRef, type Db, type Grant, type Subject } from '../../server/modules/kit';
import { preloadVideoVideos } from './schema';
import { videosByCohort, videosForStage, type VideoRow } from './videos';

/** A watchable video as a route's subject: the admin's (any video) or a cohort's (one its pre-load stage uses). */
export type WatchSubject = ({ type: 'provider' } | { type: 'cohort'; cohort: CohortRef }) & { video: VideoRow };

/** The `authorize` of the streaming routes: loads `:videoId` and answers the grant it is watched under — the
 * provider's for an admin, else viewing the first of the actor's cohorts whose pre-load stage uses it; 404 for
 * anyone else (existence is not revealed). Drafts and archived videos are the admin's. */
export function watchGrant(db: Db) {
  return async (req: Request, input: { params: { videoId: string } }): Promise<Grant<WatchSubject>> => {
    const actor = req.user as Actor; // the router refused anonymous callers before asking
    const videoId = input.params.videoId;
    if (!uuidSchema.safeParse(videoId).success) throw new NotFoundError('That video');
    const [video] = await db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, videoId));
    if (!video) throw new NotFoundError('That video');
    if (actor.isAdmin) return grant('provider:manage', { type: 'provider', video }, 'That video');
    if (video.archivedAt || !video.publishedAt) throw new NotFoundError('That video');
    const visible = await visibleCohorts(db, actor);
    if (!visible.length) throw new NotFoundError('That video');
    const stages = await db
      .select({ cohortId: cohortStages.cohortId, config: cohortStages.config })
      .from(cohortStages)
      .where(and(inArray(cohortStages.cohortId, visible.map((c) => c.id)), eq(cohortStages.moduleKey, 'preload-video')));
    const byCohort = await videosByCohort(db, visible.map((c) => c.id));
    const using = stages.find((s) => videosForStage(byCohort.get(s.cohortId) ?? [], s).some((v) => v.id === videoId));
    const cohort = using && visible.find((c) => c.id === using.cohortId);
    if (!cohort) throw new NotFoundError('That video');
    return grant('cohort:view', { type: 'cohort', cohort: { id: cohort.id, organisationId: cohort.organisationId }, video }, 'That video');
  };
}

/** The video a `watchGrant` route loaded (the router cannot infer a subject that is one of two kinds). */
export function watchedVideo(subject: Subject | undefined): VideoRow {
  return (subject as WatchSubject).video;
}
