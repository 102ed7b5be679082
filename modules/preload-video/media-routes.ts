/** Video and captions streaming, authorised as watching is (admins, and people whose cohort's pre-load stage uses it). */
import { eq } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { files, NotFoundError, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { watchedVideo, watchGrant } from './access';
import { captionsKey } from './caption-routes';
import { parseRange } from './media';
import { videoKey } from './upload';

/** Pipes a stored object into the answer; a storage failure mid-stream ends the connection (and is logged). */
async function pipeStored(ctx: StageRuntime, req: Request, res: Response, key: string, what: string, range?: { start: number; end: number }) {
  const stream = await ctx.storage.get(key, range);
  stream.on('error', (err) => {
    req.log.warn({ err }, `${what} stream failed`);
    res.destroy(err);
  });
  stream.pipe(res);
}

/** Mounts GET /videos/:videoId/stream and /videos/:videoId/captions. */
export function mediaRoutes(r: CadreRouter, ctx: StageRuntime): void {
  const watch = watchGrant(ctx.db);

  // Streaming with HTTP Range, so seeking works in every browser (Safari insists on 206 answers).
  r.get('/videos/:videoId/stream', { summary: 'Stream a pre-load video (HTTP Range)', produces: 'video/mp4', authorize: watch }, async ({ subject }, req, res) => {
    const [file] = await ctx.db.select().from(files).where(eq(files.id, watchedVideo(subject).fileId));
    if (!file) throw new NotFoundError('That video');
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
    await pipeStored(ctx, req, res, videoKey(file.storageKey), 'video', { start, end });
  });

  // The player's <track>: same origin, same authorisation as the video itself.
  r.get('/videos/:videoId/captions', { summary: "A pre-load video's captions (WebVTT)", produces: 'text/vtt', authorize: watch }, async ({ subject }, req, res) => {
    const video = watchedVideo(subject);
    if (!video.captionsFileId) throw new NotFoundError('Captions for that video');
    const [file] = await ctx.db.select().from(files).where(eq(files.id, video.captionsFileId));
    if (!file) throw new NotFoundError('Captions for that video');
    res.setHeader('Content-Type', 'text/vtt; charset=utf-8');
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.setHeader('Content-Length', String(file.sizeBytes));
    await pipeStored(ctx, req, res, captionsKey(file.storageKey), 'captions');
  });
}
