/**
 * A small S3 server for tests, on loopback: it speaks the real wire protocol (AWS Signature Version 4 checked on
 * every request, path-style addressing, S3's XML answers and error codes) for what Cadre uses — objects (put, get
 * with a byte range, head, delete, list), multipart uploads (create, upload part, complete, abort, list) and
 * HeadBucket. Bodies stream to files in a temporary folder, never into memory.
 *
 * Why not an npm-published server: `s3rver` (the one S3 server on npm that runs on Node 20) handles multipart and
 * ranges but answers 405 to AbortMultipartUpload and 501 to ListMultipartUploads, so it cannot show that a refused
 * upload leaves nothing behind. The storage contract test runs against s3rver as well, for what it does implement.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** What the peer keeps of an object (its bytes are in `file`). */
type StoredObject = { file: string; size: number; etag: string; contentType: string; modified: Date; meta: Record<string, string> };
type Part = { file: string; size: number; etag: string };
type PendingUpload = { id: string; bucket: string; key: string; contentType: string; initiated: Date; parts: Map<number, Part> };

/** A running peer. */
export type S3Peer = {
  url: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The environment a Cadre node needs to use this peer's bucket. */
  env: Record<string, string>;
  /** Keys stored in a bucket (default: the peer's bucket), sorted. */
  keys(bucket?: string): string[];
  /** Multipart uploads begun and neither completed nor aborted. */
  pendingUploads(bucket?: string): { key: string; parts: number }[];
  /** Overwrites a stored object's bytes (a test of checksum verification). */
  tamper(key: string, bytes: Buffer): Promise<void>;
  /** Requests answered, by operation name (`PutObject`, `UploadPart`, …). */
  operations: Map<string, number>;
  stop(): Promise<void>;
};

class S3Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
/** RFC 3986 encoding as SigV4 wants it (everything but unreserved characters). */
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const MIN_PART = 5 * 1024 ** 2;

