/** Presenters for sign-off answers: the fields a client may rely on, with `can` flags from the same policy. */
import type { Actor } from '../auth/actor';
import type { CohortRow } from '../cohorts/queries';
import type { signoffRequests } from '../db/tables';
import { presenter } from '../http/present';
import { can } from '../policies';
import { ALLOWED_FROM, RESUBMITTABLE } from './rules';

type RequestRow = typeof signoffRequests.$inferSelect;

/** What the actor may do with a request now (the buttons a client should show). */
export function requestCan(actor: Actor, cohort: CohortRow, r: RequestRow) {
  const subject = { type: 'candidate' as const, cohort, candidateId: r.candidateId };
  const mentor = actor.id !== r.candidateId && can(actor, 'candidate:mentor', subject);
  const self = can(actor, 'candidate:act-as-self', subject);
  return {
    signOff: mentor && ALLOWED_FROM.sign_off.includes(r.status),
    decline: mentor && ALLOWED_FROM.decline.includes(r.status),
    askForMoreEvidence: mentor && ALLOWED_FROM.more_evidence.includes(r.status),
    countersign: mentor && ALLOWED_FROM.countersign.includes(r.status) && r.signedBy !== actor.id,
    revoke: mentor && ALLOWED_FROM.revoke.includes(r.status),
    resubmit: self && RESUBMITTABLE.includes(r.status),
  };
}

/** One sign-off request as clients see it. */
export function requestView(actor: Actor, cohort: CohortRow, r: RequestRow) {
  return {
    id: r.id,
    cohortId: r.cohortId,
    candidateId: r.candidateId,
    competencyId: r.competencyId,
    reflection: r.reflection,
    status: r.status,
    rating: r.rating,
    signedBy: r.signedBy,
    countersignedBy: r.countersignedBy,
    signedAt: r.signedAt,
    submittedAt: r.submittedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    can: requestCan(actor, cohort, r),
  };
}

/** `{ request }`, optionally with more fields (evidence, decisions, resubmitted). */
export const presentRequest = presenter(<X extends object>(actor: Actor, cohort: CohortRow, r: RequestRow, extra?: X) => ({ request: requestView(actor, cohort, r), ...(extra ?? ({} as X)) }));

/** Any sign-off answer already built from reads that pick their fields (queue, maps, bulk results). */
export const presentSignoffs = presenter(<T extends object>(value: T) => value);
