/** Helpers for plain-form pages: run an action, redirect on success, re-render the page with the problem on a 4xx. */
import type { Request, RequestHandler, Response } from 'express';
import type { AppContext } from '../context';
import { getCohort } from '../cohorts/queries';
import { AppError } from '../errors';
import { paramId } from '../http/validate';
import { authorize } from '../policies';

/** Runs `action` (which returns where to go); a 400/409/413/415 re-renders via `rerender` with that status. */
export async function formAction(res: Response, action: () => Promise<string>, rerender: (error: AppError) => Promise<void>) {
  try {
    res.redirect(303, await action());
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500 || [401, 403, 404, 429].includes(err.status)) throw err;
    res.status(err.status);
    await rerender(err);
  }
}

/** Before parsing an upload: only the candidate themself may send evidence for their record (401/404/403). */
export function mayRequestFor(ctx: AppContext): RequestHandler {
  return async (req: Request, _res, next) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'candidate:act-as-self', { type: 'candidate', cohort, candidateId: paramId(req.params.userId, 'userId') }, 'That candidate');
    next();
  };
}
