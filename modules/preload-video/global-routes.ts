/** Routes outside a cohort: the admin library (upload, edit, archive, questions) and video streaming. */
import { eq } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { actorOf, audit, authorize, files, NotFoundError, onProvider, paramId, parse, plain, reply, seeOther, text, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { watchableVideo } from './access';
import { parseRange } from './media';
import { listQuestions, questionRoutes } from './questions';
import { preloadVideoVideos } from './schema';
import { acceptVideo, videoKey, videoUpload } from './upload';
import { libraryVideos, nextPosition } from './videos';

const optionalNumber = (min: number, max: number) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? undefined : Number(v)), z.number({ message: `must be a number from ${min} to ${max}` }).min(min).max(max).optional());

const videoFields = z.object({
  title: text(200),
  description: z.string().trim().max(2000).optional(),
  threshold: optionalNumber(1, 100),
  position: optionalNumber(1, 1000),
  durationSeconds: optionalNumber(1, 86_400),
});

const wantsJson = (req: Request) => !!req.accepts(['html', 'json']) && req.accepts(['html', 'json']) === 'json';

/** Mounts the library and media routes under /stages/preload-video. */
export function globalRoutes(r: CadreRouter, ctx: StageRuntime): void {
  const renderAdmin = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    authorize(actorOf(req), 'provider:manage', { type: 'provider' });
    const videos = await libraryVideos(ctx.db);
    const questions = await listQuestions(ctx.db);
    res.status(extra.error ? 400 : 200).render(ctx.view('admin'), {
      title: 'Pre-load videos',
      videos: videos.map((v) => ({ ...v, minutes: v.durationSeconds ? `${Math.floor(v.durationSeconds / 60)}:${String(Math.round(v.durationSeconds % 60)).padStart(2, '0')}` : 'unknown' })),
      questions: questions.map((q) => ({ ...q, correct: q.options[q.correctIndex] })),
      maxMb: Math.round(ctx.config.videoMaxBytes / 1024 / 1024),
      saved: req.query.saved === '1',
      ...extra,
    });
  };

  r.get('/admin', (req, res) => renderAdmin(req, res));

  // The upload form posts its CSRF token in a hidden field (never in the address): the router checks it once the
  // multipart body is parsed, after authorisation.
  r.form('/videos', { summary: 'Upload a pre-load video (admin)', upload: videoUpload(ctx.storage, ctx.config.videoMaxBytes), authorize: onProvider('provider:manage') }, async ({ actor }, req) => {
    let fields: z.output<typeof videoFields>;
    try {
      fields = parse(videoFields, req.body, 'video');
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
          fileId: file.id,
          title: fields.title,
          description: fields.description || null,
          threshold: fields.threshold ?? 90,
          position: fields.position ?? (await nextPosition(tx)),
          durationSeconds: fields.durationSeconds ?? accepted.durationSeconds,
        })
        .returning();
      await audit(tx, { actorId: actor.id, action: 'preload-video.uploaded', subjectType: 'preload_video', subjectId: row.id, after: { title: row.title, sizeBytes: accepted.sizeBytes, mimeType: accepted.mimeType } });
      return row;
    });
    if (wantsJson(req)) return reply(plain({ video: { id: video.id, title: video.title, durationSeconds: video.durationSeconds, threshold: video.threshold, position: video.position } }), 201);
    return seeOther('/stages/preload-video/admin?saved=1');
  });

  r.post('/videos/:videoId', async (req, res) => {
    const actor = actorOf(req);
    authorize(actor, 'provider:manage', { type: 'provider' });
    const videoId = paramId(req.params.videoId, 'videoId');
    const fields = parse(videoFields, req.body, 'video');
    await ctx.db.transaction(async (tx) => {
      const [before] = await tx.select().from(preloadVideoVideos).where(eq(preloadVideoVideos.id, videoId));
      if (!before) throw new NotFoundError('That video');
      const after = { title: fields.title, description: fields.description || null, threshold: fields.threshold ?? before.threshold, position: fields.position ?? before.position, durationSeconds: fields.durationSeconds ?? before.durationSeconds };
      await tx.update(preloadVideoVideos).set(after).where(eq(preloadVideoVideos.id, videoId));
      await audit(tx, { actorId: actor.id, action: 'preload-video.updated', subjectType: 'preload_video', subjectId: videoId, before: { title: before.title, threshold: before.threshold, position: before.position }, after });
    });
    res.redirect(303, '/stages/preload-video/admin?saved=1');
  });

  r.post('/videos/:videoId/archive', async (req, res) => {
    const actor = actorOf(req);
    authorize(actor, 'provider:manage', { type: 'provider' });
    const videoId = paramId(req.params.videoId, 'videoId');
    await ctx.db.transaction(async (tx) => {
      const updated = await tx.update(preloadVideoVideos).set({ archivedAt: new Date() }).where(eq(preloadVideoVideos.id, videoId)).returning();
      if (!updated.length) throw new NotFoundError('That video');
      await audit(tx, { actorId: actor.id, action: 'preload-video.archived', subjectType: 'preload_video', subjectId: videoId });
    });
    res.redirect(303, '/stages/preload-video/admin?saved=1');
  });

  questionRoutes(r, ctx);

  // Streaming with HTTP Range, so seeking works in every browser (Safari insists on 206 answers).
  r.get('/videos/:videoId/stream', async (req, res) => {
    const video = await watchableVideo(ctx.db, actorOf(req), String(req.params.videoId));
    const [file] = await ctx.db.select().from(files).where(eq(files.id, video.fileId));
    if (!file) throw new NotFoundError('That video');
    const key = videoKey(file.storageKey);
    const size = file.sizeBytes;
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', file.mimeType);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.status(416).setHeader('Content-Range', `bytes */${size}`);
      return void res.end();
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    }
    res.setHeader('Content-Length', String(end - start + 1));
    if (req.method === 'HEAD') return void res.end();
    const stream = await ctx.storage.get(key, { start, end });
    stream.on('error', (err) => {
      req.log.warn({ err }, 'video stream failed');
      res.destroy(err);
    });
    stream.pipe(res);
  });
}
