/** Ready-made `authorize` functions for routes whose subject is the cohort or a candidate named in the address. */
import type { Request } from 'express';
import { getCohort, type CohortRow } from '../cohorts/queries';
import type { Db } from '../db';
import type { Action, Grant } from './router';

/** A cohort subject with its row loaded. */
export type CohortSubject = { type: 'cohort'; cohort: CohortRow };
/** A candidate subject with the cohort row loaded. */
export type CandidateSubject = { type: 'candidate'; cohort: CohortRow; candidateId: string };

/** Authorises `action` on the cohort `:cohortId` (404 "That cohort" outside the actor's world). */
export function onCohort(db: Db, action: Action) {
  return async (_req: Request, input: { params: { cohortId: string } }): Promise<Grant<CohortSubject>> => {
    const cohort = await getCohort(db, input.params.cohortId);
    return [action, { type: 'cohort', cohort }, 'That cohort'];
  };
}

/** Authorises `action` on the candidate `:userId` of the cohort `:cohortId` (404 "That candidate"). */
export function onCandidate(db: Db, action: Action, what = 'That candidate') {
  return async (_req: Request, input: { params: { cohortId: string; userId: string } }): Promise<Grant<CandidateSubject>> => {
    const cohort = await getCohort(db, input.params.cohortId);
    return [action, { type: 'candidate', cohort, candidateId: input.params.userId }, what];
  };
}

/** Authorises `action` on the training provider (admins). */
export function onProvider(action: Action) {
  return (): Grant<{ type: 'provider' }> => [action, { type: 'provider' }];
}
