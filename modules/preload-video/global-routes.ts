/** Routes outside a cohort: each programme's videos and knowledge check (upload, edit, publish, archive, questions,
 * captions) for admins, and video and caption streaming for the people who may watch. */
import { asc, eq } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { afterCommit, audit, files, formOf, id, NotFoundError, onProvider, parse, plain, programmeTemplates, reply, seeOther, text, ValidationError, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { affectedBy, affectedCount, applyChoice, applyChoiceTo, type AffectedGroup, type ContentChange } from './content-change';
import { captionRoutes } from './caption-routes';
import { mediaRoutes } from './media-routes';
import { listQuestions, questionRoutes } from './questions';
import { preloadVideoVideos } from './schema';
import { acceptVideo, videoUpload } from './upload';
import { nextPosition, programmeVideos, type VideoRow } from './videos';

const optionalNumber = (min: number, max: number) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? undefined : Number(v)), z.number({ message: `must be a number from ${min} to ${max}` }).min(min).max(max).optional());

const videoFields = z.object({
  title: text(200),
  description: z.string().trim().max(2000).optional(),
  threshold: optionalNumber(1, 100),
  position: optionalNumber(1, 1000),
  durationSeconds: optionalNumber(1, 86_400),
  transcript: z.string().max(100_000).optional(),
  apply: applyChoice.optional(),
});

const uploadFields = videoFields.extend({ programmeId: id });

/** The library page's address: which programme, and what was just saved. */
const adminQuery = z.object({ programme: z.string().max(80).optional(), saved: z.string().max(40).optional() });

/** The review page's answer: whom a new video applies to (asked again, with the error, when missing). */
const publishForm = formOf(z.object({ apply: z.string().max(40).optional() }));

const wantsJson = (req: Request) => !!req.accepts(['html', 'json']) && req.accepts(['html', 'json']) === 'json';
const adminUrl = (programmeId: string, saved?: string) => `/stages/preload-video/admin?programme=${programmeId}${saved ? `&saved=${saved}` : ''}`;
const minutes = (s: number | null) => (s ? `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}` : 'unknown — set it below');

