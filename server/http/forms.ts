/** Plain-form helpers shared by core pages and stage modules (progressive enhancement: forms work without JS). */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError, NotFoundError } from '../errors';

/** Runs a form action and redirects (303); a 4xx a person can fix (400, 409, 413, 415) re-renders the page with
 * the message and the fields named. 401/403/404/429 go to the error page. */
export async function formAction(res: Response, action: () => Promise<string>, rerender: (error: AppError) => Promise<void>): Promise<void> {
  try {
    res.redirect(303, await action());
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500 || [401, 403, 404, 429].includes(err.status)) throw err;
    res.status(err.status);
    await rerender(err);
  }
}

/** A form body without the CSRF token and with empty fields dropped (so optional fields validate as absent). */
export function formBody(req: Request): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
    if (k === '_csrf' || v === '') continue;
    out[k] = v;
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from the URL; anything that is not a UUID is simply not found. */
export function pathId(value: unknown, what: string): string {
  const v = String(value);
  if (!UUID.test(v)) throw new NotFoundError(what);
  return v;
}

/** A form's schema: empty fields count as absent (so optional fields validate as left out), as `formBody` does. */
export function formOf<S extends z.ZodType>(schema: S) {
  return z.preprocess((body) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) if (k !== '_csrf' && v !== '') out[k] = v;
    return out;
  }, schema);
}
