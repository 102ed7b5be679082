/** Captions upload (admin): a WebVTT file per video, streamed into storage like the video and checked before it counts. */
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { RequestHandler } from 'express';
import { audit, files, onProvider, readAll, seeOther, singleFileUpload, UploadError, type CadreRouter, type FileStorage, type StageRuntime, type StoredUpload } from '../../server/modules/kit';
import { preloadVideoVideos } from './schema';
import type { VideoRow } from './videos';
import { looksLikeVtt, MAX_VTT_BYTES, parseVtt, transcriptOf } from './vtt';

/** The storage key of a stored captions file by its `files.storage_key`. */
export function captionsKey(storageKey: string): string {
  if (!/^[a-f0-9]{32}\.vtt$/.test(storageKey)) throw new Error('bad storage key');
  return `captions/${storageKey}`;
}

const tooLarge = () => new UploadError(`That captions file is larger than ${MAX_VTT_BYTES / 1024} KB.`, 413, 'captions');

function captionsUpload(storage: FileStorage): RequestHandler {
  return singleFileUpload<true>({
    storage,
    field: 'captions',
    prefix: 'captions',
    maxBytes: MAX_VTT_BYTES,
    tooLarge,
    key: (_info, random) => captionsKey(`${random.slice(0, 32)}.vtt`),
    async check(head) {
      if (!looksLikeVtt(head)) throw new UploadError('That file is not WebVTT captions: a captions file starts with the word WEBVTT. Export the captions as .vtt and try again.', 415, 'captions');
      return { info: true };
    },
  });
}

/** Reads a stored captions file back and returns its transcript text; throws an UploadError naming `captions`. */
async function readCaptions(storage: FileStorage, key: string): Promise<string> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readAll(await storage.get(key)));
  } catch {
    throw new UploadError('That captions file is not UTF-8 text. Save it as UTF-8 and try again.', 400, 'captions');
  }
  let transcript: string;
  try {
    transcript = transcriptOf(parseVtt(text));
  } catch (err) {
    throw new UploadError(`That captions file has a problem: ${(err as Error).message}`, 400, 'captions');
  }
  if (!transcript) throw new UploadError('That captions file has no captions in it.', 400, 'captions');
  return transcript;
}

/** Mounts POST /videos/:videoId/captions. */
export function captionRoutes(r: CadreRouter, ctx: StageRuntime, h: { loadVideo: (id: string) => Promise<VideoRow>; adminUrl: (programmeId: string, saved?: string) => string }): void {
  r.form('/videos/:videoId/captions', { summary: 'Upload WebVTT captions for a pre-load video (admin)', upload: captionsUpload(ctx.storage), authorize: onProvider('provider:manage') }, async ({ actor }, req) => {
    const stored = req.file as StoredUpload<true> | undefined;
    try {
      if (!stored) throw new UploadError('Choose a captions file (.vtt) to upload.', 400, 'captions');
      const video = await h.loadVideo(String(req.params.videoId));
      const captionsText = await readCaptions(ctx.storage, stored.storageKey);
      await ctx.db.transaction(async (tx) => {
        const [file] = await tx
          .insert(files)
          .values({ ownerId: actor.id, storageKey: path.posix.basename(stored.storageKey), displayName: (stored.originalname || 'captions.vtt').slice(0, 255), mimeType: 'text/vtt', sizeBytes: stored.size, sha256: stored.sha256, purpose: 'captions' })
          .returning();
        await tx.update(preloadVideoVideos).set({ captionsFileId: file.id, captionsText }).where(eq(preloadVideoVideos.id, video.id));
        await audit(tx, { actorId: actor.id, action: 'preload-video.captions_uploaded', subjectType: 'preload_video', subjectId: video.id, after: { sizeBytes: stored.size, replaced: !!video.captionsFileId } });
      });
      return seeOther(h.adminUrl(video.programmeTemplateId, '1'));
    } catch (err) {
      if (stored?.storageKey) await ctx.storage.delete(stored.storageKey);
      throw err;
    }
  });
}
