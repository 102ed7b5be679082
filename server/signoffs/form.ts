/** Helpers for plain-form pages: run an action, redirect on success, re-render the page with the problem on a 4xx. */
import type { Request, RequestHandler } from 'express';
import type { AppContext } from '../context';
import { getCohort } from '../cohorts/queries';
import { paramId } from '../http/validate';
import { authorize } from '../policies';

/** Before parsing an upload: only the candidate themself may send evidence for their record (401/404/403). */
export function mayRequestFor(ctx: AppContext): RequestHandler {
  return async (req: Request, _res, next) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'candidate:act-as-self', { type: 'candidate', cohort, candidateId: paramId(req.params.userId, 'userId') }, 'That candidate');
    next();
  };
}
