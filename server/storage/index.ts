/**
 * File storage behind one small interface, so uploads never sit in memory and the S3 backend (`./s3.ts`) can replace the
 * local disk: put a stream (capped, hashed as it passes), get a stream (with a byte range), stat, delete. Keys are
 * chosen by Cadre (random), never by the client.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CadreError } from '../errors';

/** A stream was longer than `maxBytes`; nothing is left stored. */
export class StoredTooLargeError extends Error {
  constructor(public readonly maxBytes: number) {
    super(`CADRE_ERR_STORAGE_TOO_LARGE: more than ${maxBytes} bytes`);
    this.name = 'StoredTooLargeError';
  }
}

/** What `put` learnt about the bytes it stored. */
export type PutResult = { size: number; sha256: string };

/** Where files live. Every method takes a key such as `evidence/<random hex>`. */
export interface FileStorage {
  /** `local` (UPLOAD_DIR) or `s3` (a bucket), as /readyz reports it. */
  readonly kind: 'local' | 's3';
  /** Resolves when files can be stored and read now; otherwise throws CADRE_ERR_STORAGE_UNREACHABLE with a sentence naming the setting to fix. */
  check(): Promise<void>;
  /** Streams `body` into `key` (never overwriting); past `maxBytes` it stops, removes what was written and throws StoredTooLargeError. */
  put(key: string, body: Readable, options?: { maxBytes?: number }): Promise<PutResult>;
  /** A stream of the stored bytes, or of the inclusive range `start`–`end`. */
  get(key: string, range?: { start: number; end?: number }): Promise<Readable>;
  /** The stored size, or null when there is no such file. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes the file; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Lets go of connections (S3); the app calls it when it closes. */
  close?(): void;
}

/** Counts and hashes the bytes passing through, failing once there are more than `maxBytes`. */
export function meter(maxBytes: number): Transform & { result(): PutResult } {
  const hash = createHash('sha256');
  let size = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new StoredTooLargeError(maxBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  }) as Transform & { result(): PutResult };
  t.result = () => ({ size, sha256: hash.digest('hex') });
  return t;
}

/** Files on the local disk under `root` (UPLOAD_DIR). */
export class LocalDiskStorage implements FileStorage {
  readonly kind = 'local' as const;
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The absolute path of a key; refuses any key that would resolve outside the root. */
  pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new CadreError('CADRE_ERR_STORAGE_KEY', key);
    return full;
  }

  async check(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw new CadreError('CADRE_ERR_STORAGE_UNREACHABLE', `UPLOAD_DIR ${this.root} cannot be written (${(err as Error).message})`);
    }
  }

  async put(key: string, body: Readable, options: { maxBytes?: number } = {}): Promise<PutResult> {
    const full = this.pathOf(key);
    await mkdir(path.dirname(full), { recursive: true });
    const counted = meter(options.maxBytes ?? Number.MAX_SAFE_INTEGER);
    try {
      await pipeline(body, counted, createWriteStream(full, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      await unlink(full).catch(() => undefined);
      throw err;
    }
    return counted.result();
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    return createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const info = await stat(this.pathOf(key)).catch(() => null);
    return info ? { size: info.size } : null;
  }

  async delete(key: string): Promise<void> {
    await unlink(this.pathOf(key)).catch(() => undefined);
  }
}

/** Reads a whole (small) stream, such as a ranged `get`, into memory. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
