/** Who may be in a live room, and as what: the cohort's mentors post, the candidate receives, permitted observers watch.
 * Decided by core's `authorize()`/`can()` with this module's capabilities, as every page is. */
import { authorize, can, ForbiddenError, NotFoundError, type Actor, type CohortRef, type CohortSettings } from '../../../server/modules/kit';

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
  const cohort = { type: 'cohort', cohort: room.cohort } as const;
  authorize(actor, 'cohort:view', cohort, 'That live room');
  // The candidate of the room only ever receives in it, even when they are also a mentor of the cohort.
  if (actor.id !== room.candidateId && can(actor, 'co-delivery:live-post', cohort)) return 'mentor';
  if (can(actor, 'co-delivery:live-receive', { type: 'candidate', cohort: room.cohort, candidateId: room.candidateId })) return 'candidate';
  if (can(actor, 'co-delivery:live-observe', cohort)) {
    if (observingAllowed(room)) return 'observer';
    throw new ForbiddenError('This cohort does not allow watching live feedback. Ask the mentor for the timeline afterwards.');
  }
  throw new NotFoundError('That live room');
}

/** True when the actor may create rooms in the cohort (its mentors). */
export function mayCreateRoom(actor: Actor, cohort: CohortRef): boolean {
  return can(actor, 'co-delivery:live-post', { type: 'cohort', cohort });
}
