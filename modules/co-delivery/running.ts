/** The mentor dashboard's "Running now" for co-delivery: each live room still open, with the room and the group's
 * attainment grid one tap away. */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { users, type RunningNow, type RunningNowHook } from '../../server/modules/kit';
import { coDeliveryGroups, coDeliveryLiveRooms as rooms } from './schema';

/** Open live rooms in the cohorts (one query), each with links to the room and to recording its group's attainment. */
export const runningNow: RunningNowHook = async (db, cohortIds) => {
  if (!cohortIds.length) return [];
  const list = await db
    .select({ id: rooms.id, cohortId: rooms.cohortId, title: rooms.title, candidate: users.name, groupId: coDeliveryGroups.id, groupName: coDeliveryGroups.name })
    .from(rooms)
    .innerJoin(users, eq(users.id, rooms.candidateId))
    .leftJoin(coDeliveryGroups, and(eq(coDeliveryGroups.sessionId, rooms.coDeliverySessionId), eq(coDeliveryGroups.candidateId, rooms.candidateId)))
    .where(and(inArray(rooms.cohortId, cohortIds), isNull(rooms.endedAt)))
    .orderBy(asc(rooms.startedAt))
    .limit(50);
  const seen = new Set<string>();
  const out: RunningNow[] = [];
  for (const r of list) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const links = [{ label: `Open the live room with ${r.candidate}`, href: `/cohorts/${r.cohortId}/live/${r.id}` }];
    links.push(
      r.groupId
        ? { label: `Record attainment for ${r.groupName}`, href: `/cohorts/${r.cohortId}/stages/co-delivery/groups/${r.groupId}/attainment` }
        : { label: 'Record attainment (choose the group)', href: `/cohorts/${r.cohortId}/stages/co-delivery` },
    );
    out.push({ cohortId: r.cohortId, title: `Live room: ${r.title}`, detail: `${r.candidate} is teaching`, links });
  }
  return out;
};
