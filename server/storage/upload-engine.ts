/**
 * A multer storage engine that streams each file into FileStorage: the first bytes are read and checked before
 * anything is stored (a refused file is never written), the rest streams to storage with a size cap (an oversize
 * file is removed), and nothing is buffered whole. Plus a cap on concurrent uploads per person.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Request, RequestHandler } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import { RateLimitedError, UploadError } from '../errors';
import { StoredTooLargeError, type FileStorage } from './index';

/** How many bytes are read before a file is checked (file-type needs about 4 KB). */
export const HEAD_BYTES = 4100;

/** What a check learns from a file's first bytes; `finish` runs once it is stored (e.g. to read a ZIP's directory). */
export type HeadVerdict<T> = { info: T; finish?: (storage: FileStorage, key: string, size: number) => Promise<void> };

/** The file as multer describes it, with what the engine stored. */
export type StoredUpload<T> = Express.Multer.File & { storageKey: string; sha256: string; checked: T };

/** Reads up to `n` bytes from the start of `stream` without losing the rest. */
function readHead(stream: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = () => {
      stream.off('data', onData);
      stream.off('end', done);
      stream.off('error', reject);
      stream.pause();
      resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= n) done();
    };
    stream.on('data', onData);
    stream.once('end', done);
    stream.once('error', reject);
  });
}

async function* rejoin(head: Buffer, rest: Readable): AsyncGenerator<Buffer> {
  if (head.length) yield head;
  for await (const chunk of rest) yield chunk as Buffer;
}

/** The engine: `check` sees the first bytes and the client's name and type, and throws an UploadError to refuse. */
export function streamingEngine<T>(options: {
  storage: FileStorage;
  prefix: string;
  maxBytes: number;
  /** The refusal of a file past `maxBytes`, given the file's name as the client sent it (unknown: undefined). */
  tooLarge: (name: string | undefined) => UploadError;
  check: (head: Buffer, file: Express.Multer.File) => Promise<HeadVerdict<T>>;
  /** The storage key for a checked file (default: `<prefix>/<48 random hex>`). */
  key?: (info: T, random: string) => string;
}): StorageEngine {
  const { storage } = options;
  return {
    _handleFile(_req, file, cb) {
      void (async () => {
        const head = await readHead(file.stream, HEAD_BYTES);
        let verdict: HeadVerdict<T>;
        try {
          verdict = await options.check(head, file);
        } catch (err) {
          file.stream.resume(); // drain the refused file; nothing was stored
          throw err;
        }
        const random = randomBytes(24).toString('hex');
        const key = options.key ? options.key(verdict.info, random) : `${options.prefix}/${random}`;
        const { size, sha256 } = await storage.put(key, Readable.from(rejoin(head, file.stream)), { maxBytes: options.maxBytes }).catch((err: unknown) => {
          throw err instanceof StoredTooLargeError ? options.tooLarge(file.originalname) : err;
        });
        try {
          await verdict.finish?.(storage, key, size);
        } catch (err) {
          await storage.delete(key);
          throw err;
        }
        return { storageKey: key, size, sha256, checked: verdict.info };
      })().then(
        (info) => cb(null, info as Partial<Express.Multer.File>),
        (err: unknown) => cb(err),
      );
    },
    _removeFile(_req, file, cb) {
      const key = (file as Partial<StoredUpload<T>>).storageKey;
      if (!key) return cb(null);
      storage.delete(key).then(() => cb(null), cb);
    },
  };
}

/** The client's name of the file a multer error is about (multer 2 sets `filename`; its types do not declare it). */
export function multerFileName(err: MulterError): string | undefined {
  const name = (err as MulterError & { filename?: unknown }).filename;
  return typeof name === 'string' && name ? name : undefined;
}

/** Caps how many uploads one person may have running at once (per node: it bounds this node's open streams). */
export function concurrentUploads(limit: number): RequestHandler {
  const running = new Map<string, number>();
  return (req: Request, res, next) => {
    const who = req.user?.id ?? `ip:${req.ip ?? 'unknown'}`;
    const now = running.get(who) ?? 0;
    if (now >= limit) {
      return next(new RateLimitedError(`You already have ${limit} uploads in progress. Wait for them to finish, then send this one again — nothing was saved.`, 5));
    }
    running.set(who, now + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (running.get(who) ?? 1) - 1;
      if (left <= 0) running.delete(who);
      else running.set(who, left);
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}

/**
 * One file in one multipart field, streamed into storage by `streamingEngine` behind a one-upload-per-person slot;
 * multer's own refusals become UploadErrors naming `field` (an oversize file answers with `tooLarge`).
 */
export function singleFileUpload<T>(options: {
  storage: FileStorage;
  field: string;
  prefix: string;
  maxBytes: number;
  tooLarge: (name: string | undefined) => UploadError;
  check: (head: Buffer, file: Express.Multer.File) => Promise<HeadVerdict<T>>;
  key?: (info: T, random: string) => string;
  /** How many text fields may come with the file, and how long each may be (default 5 of 1 KB). */
  fields?: { count: number; size: number };
}): RequestHandler {
  const { field, maxBytes, tooLarge } = options;
  const upload = multer({
    storage: streamingEngine<T>(options),
    limits: { fileSize: maxBytes, files: 1, fields: options.fields?.count ?? 5, fieldSize: options.fields?.size ?? 1024 },
  }).single(field);
  const slots = concurrentUploads(1);
  return (req, res, next) =>
    slots(req, res, (slotErr?: unknown) => {
      if (slotErr) return next(slotErr);
      upload(req, res, (err: unknown) => {
        if (!err) return next();
        if (err instanceof MulterError && err.code === 'LIMIT_FILE_SIZE') return next(tooLarge(multerFileName(err)));
        if (err instanceof MulterError) return next(new UploadError(`The upload could not be read (${err.message}).`, 400, field));
        next(err);
      });
    });
}
