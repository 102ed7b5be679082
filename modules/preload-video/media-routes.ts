/** Video and captions streaming, authorised as watching is (admins, and people whose cohort's pre-load stage uses it). */
import { eq } from 'drizzle-orm';
import { actorOf, files, NotFoundError, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { watchableVideo } from './access';
import { captionsKey } from './caption-routes';
import { parseRange } from './media';
import { videoKey } from './upload';

/** Mounts GET /videos/:videoId/stream and /videos/:videoId/captions. */
export function mediaRoutes(r: CadreRouter, ctx: StageRuntime): void {
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

  // The player's <track>: same origin, same authorisation as the video itself.
  r.get('/videos/:videoId/captions', async (req, res) => {
    const video = await watchableVideo(ctx.db, actorOf(req), String(req.params.videoId));
    if (!video.captionsFileId) throw new NotFoundError('Captions for that video');
    const [file] = await ctx.db.select().from(files).where(eq(files.id, video.captionsFileId));
    if (!file) throw new NotFoundError('Captions for that video');
    res.setHeader('Content-Type', 'text/vtt; charset=utf-8');
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.setHeader('Content-Length', String(file.sizeBytes));
    const stream = await ctx.storage.get(captionsKey(file.storageKey));
    stream.on('error', (err) => {
      req.log.warn({ err }, 'captions stream failed');
      res.destroy(err);
    });
    stream.pipe(res);
  });
}
