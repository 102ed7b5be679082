/**
 * FileStorage on an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage, a cloud's object store). Uploads stream
 * through a size cap and a SHA-256 into a multipart upload (a few parts in memory at a time, never the whole file);
 * a refused or failed upload is aborted and its object deleted, so nothing is left behind. Reads are streamed from
 * the bucket, with byte ranges for video seeking. The bucket stays private: files reach people only through Cadre's
 * authorised routes.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable, pipeline } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { StorageConfig } from '../config';
import { CadreError, StorageUnavailableError } from '../errors';
import { meter, type FileStorage, type PutResult } from './index';

/** The S3 settings from configuration. */
export type S3Settings = Extract<StorageConfig, { kind: 's3' }>;

/** Bytes per multipart part (S3's minimum is 5 MiB; 10,000 parts of 8 MiB allow 80 GB). */
export const PART_BYTES = 8 * 1024 ** 2;
/** Parts uploaded at once by one upload: memory per upload is about (this + 1) × PART_BYTES. */
const PARTS_IN_FLIGHT = 2;

/** The HTTP status of an S3 answer, or undefined for a network failure. */
function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** True when the bucket gave no answer (a refused or dropped connection, no answer in time) or failed itself (5xx). */
function unreachable(err: unknown): boolean {
  const status = statusOf(err);
  return status === undefined || status >= 500;
}

/** How long a read, stat or delete waits for the bucket's answer (its headers: a video's body then flows at its own pace). */
export const ANSWER_MS = 10_000;

/** Files in one bucket; keys are Cadre's (`evidence/<random hex>`, `videos/<random hex>.webm`). */
export class S3Storage implements FileStorage {
  readonly kind = 's3' as const;
  /** The SDK client (the migration script and tests use it for listing). */
  readonly client: S3Client;
  readonly bucket: string;

  private readonly answerMs: number;

  constructor(
    private readonly settings: S3Settings,
    options: { answerMs?: number } = {},
  ) {
    this.bucket = settings.bucket;
    this.answerMs = options.answerMs ?? ANSWER_MS;
    // Video viewers hold a stream each: allow more than the SDK's 50 sockets, and fail fast when S3 is unreachable.
    const agent = { keepAlive: true, maxSockets: 256 };
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // Many S3-compatible stores reject the SDK's newer default CRC32 checksums; Cadre checks SHA-256 itself.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5_000, httpAgent: new http.Agent(agent), httpsAgent: new https.Agent(agent) },
    });
  }

  /**
   * Runs one request that must be answered within `answerMs` (a bucket that accepts connections but never answers
   * would otherwise hold the person's request, and a page waiting on its logo, for ever). No answer, or a failure of
   * the store itself, becomes StorageUnavailableError: a 503 that says so in words, the cause in the log.
   */
  private async answered<T>(call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const limit = new AbortController();
    // A string reason becomes the SDK's error message, which the log then shows.
    const timer = setTimeout(() => limit.abort(`${this.where()} gave no answer within ${this.answerMs} ms`), this.answerMs);
    try {
      return await call(limit.signal);
    } catch (err) {
      throw unreachable(err) ? new StorageUnavailableError(err) : err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Where this storage points, for messages (never the credentials). */
  private where(): string {
    return `S3_BUCKET ${this.bucket}${this.settings.endpoint ? ` at S3_ENDPOINT ${this.settings.endpoint}` : ` in S3_REGION ${this.settings.region}`}`;
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(5_000) });
    } catch (err) {
      const status = statusOf(err);
      const why =
        status === 404
          ? 'the bucket does not exist: create it, or correct S3_BUCKET'
          : status === 403
            ? 'access was refused: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the role) and the bucket policy'
            : status === 301 || status === 400
              ? `the bucket answered ${status}: check S3_REGION and S3_FORCE_PATH_STYLE`
              : status
                ? `the bucket answered ${status}`
                : `it cannot be reached (${(err as Error).message || (err as Error).name}): check S3_ENDPOINT and the network`;
      throw new CadreError('CADRE_ERR_STORAGE_UNREACHABLE', `${this.where()}: ${why}`);
    }
  }

  async put(key: string, body: Readable, options: { maxBytes?: number } = {}): Promise<PutResult> {
    const counted = meter(options.maxBytes ?? Number.MAX_SAFE_INTEGER);
    // The callback form destroys both sides on an error (a client that hangs up, a file over the cap). That error is
    // the one to report, whatever the library says while it aborts.
    let cause: Error | undefined;
    pipeline(body, counted, (err) => (cause ??= err ?? undefined));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: counted },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false, // a failed multipart upload is aborted: no orphaned parts are billed or kept
    });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      // The multipart upload was aborted by the library; the object exists only if the failure came after it was
      // complete (an error on the last part's answer, say) — delete it so a refused file never stays stored.
      await this.delete(key).catch(() => undefined);
      throw cause ?? (unreachable(err) ? new StorageUnavailableError(err) : err);
    }
    return counted.result();
  }

  async get(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    const res = await this.answered((abortSignal) =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined }), { abortSignal }),
    );
    if (!(res.Body instanceof Readable)) throw new Error(`S3 gave no stream for ${key}`);
    return res.Body;
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const head = await this.answered((abortSignal) => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (statusOf(err) === 404 || (err instanceof S3ServiceException && err.name === 'NotFound')) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.answered((abortSignal) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }));
  }

  /** Closes the client's kept-alive connections. */
  close(): void {
    this.client.destroy();
  }
}
