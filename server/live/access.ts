/** Who may be in a live room, and as what: the cohort's mentors post, the candidate receives, permitted observers watch. */
import type { Actor } from '../auth/actor';
import type { CohortSettings } from '../db/tables';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors';
import { cohortRelation, relatedToCohort, type CohortRef } from '../policies/relations';

/** A person's part in a live room. */
export type LiveRole = 'mentor' | 'candidate' | 'observer';

/** What the access decision needs to know about a room and its cohort. */
export type RoomRef = { candidateId: string; leadMayObserve: boolean; cohort: CohortRef & { settings: CohortSettings } };

/** True when the cohort and the room both allow leads and observers to watch. */
export function observingAllowed(room: RoomRef): boolean {
  return room.cohort.settings.leadMayObserveLive !== false && room.leadMayObserve;
}

/**
 * The actor's role in the room, or throws: 401 anonymous, 404 outside the cohort or another candidate's room
 * (its existence is not revealed), 403 a lead or observer where watching is not allowed.
 */
export function liveRole(actor: Actor | undefined, room: RoomRef): LiveRole {
  if (!actor) throw new UnauthenticatedError();
  const rel = cohortRelation(actor, room.cohort);
  if (!relatedToCohort(rel)) throw new NotFoundError('That live room');
  if (rel.mentor) return 'mentor';
  if (rel.candidate && actor.id === room.candidateId) return 'candidate';
  if (rel.lead || rel.observer || rel.admin) {
    if (observingAllowed(room)) return 'observer';
    throw new ForbiddenError('This cohort does not allow watching live feedback. Ask the mentor for the timeline afterwards.');
  }
  throw new NotFoundError('That live room');
}

/** True when the actor may create rooms in the cohort (its mentors). */
export function mayCreateRoom(actor: Actor, cohort: CohortRef): boolean {
  return cohortRelation(actor, cohort).mentor;
}
