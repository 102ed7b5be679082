/** Real evidence for tests: a live note a mentor posted in a room for a candidate (through the live commands). */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../server/db';
import { createRoom, postNote } from '../../modules/co-delivery/live/commands';

type Person = { id: string; email: string; name: string };

/** Opens a room for `candidateId` in `cohortId` and posts one released note; returns the note's id. */
export async function liveNote(db: Db, cohortId: string, mentor: Person, candidateId: string, body = 'You named the purpose of the session and checked everyone could hear.'): Promise<string> {
  const actor = { ...mentor, isAdmin: false, orgRoles: [], cohortRoles: [], capabilities: new Map() };
  const room = await createRoom(db, actor, cohortId, { candidateId, title: 'Breakaways with the night team', quietMode: false, leadMayObserve: true });
  return (await postNote(db, mentor, { roomId: room.id, clientId: randomUUID(), body, kind: 'strength', tags: [], atOffsetMs: 125_000 })).id;
}
