/** Video upload: streamed into storage (never memory); the first bytes decide whether anything is stored at all. */
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { concurrentUploads, readAll, streamingEngine, UploadError, type FileStorage, type StoredUpload } from '../../server/modules/kit';
import { probeDurationWith, videoTypeOf } from './media';

/** The storage key of a stored video by its `files.storage_key` (keys are random hex, never the client's name). */
export function videoKey(storageKey: string): string {
  if (!/^[a-f0-9]{32}\.(mp4|webm)$/.test(storageKey)) throw new Error('bad storage key');
  return `videos/${storageKey}`;
}

type VideoInfo = { mime: string };

/** A multer middleware for one `file` field, streamed into storage, checked from its first bytes, capped at `maxBytes`. */
export function videoUpload(storage: FileStorage, maxBytes: number): RequestHandler {
  const tooLarge = () => new UploadError(`That video is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB limit.`, 413);
  const upload = multer({
    storage: streamingEngine<VideoInfo>({
      storage,
      prefix: 'videos',
      maxBytes,
      tooLarge,
      key: (info, random) => videoKey(`${random.slice(0, 32)}.${info.mime === 'video/mp4' ? 'mp4' : 'webm'}`),
      async check(head) {
        const mime = await videoTypeOf(head);
        if (!mime) throw new UploadError('That file is not an MP4 or WebM video. Export it as MP4 (H.264) or WebM and try again.', 415);
        return { info: { mime } };
      },
    }),
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 8 * 1024 },
  }).single('file');
  const slots = concurrentUploads(1);
  return (req: Request, res: Response, next) => {
    slots(req, res, (slotErr?: unknown) => {
      if (slotErr) return next(slotErr);
      upload(req, res, (err: unknown) => {
        if (!err) return next();
        if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') return next(tooLarge());
        if (err instanceof multer.MulterError) return next(new UploadError(`The upload could not be read (${err.message}).`));
        next(err);
      });
    });
  };
}

/** What an accepted upload turned out to be. */
export type AcceptedVideo = { storageKey: string; mimeType: string; sizeBytes: number; sha256: string; durationSeconds: number | null };

/** The stored upload, with its duration read from the file's own header (by ranged reads from storage). */
export async function acceptVideo(file: Express.Multer.File | undefined, storage: FileStorage): Promise<AcceptedVideo> {
  if (!file) throw new UploadError('Choose a video file to upload.');
  const stored = file as StoredUpload<VideoInfo>;
  const { mime } = stored.checked;
  const read = async (position: number, length: number) => readAll(await storage.get(stored.storageKey, { start: position, end: position + length - 1 }));
  return {
    storageKey: path.posix.basename(stored.storageKey),
    mimeType: mime,
    sizeBytes: stored.size,
    sha256: stored.sha256,
    durationSeconds: await probeDurationWith(read, mime, stored.size),
  };
}

/** Removes a stored video, ignoring one that is already gone. */
export async function removeStored(storage: FileStorage, storageKey: string): Promise<void> {
  await storage.delete(videoKey(storageKey));
}