/** Starts a peer on 127.0.0.1 with one bucket. */
export async function startS3Peer(options: { bucket?: string; region?: string } = {}): Promise<S3Peer> {
  const bucket = options.bucket ?? 'cadre-files';
  const region = options.region ?? 'us-east-1';
  const credentials = { accessKeyId: 'CADRETESTKEY', secretAccessKey: randomBytes(20).toString('hex') };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-s3-'));
  const buckets = new Map<string, Map<string, StoredObject>>([[bucket, new Map()]]);
  const uploads = new Map<string, PendingUpload>();
  const operations = new Map<string, number>();
  const newFile = () => path.join(dir, randomBytes(12).toString('hex'));

  /** Checks the Authorization header (SigV4, header form) against the request; throws S3's error when it fails. */
  function authenticate(req: IncomingMessage, rawPath: string, rawQuery: string): void {
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw new S3Failure(403, 'AccessDenied', 'Requests must be signed with AWS Signature Version 4');
    const [, keyId, date, signedRegion, signedHeaders, signature] = m;
    if (keyId !== credentials.accessKeyId) throw new S3Failure(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    if (signedRegion !== region) throw new S3Failure(400, 'AuthorizationHeaderMalformed', `the region '${signedRegion}' is wrong; expecting '${region}'`);
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const when = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!amzDate.startsWith(date) || !Number.isFinite(when)) throw new S3Failure(403, 'AccessDenied', 'X-Amz-Date is missing or does not match the credential scope');
    if (Math.abs(Date.now() - when) > 15 * 60_000) throw new S3Failure(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
    const names = signedHeaders.split(';');
    if (!names.includes('host') || !names.includes('x-amz-content-sha256')) throw new S3Failure(403, 'AccessDenied', 'host and x-amz-content-sha256 must be signed');
    const headerValue = (name: string) => {
      const v = req.headers[name];
      return (Array.isArray(v) ? v.join(',') : String(v ?? '')).trim().replace(/\s+/g, ' ');
    };
    const query = rawQuery
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        const [k, v] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
        return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v))];
      })
      .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonical = [req.method, rawPath, query, names.map((n) => `${n}:${headerValue(n)}\n`).join(''), signedHeaders, headerValue('x-amz-content-sha256')].join('\n');
    const toSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/s3/aws4_request`, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), 's3'), 'aws4_request');
    const expected = hmac(key, toSign);
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new S3Failure(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
  }

  /** Streams the request body to a new file, checking its length and its signed SHA-256. */
  async function receive(req: IncomingMessage): Promise<Part> {
    const file = newFile();
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    let size = 0;
    await pipeline(
      req,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          size += chunk.length;
          sha.update(chunk);
          md5.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(file),
    );
    const declared = String(req.headers['x-amz-content-sha256']);
    const fail = async (status: number, code: string, message: string) => {
      await unlink(file).catch(() => undefined);
      throw new S3Failure(status, code, message);
    };
    if (declared.startsWith('STREAMING-')) await fail(501, 'NotImplemented', 'aws-chunked uploads are not implemented by this test server');
    if (declared !== 'UNSIGNED-PAYLOAD' && declared !== sha.digest('hex')) await fail(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
    if (req.headers['content-length'] !== undefined && Number(req.headers['content-length']) !== size) await fail(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
    return { file, size, etag: md5.digest('hex') };
  }

  const objectsOf = (name: string) => {
    const b = buckets.get(name);
    if (!b) throw new S3Failure(404, 'NoSuchBucket', 'The specified bucket does not exist');
    return b;
  };
  const uploadOf = (id: string | null, name: string, key: string) => {
    const u = id ? uploads.get(id) : undefined;
    if (!u || u.bucket !== name || u.key !== key) throw new S3Failure(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
    return u;
  };
  const dropParts = async (u: PendingUpload) => {
    await Promise.all([...u.parts.values()].map((p) => unlink(p.file).catch(() => undefined)));
    uploads.delete(u.id);
  };
  const xml = (res: ServerResponse, body: string, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  };
  const count = (op: string) => operations.set(op, (operations.get(op) ?? 0) + 1);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    authenticate(req, rawPath, rawQuery);
    const params = new URLSearchParams(rawQuery);
    const [, bucketName, ...rest] = rawPath.split('/');
    const name = decodeURIComponent(bucketName ?? '');
    const key = rest.map(decodeURIComponent).join('/');
    const method = req.method ?? 'GET';
    if (!key) {
      if (method === 'HEAD') {
        count('HeadBucket');
        objectsOf(name);
        return void res.writeHead(200).end();
      }
      if (method === 'GET' && params.has('uploads')) {
        count('ListMultipartUploads');
        objectsOf(name);
        const list = [...uploads.values()].filter((u) => u.bucket === name);
        return xml(res, `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlEscape(name)}</Bucket><IsTruncated>false</IsTruncated>${list.map((u) => `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.id}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`).join('')}</ListMultipartUploadsResult>`);
      }
      if (method === 'GET' && params.get('list-type') === '2') {
        count('ListObjectsV2');
        const prefix = params.get('prefix') ?? '';
        const max = Math.min(Number(params.get('max-keys') ?? 1000), 1000);
        const after = params.get('continuation-token') ? Buffer.from(String(params.get('continuation-token')), 'base64url').toString() : (params.get('start-after') ?? '');
        const all = [...objectsOf(name).entries()].filter(([k]) => k.startsWith(prefix) && k > after).sort(([a], [b]) => (a < b ? -1 : 1));
        const page = all.slice(0, max);
        const truncated = all.length > page.length;
        const next = truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1][0]).toString('base64url')}</NextContinuationToken>` : '';
        const contents = page.map(([k, o]) => `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.modified.toISOString()}</LastModified><ETag>"${o.etag}"</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('');
        return xml(res, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(name)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${contents}</ListBucketResult>`);
      }
      throw new S3Failure(501, 'NotImplemented', `${method} on a bucket is not implemented by this test server`);
    }
    const objects = objectsOf(name);
    if (method === 'PUT' && params.has('uploadId')) {
      count('UploadPart');
      const u = uploadOf(params.get('uploadId'), name, key);
      const n = Number(params.get('partNumber'));
      if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new S3Failure(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
      const part = await receive(req);
      const old = u.parts.get(n);
      if (old) await unlink(old.file).catch(() => undefined);
      u.parts.set(n, part);
      return void res.writeHead(200, { etag: `"${part.etag}"` }).end();
    }
    if (method === 'PUT') {
      count('PutObject');
      if (req.headers['x-amz-copy-source']) throw new S3Failure(501, 'NotImplemented', 'CopyObject is not implemented by this test server');
      if (req.headers['if-none-match'] === '*' && objects.has(key)) throw new S3Failure(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
      const part = await receive(req);
      const meta = Object.fromEntries(Object.entries(req.headers).filter(([h]) => h.startsWith('x-amz-meta-')).map(([h, v]) => [h, String(v)]));
      const old = objects.get(key);
      objects.set(key, { ...part, contentType: String(req.headers['content-type'] ?? 'application/octet-stream'), modified: new Date(), meta });
      if (old) await unlink(old.file).catch(() => undefined);
      return void res.writeHead(200, { etag: `"${part.etag}"` }).end();
    }
    if (method === 'POST' && params.has('uploads')) {
      count('CreateMultipartUpload');
      const id = randomBytes(16).toString('base64url');
      uploads.set(id, { id, bucket: name, key, contentType: String(req.headers['content-type'] ?? 'application/octet-stream'), initiated: new Date(), parts: new Map() });
      return xml(res, `<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlEscape(name)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
    }
    if (method === 'POST' && params.has('uploadId')) {
      count('CompleteMultipartUpload');
      const u = uploadOf(params.get('uploadId'), name, key);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const listed = [...Buffer.concat(chunks).toString().matchAll(/<Part>[\s\S]*?<\/Part>/g)].map(([p]) => ({
        n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(p)?.[1]),
        etag: (/<ETag>([^<]*)<\/ETag>/.exec(p)?.[1] ?? '').replace(/&quot;|"/g, ''),
      }));
      if (!listed.length) throw new S3Failure(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
      const parts = listed.map(({ n, etag }, i) => {
        if (i > 0 && n <= listed[i - 1].n) throw new S3Failure(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
        const p = u.parts.get(n);
        if (!p || p.etag !== etag) throw new S3Failure(400, 'InvalidPart', 'One or more of the specified parts could not be found.');
        if (i < listed.length - 1 && p.size < MIN_PART) throw new S3Failure(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
        return p;
      });
      const file = newFile();
      const out = createWriteStream(file);
      for (const p of parts) await pipeline(createReadStream(p.file), out, { end: false });
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      const etag = `${createHash('md5').update(Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')))).digest('hex')}-${parts.length}`;
      const old = objects.get(key);
      objects.set(key, { file, size: parts.reduce((s, p) => s + p.size, 0), etag, contentType: u.contentType, modified: new Date(), meta: {} });
      if (old) await unlink(old.file).catch(() => undefined);
      await dropParts(u);
      return xml(res, `<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>${xmlEscape(`http://${req.headers.host}${rawPath}`)}</Location><Bucket>${xmlEscape(name)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`);
    }
    if (method === 'DELETE' && params.has('uploadId')) {
      count('AbortMultipartUpload');
      await dropParts(uploadOf(params.get('uploadId'), name, key));
      return void res.writeHead(204).end();
    }
    if (method === 'DELETE') {
      count('DeleteObject');
      const old = objects.get(key);
      objects.delete(key);
      if (old) await unlink(old.file).catch(() => undefined);
      return void res.writeHead(204).end();
    }
    if (method === 'GET' || method === 'HEAD') {
      count(method === 'GET' ? 'GetObject' : 'HeadObject');
      const o = objects.get(key);
      if (!o) throw new S3Failure(404, 'NoSuchKey', 'The specified key does not exist.');
      const headers: Record<string, string> = { etag: `"${o.etag}"`, 'last-modified': o.modified.toUTCString(), 'accept-ranges': 'bytes', 'content-type': o.contentType, ...o.meta };
      const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
      let start = 0;
      let end = o.size - 1;
      let status = 200;
      if (range && (range[1] || range[2])) {
        if (range[1]) {
          start = Number(range[1]);
          end = range[2] ? Math.min(Number(range[2]), o.size - 1) : o.size - 1;
        } else {
          start = Math.max(0, o.size - Number(range[2]));
        }
        if (start >= o.size || start > end) {
          res.setHeader('content-range', `bytes */${o.size}`);
          throw new S3Failure(416, 'InvalidRange', 'The requested range is not satisfiable');
        }
        status = 206;
        headers['content-range'] = `bytes ${start}-${end}/${o.size}`;
      }
      headers['content-length'] = String(o.size ? end - start + 1 : 0);
      res.writeHead(status, headers);
      if (method === 'HEAD' || o.size === 0) return void res.end();
      await pipeline(createReadStream(o.file, { start, end }), res);
      return;
    }
    throw new S3Failure(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      req.resume();
      const failure = err instanceof S3Failure ? err : new S3Failure(500, 'InternalError', (err as Error).message);
      if (res.headersSent) return void res.destroy();
      if (req.method === 'HEAD') return void res.writeHead(failure.status).end();
      xml(res, `<Error><Code>${failure.code}</Code><Message>${xmlEscape(failure.message)}</Message><Resource>${xmlEscape(req.url ?? '')}</Resource><RequestId>${randomBytes(8).toString('hex')}</RequestId></Error>`, failure.status);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    bucket,
    credentials,
    operations,
    env: { STORAGE: 's3', S3_BUCKET: bucket, S3_ENDPOINT: url, S3_REGION: region, S3_FORCE_PATH_STYLE: 'true', AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    keys: (b = bucket) => [...(buckets.get(b)?.keys() ?? [])].sort(),
    pendingUploads: (b = bucket) => [...uploads.values()].filter((u) => u.bucket === b).map((u) => ({ key: u.key, parts: u.parts.size })),
    async tamper(key, bytes) {
      const o = buckets.get(bucket)?.get(key);
      if (!o) throw new Error(`no object ${key}`);
      const file = newFile();
      await pipeline(async function* () {
        yield bytes;
      }, createWriteStream(file));
      await rename(file, o.file);
      o.size = statSync(o.file).size;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
