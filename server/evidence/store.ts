/** Evidence uploads: streamed into storage by random key, checked from their first bytes, never held in memory. */
import path from 'node:path';
import type { RequestHandler } from 'express';
import multer, { MulterError } from 'multer';
import type { Db } from '../db';
import { files } from '../db/tables';
import { AppError, UploadError } from '../errors';
import { readAll, type FileStorage } from '../storage';
import { concurrentUploads, multerFileName, streamingEngine, type HeadVerdict, type StoredUpload } from '../storage/upload-engine';
import { ACCEPTED_LIST, centralDirectoryNames, centralDirectoryOf, DOCX, sniff, type EvidenceType } from './sniff';

/** How many files one request may carry. */
export const MAX_FILES = 5;

/** Megabytes, for messages. */
export function megabytes(bytes: number): string {
  const mb = bytes / 1024 ** 2;
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

/** How many uploads one person may have running at once. */
export const MAX_CONCURRENT_UPLOADS = 2;

/** The refusal of a file past the cap, naming the file as the person chose it (or "That file" when its name is unknown). */
const tooLarge = (maxBytes: number) => (name: string | undefined) =>
  new UploadError(`${name ? `“${sanitiseName(name)}”` : 'That file'} is larger than ${megabytes(maxBytes)}, the most one piece of evidence may be. Nothing was saved. Try a shorter clip or a smaller export.`, 413, 'files');

/**
 * Parses a multipart body (field `files`), streaming each file into storage: its first bytes are checked before
 * anything is stored (type by content, declared type, extension, not empty), the rest streams with a size cap, and a
 * refused or oversize file leaves nothing behind. Files no command claimed (say the form had another error) are
 * removed when the answer is sent. With `defer`, an upload error is left in `res.locals.uploadError` for a page.
 */
export function evidenceUpload(storage: FileStorage, maxBytes: number, options: { defer?: boolean } = {}): RequestHandler {
  const parser = multer({
    storage: streamingEngine({ storage, prefix: 'evidence', maxBytes, tooLarge: tooLarge(maxBytes), check: checkHead }),
    defParamCharset: 'utf8',
    limits: { fileSize: maxBytes, files: MAX_FILES, fields: 40, fieldSize: 64 * 1024 },
  }).array('files', MAX_FILES);
  const slots = concurrentUploads(MAX_CONCURRENT_UPLOADS);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    const fail = (e: AppError) => {
      if (!options.defer) return next(e);
      res.locals.uploadError = e;
      next();
    };
    slots(req, res, (slotErr?: unknown) => {
      if (slotErr) return slotErr instanceof AppError ? fail(slotErr) : next(slotErr);
      res.once('finish', () => {
        for (const f of (Array.isArray(req.files) ? req.files : []) as Partial<EvidenceUpload>[]) if (f.storageKey && !f.claimed) void storage.delete(f.storageKey);
      });
      parser(req, res, (err: unknown) => {
        if (err instanceof UploadError) return fail(err);
        if (err instanceof MulterError) {
          if (err.code === 'LIMIT_FILE_SIZE') return fail(tooLarge(maxBytes)(multerFileName(err)));
          if (err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_UNEXPECTED_FILE') return fail(new UploadError(`Attach at most ${MAX_FILES} files, in the “files” field. Nothing was saved.`, 400, 'files'));
          return fail(new UploadError(`The upload was refused (${err.message}). Nothing was saved.`, 400, 'files'));
        }
        next(err);
      });
    });
  };
}

/** An uploaded evidence file as the engine left it: stored, hashed and checked. */
export type EvidenceUpload = StoredUpload<{ displayName: string; type: EvidenceType }> & { claimed?: boolean };

/** Checks a file from its first bytes (and, for a ZIP, its directory once stored); throws an UploadError to refuse. */
async function checkHead(head: Buffer, f: Express.Multer.File): Promise<HeadVerdict<{ displayName: string; type: EvidenceType }>> {
  const given = sanitiseName(f.originalname);
  if (head.length === 0) throw new UploadError(`“${given}” is empty (0 bytes). Choose the file again — nothing was saved.`, 400, 'files');
  const sniffed = await sniff(head, { head: true });
  if (!sniffed.ok) {
    const hint = sniffed.program ? ' Programs are never accepted as evidence.' : '';
    throw new UploadError(`“${given}” is ${sniffed.what}, which cannot be used as evidence.${hint} Accepted: ${ACCEPTED_LIST}. Nothing was saved.`, 415, 'files');
  }
  const { type } = sniffed;
  const declared = (f.mimetype || '').toLowerCase();
  if (declared && declared !== 'application/octet-stream' && !type.declared.includes(declared) && !(sniffed.zip && declared === 'application/zip')) {
    throw new UploadError(`“${given}” was sent as ${declared} but its content is a ${type.label}. Save it in the right format and try again — nothing was saved.`, 415, 'files');
  }
  const ext = path.extname(given).slice(1).toLowerCase();
  if (ext && !type.extensions.includes(ext) && !(sniffed.zip && ext === 'zip')) {
    throw new UploadError(`“${given}” is named .${ext} but its content is a ${type.label}. Rename or re-save it and try again — nothing was saved.`, 415, 'files');
  }
  const displayName = ext ? given : `${given}.${type.extensions[0]}`;
  const finish = sniffed.zip
    ? async (store: FileStorage, key: string, size: number) => {
        // A ZIP is a Word document only if its directory lists `word/…` entries: read just the end and the directory.
        const dir = centralDirectoryOf(await readAll(await store.get(key, { start: Math.max(0, size - 65_557) })));
        const readable = dir && dir.size > 0 && dir.size <= 4 * 1024 ** 2 && dir.offset + dir.size <= size;
        const names = readable ? centralDirectoryNames(await readAll(await store.get(key, { start: dir.offset, end: dir.offset + dir.size - 1 })), dir.count) : [];
        if (!names.some((n) => n.startsWith('word/'))) throw new UploadError(`“${given}” is a ZIP file, which cannot be used as evidence. Accepted: ${ACCEPTED_LIST}. Nothing was saved.`, 415, 'files');
        if (ext && !DOCX.extensions.includes(ext)) throw new UploadError(`“${given}” is named .${ext} but its content is a ${DOCX.label}. Rename or re-save it and try again — nothing was saved.`, 415, 'files');
      }
    : undefined;
  return { info: { displayName, type }, finish };
}

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

/** A file that passed every check, already in storage. */
export type CheckedFile = { storageKey: string; displayName: string; type: EvidenceType; sha256: string; size: number };

/** The checked, stored files of a request (multer's `req.files`, filled by `evidenceUpload`). */
export function checkFiles(uploaded: Express.Multer.File[]): CheckedFile[] {
  return (uploaded as EvidenceUpload[]).map((f) => ({ storageKey: f.storageKey, displayName: f.checked.displayName, type: f.checked.type, sha256: f.sha256, size: f.size }));
}

/** The stored files of one request: `claim()` once their rows are committed, `discard()` if the transaction fails. */
export type WrittenFiles = { items: CheckedFile[]; claim(): void; discard(): Promise<void> };

/** Wraps a request's stored files for its command. */
export function storedFiles(storage: FileStorage, uploaded: Express.Multer.File[]): WrittenFiles {
  const stored = uploaded as EvidenceUpload[];
  return {
    items: checkFiles(uploaded),
    claim: () => stored.forEach((f) => (f.claimed = true)),
    discard: async () => {
      await Promise.all(stored.map((f) => storage.delete(f.storageKey)));
    },
  };
}

/** Inserts `files` rows for stored files (inside the caller's transaction). */
export async function insertFileRows(tx: Db, ownerId: string, written: WrittenFiles) {
  if (!written.items.length) return [];
  return tx
    .insert(files)
    .values(written.items.map((i) => ({ ownerId, storageKey: i.storageKey, displayName: i.displayName, mimeType: i.type.mime, sizeBytes: i.size, sha256: i.sha256, purpose: 'evidence' as const })))
    .returning();
}
