/** Video upload: streamed into storage (never memory); the first bytes decide whether anything is stored at all. */
import path from 'node:path';
import type { RequestHandler } from 'express';
import { readAll, singleFileUpload, UploadError, type FileStorage, type StoredUpload } from '../../server/modules/kit';
import { probeDurationWith, videoTypeOf } from './media';

/** The storage key of a stored video by its `files.storage_key` (keys are random hex, never the client's name). */
export function videoKey(storageKey: string): string {
  if (!/^[a-f0-9]{32}\.(mp4|webm)$/.test(storageKey)) throw new Error('bad storage key');
  return `videos/${storageKey}`;
}

type VideoInfo = { mime: string };

/** A multer middleware for one `file` field, streamed into storage, checked from its first bytes, capped at `maxBytes`. */
export function videoUpload(storage: FileStorage, maxBytes: number): RequestHandler {
  return singleFileUpload<VideoInfo>({
    storage,
    field: 'file',
    prefix: 'videos',
    maxBytes,
    tooLarge: () => new UploadError(`That video is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB limit.`, 413),
    key: (info, random) => videoKey(`${random.slice(0, 32)}.${info.mime === 'video/mp4' ? 'mp4' : 'webm'}`),
    async check(head) {
      const mime = await videoTypeOf(head);
      if (!mime) throw new UploadError('That file is not an MP4 or WebM video. Export it as MP4 (H.264) or WebM and try again.', 415);
      return { info: { mime } };
    },
    fields: { count: 10, size: 8 * 1024 },
  });
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
