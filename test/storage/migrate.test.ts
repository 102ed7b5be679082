/** `npm run storage:migrate` as an operator runs it: UPLOAD_DIR copied into a bucket on the S3 test peer, verified
 * by SHA-256, a line per file; re-run, it leaves matching files alone and copies again one that differs. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readAll } from '../../server/storage';
import { S3Storage } from '../../server/storage/s3';
import { startS3Peer, type S3Peer } from '../support/s3-peer';

jest.setTimeout(120_000);
const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

let peer: S3Peer;
let dir: string;
beforeAll(async () => {
  peer = await startS3Peer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-migrate-'));
  const put = (key: string, bytes: Buffer) => {
    mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
    writeFileSync(path.join(dir, key), bytes);
  };
  put('evidence/aaaa1111', Buffer.from('%PDF-1.4 a reflective account'));
  put('videos/bbbb2222.webm', Buffer.alloc(300_000, 7));
  put('captions/cccc3333.vtt', Buffer.from('WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n'));
});
afterAll(async () => {
  await peer.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function migrate(): Promise<{ code: number; out: string }> {
  const env = { ...process.env, ...peer.env, UPLOAD_DIR: dir, DATABASE_URL: '', NODE_ENV: 'test' };
  try {
    const { stdout } = await run(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/storage-migrate.ts'], { cwd: root, env });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('npm run storage:migrate', () => {
  it('copies every file with its bytes, shows progress, and on a re-run copies again only the one that differs', async () => {
    const first = await migrate();
    expect(first.code).toBe(0);
    expect(first.out).toContain('[1/3] copied        captions/cccc3333.vtt');
    expect(first.out).toContain('[3/3] copied        videos/bbbb2222.webm (300000 bytes)');
    expect(first.out).toContain('3 files: 3 copied, 0 copied again (they differed), 0 already there, 0 failed verification.');
    expect(peer.keys()).toEqual(['captions/cccc3333.vtt', 'evidence/aaaa1111', 'videos/bbbb2222.webm']);

    await peer.tamper('evidence/aaaa1111', Buffer.from('cut sho'));
    const again = await migrate();
    expect(again.code).toBe(0);
    expect(again.out).toContain('copied again  evidence/aaaa1111');
    expect(again.out).toContain('3 files: 0 copied, 1 copied again (they differed), 2 already there, 0 failed verification.');
    const bucket = new S3Storage({ kind: 's3', bucket: peer.bucket, endpoint: peer.url, region: 'us-east-1', forcePathStyle: true, credentials: peer.credentials });
    try {
      for (const key of peer.keys()) expect(await readAll(await bucket.get(key))).toEqual(readFileSync(path.join(dir, key)));
    } finally {
      bucket.close();
    }
  });

  it('says what to set when no bucket is configured', async () => {
    const env = { ...process.env, UPLOAD_DIR: dir, DATABASE_URL: '', NODE_ENV: 'test', STORAGE: '', S3_BUCKET: '', S3_ENDPOINT: '' };
    const res = await run(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/storage-migrate.ts'], { cwd: root, env }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in res && res.code).toBe(2);
    expect('stderr' in res && res.stderr).toContain('set STORAGE=s3 and S3_BUCKET');
  });
});
