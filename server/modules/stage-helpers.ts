/** The helpers every stage module gets, bound to its key: its stage in a cohort, an authorised request context, lock reasons. */
import type { Request } from 'express';
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { cohortStages } from '../db/tables';
import { GateClosedError, NotFoundError } from '../errors';
import { getCohort, type CohortRow } from '../cohorts/queries';
import { actorOf } from '../http/request-context';
import { authorize, can, type Action, type CapabilityVerb } from '../policies';
import type { ProgressContext } from '../progression/engine';
import { candidateStage, unmetReasons } from '../progression/queries';
import { RETIRED_POSITION } from '../progression/registry';
import type { StageRow } from '../progression/types';

/** The cohort, its stage run by the module, and who is asking (with their relation to the cohort). */
export type StageContext = { actor: Actor; cohort: CohortRow; stage: StageRow; isCandidate: boolean; isStaff: boolean };

/** The helpers bound to one module (`rt.stage` in a module's hooks). */
export type StageHelpers = ReturnType<typeof stageHelpers>;

/** Builds the helpers for the module `key` (titled `title`) on the app's database and registry. */
export function stageHelpers(ctx: ProgressContext, key: string, title: string) {
  const { db } = ctx;
  /** Loads a cohort (404 when missing); the caller authorises before asking for the stage. */
  const loadCohort = (cohortId: unknown): Promise<CohortRow> => getCohort(db, String(cohortId));

  /** The cohort's live stage of this module (lowest position among the live ones), or 404. */
  async function loadStage(cohortId: string): Promise<StageRow> {
    const [row] = await db
      .select()
      .from(cohortStages)
      .where(and(eq(cohortStages.cohortId, cohortId), eq(cohortStages.moduleKey, key), gt(cohortStages.position, 0), lt(cohortStages.position, RETIRED_POSITION)))
      .orderBy(asc(cohortStages.position))
      .limit(1);
    if (!row) throw new NotFoundError('That stage');
    return row;
  }

  /** Authorises `<key>:view` (and `<key>:<capability>` when given) on the URL's cohort; returns actor, cohort and stage. */
  async function context(req: Request, capability?: CapabilityVerb): Promise<{ actor: Actor; cohort: CohortRow; stage: StageRow }> {
    const actor = actorOf(req);
    const cohort = await loadCohort(req.params.cohortId);
    // `${key}:…` is a module action by construction; an undeclared one throws CADRE_ERR_POLICY_UNKNOWN_ACTION.
    authorize(actor, `${key}:view` as Action, { type: 'cohort', cohort }, 'That cohort');
    if (capability) authorize(actor, `${key}:${capability}` as Action, { type: 'cohort', cohort });
    return { actor, cohort, stage: await loadStage(cohort.id) };
  }

  /** For modules without a `<key>:view` capability: authorises `cohort:view` and says whether the actor is a candidate or staff. */
  async function request(req: Request): Promise<StageContext> {
    const actor = actorOf(req);
    const cohort = await loadCohort(req.params.cohortId);
    authorize(actor, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
    const stage = await loadStage(cohort.id);
    return {
      actor,
      cohort,
      stage,
      isCandidate: actor.cohortRoles.some((c) => c.cohortId === cohort.id && c.role === 'candidate'),
      isStaff: can(actor, 'cohort:view-progress', { type: 'cohort', cohort }),
    };
  }

  /** Why the stage is still locked for this candidate, or null when it is open. */
  async function lockReason(cohortId: string, candidateId: string): Promise<string | null> {
    const progress = await candidateStage(ctx, cohortId, candidateId, key);
    return progress?.status === 'locked' ? unmetReasons(progress).join(' ') : null;
  }

  /** Throws 409 gate_closed with the candidate's reason while the stage is locked for them. */
  async function assertOpenFor(cohortId: string, candidateId: string): Promise<void> {
    const reason = await lockReason(cohortId, candidateId);
    if (reason !== null) throw new GateClosedError(`${title} is not open for you yet: ${reason}`);
  }

  return { key, loadCohort, loadStage, context, request, lockReason, assertOpenFor };
}
