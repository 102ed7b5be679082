/** Loading the rows a sign-off command needs, with 404s that do not leak what exists elsewhere. */
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { competencies, competencyFrameworks, signoffRequests } from '../db/tables';
import type { Actor } from '../auth/actor';
import { getCohort } from '../cohorts/queries';
import type { Action } from '../policies';
import { ForbiddenError, NotFoundError } from '../errors';
import { grant } from '../http/router';
import { id as uuidSchema } from '../http/validate';

/** A competency with its framework's rating scale. */
export type CompetencyWithScale = typeof competencies.$inferSelect & { ratingScale: typeof competencyFrameworks.$inferSelect.ratingScale };

/** Loads a competency of the cohort's framework, or 404. */
export async function competencyInFramework(db: Db, frameworkId: string | null, competencyId: string): Promise<CompetencyWithScale> {
  if (!frameworkId || !uuidSchema.safeParse(competencyId).success) throw new NotFoundError('That competency');
  const [row] = await db
    .select({ c: competencies, ratingScale: competencyFrameworks.ratingScale })
    .from(competencies)
    .innerJoin(competencyFrameworks, eq(competencyFrameworks.id, competencies.frameworkId))
    .where(and(eq(competencies.id, competencyId), eq(competencies.frameworkId, frameworkId)));
  if (!row) throw new NotFoundError('That competency');
  return { ...row.c, ratingScale: row.ratingScale };
}

/** Loads a request of the cohort (locking it for update inside a transaction), or 404. */
export async function requestInCohort(db: Db, cohortId: string, requestId: string, lock = false) {
  if (!uuidSchema.safeParse(requestId).success) throw new NotFoundError('That sign-off request');
  const q = db.select().from(signoffRequests).where(and(eq(signoffRequests.id, requestId), eq(signoffRequests.cohortId, cohortId)));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw new NotFoundError('That sign-off request');
  return row;
}

/** The current (latest) request of a candidate for a competency in a cohort, if any. */
export async function currentRequest(db: Db, cohortId: string, candidateId: string, competencyId: string) {
  const [row] = await db
    .select()
    .from(signoffRequests)
    .where(and(eq(signoffRequests.cohortId, cohortId), eq(signoffRequests.candidateId, candidateId), eq(signoffRequests.competencyId, competencyId)))
    .orderBy(desc(signoffRequests.createdAt), desc(signoffRequests.submittedAt))
    .limit(1)
    .for('update');
  return row;
}

/** The route's authorisation of a decision on `:requestId`: `candidate:mentor` on the request's candidate, and never
 * on one's own request (even for someone who is also a mentor of the cohort). */
export async function decisionGrant(db: Db, actor: Actor | undefined, params: { cohortId: string; requestId: string }, action: Action = 'candidate:mentor') {
  const cohort = await getCohort(db, params.cohortId);
  const request = await requestInCohort(db, cohort.id, params.requestId);
  if (action === 'candidate:mentor' && actor?.id === request.candidateId) throw new ForbiddenError('You cannot decide on your own sign-off; a mentor of your cohort does that.');
  return grant(action, { type: 'candidate', cohort, candidateId: request.candidateId, request }, 'That sign-off request');
}
