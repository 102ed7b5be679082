/** The one error middleware: typed errors → status codes; JSON under /api, pages elsewhere. */
import type { ErrorRequestHandler, Request } from 'express';
import { MulterError } from 'multer';
import { AppError, RateLimitedError, UploadError, ValidationError } from '../errors';
import type { Logger } from '../logger';
import { csrfFailed } from './csrf';

/** True for requests that want JSON rather than a page (the API, and webhooks: their senders are machines). */
export function wantsJson(req: Request): boolean {
  return req.originalUrl.startsWith('/api/') || req.originalUrl.startsWith('/webhooks/') || (!!req.headers.accept?.includes('application/json') && !req.headers.accept.includes('text/html'));
}

function normalise(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return new UploadError('The file is larger than this upload allows.', 413, err.field ?? 'file');
    return new UploadError(`The upload was refused: ${err.message}.`, 400, err.field ?? 'file');
  }
  const e = err as { type?: string; status?: number; statusCode?: number; expose?: boolean; code?: string; message?: string; charset?: string; encoding?: string };
  if (e?.type === 'entity.parse.failed') return new ValidationError('The request body is not valid JSON.', [{ field: '(body)', message: 'is not valid JSON' }]);
  if (e?.type === 'entity.too.large') return new AppError('The request body is too large.', 413, 'too_large');
  if (e?.code === 'EBADCSRFTOKEN') return csrfFailed();
  if (e?.type === 'charset.unsupported') return new AppError(`The request body’s character set (${e.charset ?? 'unknown'}) is not supported: send UTF-8.`, 415, 'unsupported_charset');
  if (e?.type === 'encoding.unsupported') return new AppError(`The request body’s content encoding (${e.encoding ?? 'unknown'}) is not supported: send it uncompressed, or gzip, deflate or br.`, 415, 'unsupported_encoding');
  // Any other client error raised by the body parsers or express (a malformed address, an aborted body, too many
  // fields…): its own 4xx status, never a 500.
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && (e.expose ?? true)) {
    return new AppError(`The request could not be read: ${e.message ?? 'it is malformed'}.`, status, 'bad_request');
  }
  return null;
}

/** Builds the error middleware. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    void _next;
    const known = normalise(err);
    if (!known) logger.error({ err, reqId: req.id }, 'unhandled error');
    // A person's mistake is not logged; a failure on our side that has words for people (the file store down) is.
    else if (known.status >= 500) logger.error({ err: known.cause ?? known, code: known.code, reqId: req.id }, known.message);
    const status = known?.status ?? 500;
    const code = known?.code ?? 'internal_error';
    const message = known?.message ?? 'Something went wrong on our side. It has been logged; please try again.';
    const fields = known?.fields ?? [];
    if (known instanceof RateLimitedError) res.setHeader('Retry-After', String(known.retryAfterSeconds));
    if (res.headersSent) return;
    // A route may have begun describing a file (a video's type and range, a logo's day-long caching) before it
    // failed: the error page is none of that, and must never be cached.
    for (const h of ['Content-Type', 'Content-Length', 'Content-Range', 'Content-Disposition', 'Accept-Ranges']) res.removeHeader(h);
    res.setHeader('Cache-Control', 'no-store');
    res.status(status);
    if (wantsJson(req)) {
      res.json({ error: { code, message, fields } });
    } else {
      res.render('pages/error', { title: status === 404 ? 'Not found' : 'Something went wrong', status, message, fields });
    }
  };
}
