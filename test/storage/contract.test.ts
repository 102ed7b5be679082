/** The FileStorage contract, run against every implementation: the local disk, S3 on the test peer (the full
 * protocol, signatures checked) and S3 on s3rver (an independent server; it cannot abort multipart uploads, so the
 * "no parts left" checks are skipped there). Streams in, ranges out, a cap that leaves nothing behind. */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { LocalDiskStorage, readAll, StoredTooLargeError, type FileStorage } from '../../server/storage';
import { PART_BYTES, S3Storage } from '../../server/storage/s3';
import { startS3Peer } from '../support/s3-peer';

jest.setTimeout(120_000);

type Backend = { storage: FileStorage; leftovers(): Promise<string[]>; abortsUploads: boolean; stop(): Promise<void> };

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [path.relative(dir, p)];
  });
}

/** What a bucket holds, asked over the protocol: objects, and multipart uploads still open (where the server can tell). */
async function bucketLeftovers(storage: S3Storage, listUploads: boolean): Promise<string[]> {
  const objects = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket }));
  const keys = (objects.Contents ?? []).map((o) => String(o.Key));
  if (!listUploads) return keys;
  const uploads = await storage.client.send(new ListMultipartUploadsCommand({ Bucket: storage.bucket }));
  return [...keys, ...(uploads.Uploads ?? []).map((u) => `upload in progress: ${String(u.Key)}`)];
}

const backends: [string, () => Promise<Backend>][] = [
  [
    'local disk',
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-storage-'));
      return { storage: new LocalDiskStorage(dir), abortsUploads: true, leftovers: async () => filesUnder(dir), stop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'S3 (the test peer)',
    async () => {
      const peer = await startS3Peer();
      const storage = new S3Storage({ kind: 's3', bucket: peer.bucket, endpoint: peer.url, region: 'us-east-1', forcePathStyle: true, credentials: peer.credentials });
      return { storage, abortsUploads: true, leftovers: () => bucketLeftovers(storage, true), stop: async () => (storage.close(), await peer.stop()) };
    },
  ],
  [
    'S3 (s3rver)',
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-s3rver-'));
      const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
      const { port } = await server.run();
      const storage = new S3Storage({ kind: 's3', bucket: 'cadre-s3rver', endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      await storage.client.send(new CreateBucketCommand({ Bucket: 'cadre-s3rver' }));
      return {
        storage,
        abortsUploads: false,
        leftovers: () => bucketLeftovers(storage, false),
        stop: async () => {
          storage.close();
          await server.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

/** `size` bytes of a repeatable pattern, as a stream of 64 KiB chunks (never one big buffer). */
function pattern(size: number, seed = 7): { stream: () => Readable; sha256: string; slice: (start: number, end: number) => Buffer } {
  const block = Buffer.alloc(64 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + seed) % 251;
  const slice = (start: number, end: number) => {
    const out = Buffer.alloc(end - start + 1);
    for (let i = 0; i < out.length; i++) out[i] = block[(start + i) % block.length];
    return out;
  };
  const chunks = function* () {
    for (let sent = 0; sent < size; sent += block.length) yield block.subarray(0, Math.min(block.length, size - sent));
  };
  const hash = createHash('sha256');
  for (const c of chunks()) hash.update(c);
  return { stream: () => Readable.from(chunks()), sha256: hash.digest('hex'), slice };
}

describe.each(backends)('FileStorage on %s', (_name, make) => {
  let b: Backend;
  beforeAll(async () => {
    b = await make();
  });
  afterAll(() => b.stop());
  const key = (prefix = 'evidence') => `${prefix}/${randomBytes(24).toString('hex')}`;

  it('is ready, stores a stream, says its size and SHA-256, and reads it back whole and by range', async () => {
    await expect(b.storage.check()).resolves.toBeUndefined();
    const k = key();
    const body = pattern(100_000);
    expect(await b.storage.put(k, body.stream())).toEqual({ size: 100_000, sha256: body.sha256 });
    expect(await b.storage.stat(k)).toEqual({ size: 100_000 });
    expect(createHash('sha256').update(await readAll(await b.storage.get(k))).digest('hex')).toBe(body.sha256);
    expect(await readAll(await b.storage.get(k, { start: 10, end: 19 }))).toEqual(body.slice(10, 19));
    expect(await readAll(await b.storage.get(k, { start: 99_990 }))).toEqual(body.slice(99_990, 99_999));
    await b.storage.delete(k);
  });

  it('streams a file larger than one multipart part and reads ranges across a part boundary', async () => {
    const k = key('videos');
    const size = PART_BYTES + 3 * 1024 ** 2 + 17;
    const body = pattern(size, 3);
    expect(await b.storage.put(k, body.stream(), { maxBytes: size })).toEqual({ size, sha256: body.sha256 });
    expect(await b.storage.stat(k)).toEqual({ size });
    expect(await readAll(await b.storage.get(k, { start: PART_BYTES - 5, end: PART_BYTES + 4 }))).toEqual(body.slice(PART_BYTES - 5, PART_BYTES + 4));
    expect(createHash('sha256').update(await readAll(await b.storage.get(k))).digest('hex')).toBe(body.sha256);
    await b.storage.delete(k);
    expect(await b.storage.stat(k)).toBeNull();
  });

  it('refuses a small stream over the cap and leaves nothing stored', async () => {
    const k = key();
    await expect(b.storage.put(k, pattern(2_000).stream(), { maxBytes: 1_999 })).rejects.toBeInstanceOf(StoredTooLargeError);
    expect(await b.storage.stat(k)).toBeNull();
    expect(await b.leftovers()).toEqual([]);
  });

  it('refuses a large stream once it passes the cap (after a part was sent) and leaves no object and no parts', async () => {
    const k = key('videos');
    await expect(b.storage.put(k, pattern(PART_BYTES * 2 + 1).stream(), { maxBytes: PART_BYTES + 1024 ** 2 })).rejects.toBeInstanceOf(StoredTooLargeError);
    expect(await b.storage.stat(k)).toBeNull();
    // s3rver keeps the parts of an upload it cannot abort; a real S3 and the test peer drop them.
    if (b.abortsUploads) expect(await b.leftovers()).toEqual([]);
  });

  it('leaves nothing behind when the source stream fails part-way (a client that hangs up)', async () => {
    const k = key();
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(64 * 1024, 1);
        throw new Error('client went away');
      })(),
    );
    await expect(b.storage.put(k, failing)).rejects.toThrow('client went away');
    expect(await b.storage.stat(k)).toBeNull();
    expect(await b.leftovers()).toEqual([]);
  });

  it('answers null for a missing file, deletes a missing file quietly, and fails to read one', async () => {
    const k = key();
    expect(await b.storage.stat(k)).toBeNull();
    await expect(b.storage.delete(k)).resolves.toBeUndefined();
    await expect(b.storage.get(k).then(readAll)).rejects.toThrow();
  });
});
