/** The live routes' `authorize`: the room named in the address, and the caller's part in it, decided once per request
 * by the same `liveRole` the sockets use. */
import type { Request } from 'express';
import { actorOf, ForbiddenError, grant, NotFoundError, type Action, type Db, type Grant } from '../../../server/modules/kit';
import { liveRole, type LiveRole } from './access';
import { getRoom, type LoadedRoom } from './queries';

/** A live room, loaded, with the caller's role in it. */
export type RoomSubject = { type: 'cohort'; cohort: LoadedRoom['cohort']; room: LoadedRoom; role: LiveRole };

const ACTION: Record<LiveRole, Action> = { mentor: 'co-delivery:live-post', candidate: 'cohort:view', observer: 'co-delivery:live-observe' };

/** Authorises the room `:roomId` (of the cohort `:cohortId`, when the address names one); `allowed` lists the roles
 * that may make this request (default: anyone with a part in the room). 404 outside it, 403 a role not allowed. */
export function onRoom(db: Db, allowed: LiveRole[] = ['mentor', 'candidate', 'observer']) {
  return async (req: Request, { params }: { params: { roomId: string; cohortId?: string } }): Promise<Grant<RoomSubject>> => {
    const room = await getRoom(db, params.roomId);
    if (params.cohortId !== undefined && room.cohortId !== params.cohortId) throw new NotFoundError('That live room');
    const role = liveRole(actorOf(req), room);
    if (!allowed.includes(role)) throw new ForbiddenError(role === 'observer' ? 'Observers watch only; the mentor or the candidate does that.' : "Only the cohort's mentors can do that in a live room.");
    return grant(ACTION[role], { type: 'cohort', cohort: room.cohort, room, role }, 'That live room');
  };
}
