/** The helpers every stage module gets, bound to its key: its stage in a cohort, an authorised request context, lock reasons. */
import type { Request } from 'express';
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { cohortStages } from '../db/tables';
import { GateClosedError, NotFoundError } from '../errors';
import { getCohort, type CohortRow } from '../cohorts/queries';
import { actorOf } from '../http/request-context';
import { grant, type Grant } from '../http/router';
import { authorize, can, type Action, type CapabilityVerb } from '../policies';
import type { ProgressContext } from '../progression/engine';
import { candidateStage, unmetReasons } from '../progression/queries';
import { RETIRED_POSITION } from '../progression/registry';
import type { StageRow } from '../progression/types';

/** The cohort, its stage run by the module, and who is asking (with their relation to the cohort). */
export type StageContext = { actor: Actor; cohort: CohortRow; stage: StageRow; isCandidate: boolean; isStaff: boolean };

/** What a stage route's `authorize` loads and the policy decides on: the URL's cohort, with this module's stage in it. */
export type StageSubject = { type: 'cohort'; cohort: CohortRow; stage: StageRow };
/** The same for one candidate's record in the stage (their own work, or a mentor deciding on it). */
export type StageCandidateSubject = { type: 'candidate'; cohort: CohortRow; candidateId: string; stage: StageRow };
/** What the `authorize` of a route under /cohorts/:cohortId gets. */
type CohortAddress = { params: { cohortId: string } };

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

  /** The URL's cohort and this module's stage in it (404 "That cohort" / "That stage"); the route authorises. */
  async function load(cohortId: string): Promise<{ cohort: CohortRow; stage: StageRow }> {
    const cohort = await loadCohort(cohortId);
    return { cohort, stage: await loadStage(cohort.id) };
  }

  /** A route's `authorize`: `action` on the URL's cohort; the handler gets `subject.cohort` and `subject.stage`. */
  function on(action: Action) {
    return async (_req: Request, { params }: CohortAddress): Promise<Grant<StageSubject>> => {
      const { cohort, stage } = await load(params.cohortId);
      return grant(action, { type: 'cohort', cohort, stage }, 'That cohort');
    };
  }

  /** A route's `authorize`: `action` on the actor's own record in the stage (a candidate doing their own work). */
  function onSelf(action: Action) {
    return async (req: Request, { params }: CohortAddress): Promise<Grant<StageCandidateSubject>> => {
      const { cohort, stage } = await load(params.cohortId);
      return grant(action, { type: 'candidate', cohort, candidateId: actorOf(req).id, stage }, 'That cohort');
    };
  }

  /** A route's `authorize`: `action` on the record of the candidate a loaded row belongs to (a mentor deciding on a
   * candidate's moment, topic or group); `find` loads the row of the stage or throws its 404. */
  function onRecordOf<T extends { candidateId: string }, I extends CohortAddress>(action: Action, find: (stage: StageRow, input: I) => Promise<T>) {
    return async (_req: Request, input: I): Promise<Grant<StageCandidateSubject & { row: T }>> => {
      const { cohort, stage } = await load(input.params.cohortId);
      const row = await find(stage, input);
      return grant(action, { type: 'candidate', cohort, candidateId: row.candidateId, stage, row }, 'That cohort');
    };
  }

  /** A route's `authorize`: `action` on the URL's cohort, for a row of the stage that belongs to no one candidate (a
   * day, a session); `find` loads it or throws its 404. The handler gets `subject.row`. */
  function onRow<T, I extends CohortAddress>(action: Action, find: (stage: StageRow, input: I) => Promise<T>) {
    return async (_req: Request, input: I): Promise<Grant<StageSubject & { row: T }>> => {
      const { cohort, stage } = await load(input.params.cohortId);
      const row = await find(stage, input);
      return grant(action, { type: 'cohort', cohort, stage, row }, 'That cohort');
    };
  }

  /** How the (authorised) actor stands in the cohort: a candidate of it, and/or staff who see everyone's progress. */
  function standing(actor: Actor, cohort: CohortRow): { isCandidate: boolean; isStaff: boolean } {
    return {
      isCandidate: actor.cohortRoles.some((c) => c.cohortId === cohort.id && c.role === 'candidate'),
      isStaff: can(actor, 'cohort:view-progress', { type: 'cohort', cohort }),
    };
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

  return { key, loadCohort, loadStage, load, on, onSelf, onRow, onRecordOf, standing, context, request, lockReason, assertOpenFor };
}
