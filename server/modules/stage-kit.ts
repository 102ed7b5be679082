/** What every stage module needs from core: its stage in a cohort, an authorised request context, and the lock reason. */
import type { Request } from 'express';
import { and, asc, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import type { Db } from '../db';
import { cohortStages } from '../db/tables';
import { GateClosedError, NotFoundError } from '../errors';
import { getCohort, type CohortRow } from '../cohorts/queries';
import { actorOf } from '../http/request-context';
import { authorize } from '../policies';
import { candidateStage, unmetReasons } from '../progression/queries';
import type { StageRow } from '../progression/types';

/** The helpers bound to one module key. */
export type StageKit = ReturnType<typeof stageKit>;

/** Builds the helpers for module `key`. */
export function stageKit(key: string) {
  /** Loads a cohort (404 when missing); the caller authorises before asking for the stage. */
  const loadCohort = (db: Db, cohortId: unknown): Promise<CohortRow> => getCohort(db, String(cohortId));

  /** The cohort's live stage of this module (lowest position), or 404. */
  async function loadStage(db: Db, cohortId: string): Promise<StageRow> {
    const [row] = await db
      .select()
      .from(cohortStages)
      .where(and(eq(cohortStages.cohortId, cohortId), eq(cohortStages.moduleKey, key)))
      .orderBy(asc(cohortStages.position))
      .limit(1);
    if (!row) throw new NotFoundError('That stage');
    return row;
  }

  /** Authorises `<key>:view` (and `<key>:<capability>` when given) on the URL's cohort; returns actor, cohort and stage. */
  async function context(db: Db, req: Request, capability?: string): Promise<{ actor: Actor; cohort: CohortRow; stage: StageRow }> {
    const actor = actorOf(req);
    const cohort = await loadCohort(db, req.params.cohortId);
    authorize(actor, `${key}:view`, { type: 'cohort', cohort }, 'That cohort');
    if (capability) authorize(actor, `${key}:${capability}`, { type: 'cohort', cohort });
    return { actor, cohort, stage: await loadStage(db, cohort.id) };
  }

  /** Why the stage is still locked for this candidate, or null when it is open. */
  async function lockReason(db: Db, cohortId: string, candidateId: string): Promise<string | null> {
    const progress = await candidateStage(db, cohortId, candidateId, key);
    return progress?.status === 'locked' ? unmetReasons(progress).join(' ') : null;
  }

  /** Throws 409 gate_closed with the candidate's reason while the stage is locked for them. */
  async function assertOpenFor(db: Db, cohortId: string, candidateId: string, stageTitle: string): Promise<void> {
    const reason = await lockReason(db, cohortId, candidateId);
    if (reason !== null) throw new GateClosedError(`${stageTitle} is not open for you yet: ${reason}`);
  }

  return { key, loadCohort, loadStage, context, lockReason, assertOpenFor };
}
