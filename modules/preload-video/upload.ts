/** Video upload: multer streams the file to disk (never memory), then the magic bytes decide whether it stays. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { UploadError } from '../../server/modules/kit';
import { detectVideoType, probeDuration } from './media';

/** Where uploaded videos are stored, under the upload folder. */
export function videoDir(uploadDir: string): string {
  return path.join(uploadDir, 'videos');
}

/** The path of a stored video by its storage key (keys are random hex, never the client's name). */
export function videoPath(uploadDir: string, storageKey: string): string {
  if (!/^[a-f0-9]{32}\.(mp4|webm)$/.test(storageKey)) throw new Error('bad storage key');
  return path.join(videoDir(uploadDir), storageKey);
}

/** A multer middleware for one `file` field, streamed to disk, capped at `maxBytes`. */
export function videoUpload(uploadDir: string, maxBytes: number): RequestHandler {
  const dir = videoDir(uploadDir);
  const upload = multer({
    storage: multer.diskStorage({
      destination: (_req, _file, cb) => {
        mkdirSync(dir, { recursive: true });
        cb(null, dir);
      },
      filename: (_req, _file, cb) => cb(null, `${randomBytes(16).toString('hex')}.upload`),
    }),
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 8 * 1024 },
  }).single('file');
  return (req: Request, res: Response, next) => {
    upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') {
        return next(new UploadError(`That video is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB limit.`, 413));
      }
      if (err instanceof multer.MulterError) return next(new UploadError(`The upload could not be read (${err.message}).`));
      next(err);
    });
  };
}

/** What an accepted upload turned out to be. */
export type AcceptedVideo = { storageKey: string; mimeType: string; sizeBytes: number; sha256: string; durationSeconds: number | null };

/** Checks the uploaded file's magic bytes (deleting it when it is not mp4/webm), renames it, hashes it. */
export async function acceptVideo(file: Express.Multer.File | undefined, uploadDir: string): Promise<AcceptedVideo> {
  if (!file) throw new UploadError('Choose a video file to upload.');
  const mime = await detectVideoType(file.path);
  if (!mime) {
    await unlink(file.path).catch(() => undefined);
    throw new UploadError('That file is not an MP4 or WebM video. Export it as MP4 (H.264) or WebM and try again.', 415);
  }
  const storageKey = `${path.basename(file.path, '.upload')}.${mime === 'video/mp4' ? 'mp4' : 'webm'}`;
  const final = videoPath(uploadDir, storageKey);
  await rename(file.path, final);
  const { size } = await stat(final);
  const sha256 = await new Promise<string>((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(final)
      .on('data', (chunk) => h.update(chunk))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
  return { storageKey, mimeType: mime, sizeBytes: size, sha256, durationSeconds: await probeDuration(final, mime, size) };
}

/** Removes a stored file, ignoring one that is already gone. */
export async function removeStored(uploadDir: string, storageKey: string): Promise<void> {
  await unlink(videoPath(uploadDir, storageKey)).catch(() => undefined);
}
