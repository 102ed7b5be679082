/** Loading a cohort's stage (by module key) for a stage module's request, with the actor's relation to it. */
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import type { Request } from 'express';
import type { Actor } from '../auth/actor';
import { getCohort, type CohortRow } from '../cohorts/queries';
import type { Db } from '../db';
import { cohortStages } from '../db/tables';
import { NotFoundError } from '../errors';
import { actorOf } from '../http/request-context';
import { authorize, can } from '../policies';
import { RETIRED_POSITION } from './registry';
import type { StageRow } from './types';

/** The cohort, its stage run by `moduleKey`, and who is asking. */
export type StageContext = { actor: Actor; cohort: CohortRow; stage: StageRow; isCandidate: boolean; isStaff: boolean };

/** Loads the cohort (404 when outside the actor's world) and its first stage run by `moduleKey`. */
export async function loadStage(db: Db, req: Request, moduleKey: string): Promise<StageContext> {
  const actor = actorOf(req);
  const cohort = await getCohort(db, String(req.params.cohortId));
  authorize(actor, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
  const [stage] = await db
    .select()
    .from(cohortStages)
    .where(and(eq(cohortStages.cohortId, cohort.id), eq(cohortStages.moduleKey, moduleKey), gt(cohortStages.position, 0), lt(cohortStages.position, RETIRED_POSITION)))
    .orderBy(asc(cohortStages.position))
    .limit(1);
  if (!stage) throw new NotFoundError('That stage');
  return {
    actor,
    cohort,
    stage,
    isCandidate: actor.cohortRoles.some((c) => c.cohortId === cohort.id && c.role === 'candidate'),
    isStaff: can(actor, 'cohort:view-progress', { type: 'cohort', cohort }),
  };
}