/** Mounts the programme content and media routes under /stages/preload-video. */
export function globalRoutes(r: CadreRouter, ctx: StageRuntime): void {
  const programmes = () => ctx.db.select({ id: programmeTemplates.id, name: programmeTemplates.name }).from(programmeTemplates).orderBy(asc(programmeTemplates.name));
  const programmeNamed = async (programmeId: string) => {
    const [p] = await ctx.db.select({ id: programmeTemplates.id, name: programmeTemplates.name }).from(programmeTemplates).where(eq(programmeTemplates.id, programmeId));
    if (!p) throw new ValidationError('Choose one of the programmes.', [{ field: 'programmeId', message: 'choose one of the programmes' }]);
    return p;
  };
  const loadVideo = async (videoId: string): Promise<VideoRow> => {
    const [v] = await ctx.db.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, videoId));
    if (!v) throw new NotFoundError('That video');
    return v;
  };

  /** The library page (the route authorised the admin). */
  const renderAdmin = async (res: Response, query: z.output<typeof adminQuery>) => {
    const all = await programmes();
    const programme = all.find((p) => p.id === query.programme) ?? all[0];
    const videos = programme ? await programmeVideos(ctx.db, programme.id) : [];
    const questions = programme ? await listQuestions(ctx.db, programme.id) : [];
    const { saved } = query;
    res.render(ctx.view('admin'), {
      title: programme ? `Pre-load videos — ${programme.name}` : 'Pre-load videos',
      programme,
      programmes: all.map((p) => ({ ...p, current: p.id === programme?.id })),
      videos: videos.map((v) => ({ ...v, minutes: minutes(v.durationSeconds), draft: !v.publishedAt, hasCaptions: !!v.captionsFileId })),
      questions: questions.map((q) => ({ ...q, correct: q.options[q.correctIndex] })),
      maxMb: Math.round(ctx.config.videoMaxBytes / 1024 / 1024),
      saved: saved === '1' ? 'Saved.' : saved === 'kept' ? 'Saved. Candidates who had finished keep their completion.' : saved === 'told' ? 'Saved. The candidates who had finished have been told there is something new to do.' : null,
    });
  };

  /** The page asking whom a change applies to, listing the people it would affect. */
  const renderReview = (res: Response, o: { programmeId: string; heading: string; action: string; groups: AffectedGroup[]; fields: Record<string, unknown>; error?: unknown; status?: number }) =>
    res.status(o.error ? 400 : (o.status ?? 409)).render(ctx.view('review'), {
      title: o.heading,
      heading: o.heading,
      action: o.action,
      backUrl: adminUrl(o.programmeId),
      groups: o.groups,
      count: affectedCount(o.groups),
      hidden: Object.entries(o.fields)
        .filter(([k, v]) => v !== undefined && v !== null && k !== 'apply' && k !== '_csrf')
        .map(([name, value]) => ({ name, value: String(value) })),
      error: o.error,
    });

  const admin = onProvider('provider:manage');

  r.get('/admin', { summary: "Each programme's pre-load videos and knowledge check (admin)", query: adminQuery, authorize: admin }, ({ query }, _req, res) => renderAdmin(res, query));

  // The upload form posts its CSRF token in a hidden field (never in the address): the router checks it once the
  // multipart body is parsed, after authorisation. A video joins its programme as a draft; it is published at once
  // when no candidate who finished the stage would be affected, otherwise the admin is asked whom it applies to.
  r.form('/videos', { summary: 'Upload a pre-load video to a programme (admin)', upload: videoUpload(ctx.storage, ctx.config.videoMaxBytes), authorize: admin }, async ({ actor }, req) => {
    let fields: z.output<typeof uploadFields>;
    try {
      fields = parse(uploadFields, req.body, 'video');
      await programmeNamed(fields.programmeId);
    } catch (err) {
      const stored = req.file as { storageKey?: string } | undefined;
      if (stored?.storageKey) await ctx.storage.delete(stored.storageKey);
      throw err;
    }
    const accepted = await acceptVideo(req.file, ctx.storage);
    const video = await ctx.db.transaction(async (tx) => {
      const [file] = await tx
        .insert(files)
        .values({ ownerId: actor.id, storageKey: accepted.storageKey, displayName: (req.file?.originalname ?? 'video').slice(0, 255), mimeType: accepted.mimeType, sizeBytes: accepted.sizeBytes, sha256: accepted.sha256, purpose: 'video' })
        .returning();
      const [row] = await tx
        .insert(preloadVideoVideos)
        .values({
          programmeTemplateId: fields.programmeId,
          fileId: file.id,
          title: fields.title,
          description: fields.description || null,
          threshold: fields.threshold ?? 90,
          position: fields.position ?? (await nextPosition(tx, fields.programmeId)),
          durationSeconds: fields.durationSeconds ?? accepted.durationSeconds,
          transcript: fields.transcript?.trim() || null,
        })
        .returning();
      await audit(tx, { actorId: actor.id, action: 'preload-video.uploaded', subjectType: 'preload_video', subjectId: row.id, after: { programmeId: fields.programmeId, title: row.title, sizeBytes: accepted.sizeBytes, mimeType: accepted.mimeType } });
      return row;
    });
    const groups = await affectedBy(ctx, fields.programmeId, { kind: 'video', video, isNew: true });
    if (!groups.length) await publish(video, actor.id, [], 'new-completions');
    const out = { id: video.id, title: video.title, durationSeconds: video.durationSeconds, threshold: video.threshold, position: video.position, published: !groups.length, affected: affectedCount(groups) };
    if (wantsJson(req)) return reply(plain({ video: out }), 201);
    return seeOther(groups.length ? `/stages/preload-video/videos/${video.id}/publish` : adminUrl(fields.programmeId, '1'));
  });

  /** Publishes a draft video and applies the choice for the people it affects, in one transaction. */
  async function publish(video: VideoRow, actorId: string, groups: AffectedGroup[], choice: z.output<typeof applyChoice>) {
    const change: ContentChange = { kind: 'video', video, isNew: true };
    const notes = await ctx.db.transaction(async (tx) => {
      await tx.update(preloadVideoVideos).set({ publishedAt: new Date() }).where(eq(preloadVideoVideos.id, video.id));
      const rows = await applyChoiceTo(tx, actorId, groups, change, choice);
      await audit(tx, { actorId, action: 'preload-video.published', subjectType: 'preload_video', subjectId: video.id, after: { choice, affected: groups.flatMap((g) => g.people.map((p) => p.userId)) } });
      return rows;
    });
    await afterCommit(ctx, { notifications: notes });
  }

  r.get('/videos/:videoId/publish', { summary: 'Whom a new video would affect, before it is published (admin)', authorize: admin }, async ({ params }, _req, res) => {
    const video = await loadVideo(params.videoId);
    if (video.publishedAt) return seeOther(adminUrl(video.programmeTemplateId));
    const groups = await affectedBy(ctx, video.programmeTemplateId, { kind: 'video', video, isNew: true });
    renderReview(res, { status: 200, programmeId: video.programmeTemplateId, heading: `Add “${video.title}” to the programme`, action: `/stages/preload-video/videos/${video.id}/publish`, groups, fields: {} });
  });

  r.form('/videos/:videoId/publish', { summary: 'Publish a new video, applying it to whom the admin chose (form)', body: publishForm, authorize: admin }, async ({ actor, params, body }, _req, res) => {
    const video = await loadVideo(params.videoId);
    if (video.publishedAt) return seeOther(adminUrl(video.programmeTemplateId));
    const groups = await affectedBy(ctx, video.programmeTemplateId, { kind: 'video', video, isNew: true });
    const choice = applyChoice.safeParse(body.apply);
    if (groups.length && !choice.success) {
      const error = { message: 'Choose whom the new video applies to.', fields: [{ field: 'apply', message: 'choose whether the video applies to new completions only or to everyone' }] };
      return renderReview(res, { programmeId: video.programmeTemplateId, heading: `Add “${video.title}” to the programme`, action: `/stages/preload-video/videos/${video.id}/publish`, groups, fields: {}, error });
    }
    const decided = choice.success ? choice.data : 'new-completions';
    await publish(video, actor.id, groups, decided);
    return seeOther(adminUrl(video.programmeTemplateId, !groups.length ? '1' : decided === 'everyone' ? 'told' : 'kept'));
  });

  r.form('/videos/:videoId', { summary: "Change a video's title, description, threshold, position, duration or transcript (form)", body: formOf(videoFields), authorize: admin }, async ({ actor, params, body: fields }, req, res) => {
    const { videoId } = params;
    const before = await loadVideo(videoId);
    const after = {
      title: fields.title,
      description: fields.description === undefined ? before.description : fields.description || null,
      threshold: fields.threshold ?? before.threshold,
      position: fields.position ?? before.position,
      durationSeconds: fields.durationSeconds ?? before.durationSeconds,
      transcript: fields.transcript === undefined ? before.transcript : fields.transcript.trim() || null,
    };
    const stricter = before.publishedAt && (after.threshold > before.threshold || after.durationSeconds !== before.durationSeconds);
    const change: ContentChange = { kind: 'video', video: { ...before, ...after }, isNew: false };
    const groups = stricter ? await affectedBy(ctx, before.programmeTemplateId, change) : [];
    if (groups.length && !fields.apply) {
      return renderReview(res, { programmeId: before.programmeTemplateId, heading: `Change “${before.title}”`, action: `/stages/preload-video/videos/${videoId}`, groups, fields: { ...req.body } });
    }
    const choice = fields.apply ?? 'new-completions';
    const notes = await ctx.db.transaction(async (tx) => {
      await tx.update(preloadVideoVideos).set(after).where(eq(preloadVideoVideos.id, videoId));
      const rows = await applyChoiceTo(tx, actor.id, groups, change, choice);
      await audit(tx, { actorId: actor.id, action: 'preload-video.updated', subjectType: 'preload_video', subjectId: videoId, before: { title: before.title, threshold: before.threshold, position: before.position, durationSeconds: before.durationSeconds }, after: { ...after, transcript: !!after.transcript, choice: groups.length ? choice : undefined } });
      return rows;
    });
    await afterCommit(ctx, { notifications: notes });
    return seeOther(adminUrl(before.programmeTemplateId, !groups.length ? '1' : choice === 'everyone' ? 'told' : 'kept'));
  });

  r.form('/videos/:videoId/archive', { summary: 'Archive a video: it leaves the programme, watched time is kept (form)', authorize: admin }, async ({ actor, params: { videoId } }) => {
    const programmeId = await ctx.db.transaction(async (tx) => {
      const updated = await tx.update(preloadVideoVideos).set({ archivedAt: new Date() }).where(eq(preloadVideoVideos.id, videoId)).returning();
      if (!updated.length) throw new NotFoundError('That video');
      await audit(tx, { actorId: actor.id, action: 'preload-video.archived', subjectType: 'preload_video', subjectId: videoId });
      return updated[0].programmeTemplateId;
    });
    return seeOther(adminUrl(programmeId, '1'));
  });

  questionRoutes(r, ctx, { programmes, affectedBy: (programmeId) => affectedBy(ctx, programmeId, { kind: 'quiz' }), renderReview, adminUrl });
  captionRoutes(r, ctx, { loadVideo, adminUrl });
  mediaRoutes(r, ctx);
}
