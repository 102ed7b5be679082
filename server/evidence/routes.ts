/** Serving evidence files: only to people who may see the candidate's record, as a download (a PDF may open in the browser). */
import { eq } from 'drizzle-orm';
import type { Response } from 'express';
import type { AppContext } from '../context';
import { getCohort } from '../cohorts/queries';
import { files, signoffEvidence, signoffRequests } from '../db/tables';
import { NotFoundError } from '../errors';
import { z } from 'zod';
import { grant, type RouteRegistry } from '../http/router';
import { id as uuidSchema } from '../http/validate';
import type { FileStorage } from '../storage';

/** An RFC 6266 Content-Disposition value with an ASCII fallback and the UTF-8 name. */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Sends a private stored file: as a download (or, for a PDF asked for inline, in the browser's own viewer), never
 * cached, with no scripts of its own; 404 "That file" when it has none or storage lost it. Resolves once it is sent. */
export async function sendStoredFile(storage: FileStorage, res: Response, file: { key: string | null; name: string | null; type: string | null }, options: { inline?: boolean } = {}): Promise<void> {
  const info = file.key ? await storage.stat(file.key) : null;
  if (!file.key || !info) throw new NotFoundError('That file');
  // Opened before any header is set: a store that fails now leaves the answer free for the error page.
  const stream = await storage.get(file.key);
  const type = file.type ?? 'application/octet-stream';
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', String(info.size));
  // Only a PDF (its type checked from its bytes at upload) opens in the browser's own viewer; a sandboxed document
  // cannot host that viewer, so it gets no sandbox but still no scripts, styles or connections of its own.
  const inline = !!options.inline && type === 'application/pdf';
  const disposition = attachmentHeader(file.name ?? 'evidence');
  res.setHeader('Content-Disposition', inline ? disposition.replace(/^attachment/, 'inline') : disposition);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('Content-Security-Policy', inline ? "default-src 'none'; object-src 'self'; frame-ancestors 'self'" : "default-src 'none'; sandbox");
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    res.on('finish', resolve);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

/** GET /evidence/:fileId — the file, to the candidate, their cohort's mentors, its lead and admins. */
export function evidenceRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/evidence');
  /** The file and the candidate whose record it belongs to (an id that is not a UUID is simply not found). */
  const loadFile = async (fileId: string) => {
    if (!uuidSchema.safeParse(fileId).success) throw new NotFoundError('That file');
    const [row] = await ctx.db
      .select({ f: files, cohortId: signoffRequests.cohortId, candidateId: signoffRequests.candidateId })
      .from(files)
      .innerJoin(signoffEvidence, eq(signoffEvidence.fileId, files.id))
      .innerJoin(signoffRequests, eq(signoffRequests.id, signoffEvidence.requestId))
      .where(eq(files.id, fileId))
      .limit(1);
    if (!row) throw new NotFoundError('That file');
    return { row, cohort: await getCohort(ctx.db, row.cohortId) };
  };
  const fileParams = z.object({ fileId: z.string().max(200) });
  const fileQuery = z.object({ view: z.enum(['inline']).optional() });
  r.get('/:fileId', {
    summary: 'An evidence file, as a download (a PDF opens in the browser with view=inline)',
    params: fileParams,
    query: fileQuery,
    produces: 'application/octet-stream',
    authorize: async (_req, { params }) => {
      const { row, cohort } = await loadFile(params.fileId);
      return grant('candidate:view', { type: 'candidate' as const, cohort, candidateId: row.candidateId, file: row.f }, 'That file');
    },
  }, ({ query, subject: { file } }, _req, res) =>
    sendStoredFile(ctx.storage, res, { key: file.storageKey, name: file.displayName, type: file.mimeType }, { inline: query.view === 'inline' }),
  );
  return [r];
}
