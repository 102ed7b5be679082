/** Evidence uploads: a capped multer parser, checks that refuse unsafe files, and storage by random key. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RequestHandler } from 'express';
import multer, { MulterError } from 'multer';
import type { Db } from '../db';
import { files } from '../db/tables';
import { CadreError, UploadError } from '../errors';
import { ACCEPTED_LIST, sniff, type EvidenceType } from './sniff';

/** How many files one request may carry. */
export const MAX_FILES = 5;

/** Megabytes, for messages. */
export function megabytes(bytes: number): string {
  const mb = bytes / 1024 ** 2;
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

/**
 * Parses a multipart body into memory (field `files`), refusing oversize files with 413 before anything is stored.
 * With `defer`, an upload error is left in `res.locals.uploadError` for a page to show beside its form.
 */
export function evidenceUpload(maxBytes: number, options: { defer?: boolean } = {}): RequestHandler {
  const parser = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: maxBytes, files: MAX_FILES, fields: 40, fieldSize: 64 * 1024 } }).array('files', MAX_FILES);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    parser(req, res, (err: unknown) => {
      const fail = (e: UploadError) => {
        if (!options.defer) return next(e);
        res.locals.uploadError = e;
        next();
      };
      if (err instanceof MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') return fail(new UploadError(`That file is larger than ${megabytes(maxBytes)}, the most one piece of evidence may be. Nothing was saved. Try a shorter clip or a smaller export.`, 413, 'files'));
        if (err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_UNEXPECTED_FILE') return fail(new UploadError(`Attach at most ${MAX_FILES} files, in the “files” field. Nothing was saved.`, 400, 'files'));
        return fail(new UploadError(`The upload was refused (${err.message}). Nothing was saved.`, 400, 'files'));
      }
      next(err);
    });
  };
}

/** A file that passed every check, ready to store. */
export type CheckedFile = { buffer: Buffer; displayName: string; type: EvidenceType; sha256: string };

/** Makes a client's file name safe to show: no folders, no control or odd characters, at most 120 characters. */
export function sanitiseName(original: string): string {
  const base = original.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}\p{Pd} ._(),'+]+/gu, '_')
    .replace(/^[.\s]+/, '')
    .replace(/\.{2,}/g, '.')
    .trim()
    .slice(-120);
  return cleaned || 'evidence';
}

/** Checks each uploaded file (not empty, a permitted type by content, declared type and extension agreeing). */
export async function checkFiles(uploaded: Express.Multer.File[], maxBytes: number): Promise<CheckedFile[]> {
  const checked: CheckedFile[] = [];
  for (const f of uploaded) {
    const displayName = sanitiseName(f.originalname);
    if (f.size === 0 || f.buffer.length === 0) throw new UploadError(`“${displayName}” is empty (0 bytes). Choose the file again — nothing was saved.`, 400, 'files');
    if (f.buffer.length > maxBytes) throw new UploadError(`“${displayName}” is larger than ${megabytes(maxBytes)}. Nothing was saved.`, 413, 'files');
    const sniffed = await sniff(f.buffer);
    if (!sniffed.ok) {
      const hint = sniffed.program ? ' Programs are never accepted as evidence.' : '';
      throw new UploadError(`“${displayName}” is ${sniffed.what}, which cannot be used as evidence.${hint} Accepted: ${ACCEPTED_LIST}. Nothing was saved.`, 415, 'files');
    }
    const { type } = sniffed;
    const declared = (f.mimetype || '').toLowerCase();
    if (declared && declared !== 'application/octet-stream' && !type.declared.includes(declared)) {
      throw new UploadError(`“${displayName}” was sent as ${declared} but its content is a ${type.label}. Save it in the right format and try again — nothing was saved.`, 415, 'files');
    }
    const ext = path.extname(displayName).slice(1).toLowerCase();
    if (ext && !type.extensions.includes(ext)) {
      throw new UploadError(`“${displayName}” is named .${ext} but its content is a ${type.label}. Rename or re-save it and try again — nothing was saved.`, 415, 'files');
    }
    checked.push({ buffer: f.buffer, displayName: ext ? displayName : `${displayName}.${type.extensions[0]}`, type, sha256: createHash('sha256').update(f.buffer).digest('hex') });
  }
  return checked;
}

/** Files written to disk for one request; `discard()` removes them if the transaction fails. */
export type WrittenFiles = { items: (CheckedFile & { storageKey: string })[]; discard(): Promise<void> };

/** Writes checked files under `uploadDir` by random key (never the client's name; `wx` so nothing is overwritten). */
export async function writeFiles(uploadDir: string, checked: CheckedFile[]): Promise<WrittenFiles> {
  const dir = path.resolve(uploadDir, 'evidence');
  await mkdir(dir, { recursive: true });
  const items: WrittenFiles['items'] = [];
  const discard = async () => {
    await Promise.all(items.map((i) => unlink(storagePath(uploadDir, i.storageKey)).catch(() => undefined)));
  };
  try {
    for (const c of checked) {
      const storageKey = `evidence/${randomBytes(24).toString('hex')}`;
      await writeFile(storagePath(uploadDir, storageKey), c.buffer, { flag: 'wx', mode: 0o600 });
      items.push({ ...c, storageKey });
    }
  } catch (err) {
    await discard();
    throw err;
  }
  return { items, discard };
}

/** The absolute path of a stored key; refuses any key that would resolve outside `uploadDir`. */
export function storagePath(uploadDir: string, storageKey: string): string {
  const root = path.resolve(uploadDir);
  const full = path.resolve(root, storageKey);
  if (!full.startsWith(root + path.sep)) throw new CadreError('CADRE_ERR_STORAGE_KEY', storageKey);
  return full;
}

/** Inserts `files` rows for written files (inside the caller's transaction). */
export async function insertFileRows(tx: Db, ownerId: string, written: WrittenFiles) {
  if (!written.items.length) return [];
  return tx
    .insert(files)
    .values(written.items.map((i) => ({ ownerId, storageKey: i.storageKey, displayName: i.displayName, mimeType: i.type.mime, sizeBytes: i.buffer.length, sha256: i.sha256, purpose: 'evidence' as const })))
    .returning();
}
