/** Finding the transfer-week stage of a cohort, and running page form actions. */
import type { Request, Response } from 'express';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../server/db';
import { cohortStages } from '../../server/db/tables';
import { AppError, GateClosedError, NotFoundError } from '../../server/errors';
import { candidateStage, unmetReasons } from '../../server/progression/queries';
import { getCohort, type CohortRow } from '../../server/cohorts/queries';
import type { StageRow } from '../../server/progression/types';

/** This module's key. */
export const KEY = 'transfer-week';

/** Loads a cohort (404 when missing); the caller authorises before asking for the stage. */
export async function loadCohort(db: Db, cohortId: unknown): Promise<CohortRow> {
  return getCohort(db, String(cohortId));
}

/** The cohort's transfer-week stage, or 404. */
export async function loadStage(db: Db, cohortId: string): Promise<StageRow> {
  const [row] = await db
    .select()
    .from(cohortStages)
    .where(and(eq(cohortStages.cohortId, cohortId), eq(cohortStages.moduleKey, KEY)))
    .orderBy(asc(cohortStages.position))
    .limit(1);
  if (!row) throw new NotFoundError('That stage');
  return row;
}

/** Runs a form action and redirects; a 400/409 re-renders the page with the message and the fields named. */
export async function formAction(res: Response, action: () => Promise<string>, rerender: (error: AppError) => Promise<void>): Promise<void> {
  try {
    res.redirect(303, await action());
  } catch (err) {
    if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
    res.status(err.status);
    await rerender(err);
  }
}

/** A form body without the CSRF token and with empty fields dropped. */
export function formBody(req: Request): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
    if (k === '_csrf' || v === '') continue;
    out[k] = v;
  }
  return out;
}

/** An id from the URL; anything that is not a UUID is simply not found. */
export function pathId(value: unknown, what: string): string {
  const v = String(value);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) throw new NotFoundError(what);
  return v;
}

/** A candidate logs moments only once transfer week is open for them (409 with the reason while it is locked). */
export async function assertOpenFor(db: Db, cohortId: string, candidateId: string): Promise<void> {
  const progress = await candidateStage(db, cohortId, candidateId, KEY);
  if (progress?.status === 'locked') throw new GateClosedError(`Transfer week is not open for you yet: ${unmetReasons(progress).join(' ')}`);
}
