/**
 * Copies the files under a local upload folder into another storage (the S3 bucket), verifying each by SHA-256:
 * a file already there with the same bytes is left alone, one that differs (or a copy cut short) is copied again,
 * and every copy is read back and hashed before it counts. Safe to re-run; it never deletes the local files.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FileStorage } from './index';

/** What happened to one file. */
export type MigratedFile = { key: string; size: number; outcome: 'copied' | 'already there' | 'copied again' | 'mismatch' };

/** SHA-256 of a stream, read in chunks. */
async function hashOf(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file under `root`, as storage keys (`evidence/…`, `videos/…`), sorted. */
async function keysUnder(root: string, dir = root): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.filter((e) => !e.name.startsWith('.')).map((e) => (e.isDirectory() ? keysUnder(root, path.join(dir, e.name)) : Promise.resolve([path.relative(root, path.join(dir, e.name)).split(path.sep).join('/')]))),
  );
  return nested.flat().sort();
}

/** Copies every file under `uploadDir` into `target`; `progress` hears each file as it is done (n of total). */
export async function migrateUploads(uploadDir: string, target: FileStorage, progress: (file: MigratedFile, n: number, total: number) => void = () => undefined): Promise<MigratedFile[]> {
  const keys = await keysUnder(uploadDir);
  const done: MigratedFile[] = [];
  for (const [i, key] of keys.entries()) {
    const local = path.join(uploadDir, key);
    const want = await hashOf(createReadStream(local));
    const there = await target.stat(key);
    let outcome: MigratedFile['outcome'] = 'copied';
    if (there) {
      if ((await hashOf(await target.get(key))) === want) outcome = 'already there';
      else {
        await target.delete(key);
        outcome = 'copied again';
      }
    }
    let size = there?.size ?? 0;
    if (outcome !== 'already there') {
      const put = await target.put(key, createReadStream(local));
      size = put.size;
      // Read back what the store now holds: only bytes that hash the same count as copied.
      if (put.sha256 !== want || (await hashOf(await target.get(key))) !== want) outcome = 'mismatch';
    }
    const file = { key, size, outcome };
    done.push(file);
    progress(file, i + 1, keys.length);
  }
  return done;
}
