/** What sockets and forms do: check the role, run the command, then (after commit) broadcast. */
import { afterCommit, ConflictError, deliver, ForbiddenError, type Actor, type AppContext } from '../../../server/modules/kit';
import type { LiveRole } from './access';
import { createRoom, postNote, recordReceipt, releaseHeld, type PostResult } from './commands';
import { heldEmits, noteEmits, releaseEmits, roomEmits, stateEmits } from './hub';
import { getRoom, notesByIds, type LoadedRoom } from './queries';
import type { CreateRoomInput, PostNoteInput } from './schemas';

/** Opens a room for a candidate; after commit the candidate is told (in-app, and on any page they have open). */
export async function openRoom(ctx: AppContext, actor: Actor, cohortId: string, input: CreateRoomInput): Promise<{ id: string }> {
  const room = await createRoom(ctx.db, actor, cohortId, input);
  await deliver(ctx, room.notifications);
  return { id: room.id };
}

/** After commit: the released notes and the room's new settings, to everyone in the room (never throws). */
function broadcastChanges(ctx: AppContext, roomId: string, releasedIds: string[]): Promise<void> {
  return afterCommit(ctx, { load: async () => [...(await releaseEmits(ctx.db, roomId, releasedIds)), ...(await roomEmits(ctx.db, await getRoom(ctx.db, roomId)))] });
}

function mentorOnly(role: LiveRole, what: string): void {
  if (role !== 'mentor') throw new ForbiddenError(`Only the cohort's mentors can ${what}.`);
}

/**
 * Stores a note (validated at the edge: the socket's or the form's schema), calls `acknowledge` with the result (so the poster hears first), then
 * broadcasts it. A repeated client id is acknowledged with the same seq and re-broadcast (clients de-duplicate).
 */
export async function submitNote(ctx: AppContext, actor: Actor, role: LiveRole, input: PostNoteInput, acknowledge: (r: PostResult) => void = () => {}): Promise<PostResult> {
  mentorOnly(role, 'post notes');
  const result = await postNote(ctx.db, actor, input);
  acknowledge(result);
  // A repeat is broadcast again from the stored row: if the first broadcast was lost (a crash after commit), this delivers it.
  // A held note reaches only staff; the candidate hears the new held count ("3 notes are waiting …").
  const held = result.note && result.note.releaseSeq === null ? () => heldEmits(ctx.db, input.roomId) : async () => [];
  await afterCommit(ctx, { emits: result.note ? noteEmits(result.note) : [], load: async () => (result.note ? await held() : (await notesByIds(ctx.db, [result.id])).flatMap(noteEmits)) });
  return result;
}

/** Releases held notes: a mentor ends the segment, or the candidate says "I'm done". Returns how many were released. */
export async function releaseNotes(ctx: AppContext, actor: Actor, role: LiveRole, room: LoadedRoom): Promise<number> {
  if (role === 'observer') throw new ForbiddenError('Observers watch only; the mentor or the candidate releases notes.');
  const reason = role === 'candidate' ? 'candidate_done' : 'end_segment';
  const result = await releaseHeld(ctx.db, actor.id, room.id, reason, { nextSegment: role === 'mentor' });
  await broadcastChanges(ctx, room.id, result.releasedIds);
  return result.releasedIds.length;
}

/** Switches quiet mode; switching it off releases anything held. */
export async function setQuietMode(ctx: AppContext, actor: Actor, role: LiveRole, room: LoadedRoom, quietMode: boolean): Promise<number> {
  mentorOnly(role, 'change quiet mode');
  if (room.endedAt) throw new ConflictError('This live session has ended.');
  if (room.quietMode === quietMode) return 0;
  // Quiet mode off: nothing may stay held. Quiet mode on: nothing is held yet, so this only records the switch.
  const result = await releaseHeld(ctx.db, actor.id, room.id, 'quiet_off', { quietMode });
  await broadcastChanges(ctx, room.id, result.releasedIds);
  return result.releasedIds.length;
}

/** Ends the session: releases anything held and refuses new notes. */
export async function endSession(ctx: AppContext, actor: Actor, role: LiveRole, room: LoadedRoom): Promise<number> {
  mentorOnly(role, 'end the session');
  const result = await releaseHeld(ctx.db, actor.id, room.id, 'session_ended', { end: true });
  await broadcastChanges(ctx, room.id, result.releasedIds);
  return result.releasedIds.length;
}

/** The candidate's receipt for notes up to a release seq; staff see "Delivered" or "Seen". */
export async function receiveNotes(ctx: AppContext, role: LiveRole, roomId: string, upToReleaseSeq: number, seen: boolean): Promise<void> {
  if (role !== 'candidate') return;
  const rows = await recordReceipt(ctx.db, roomId, upToReleaseSeq, seen);
  await afterCommit(ctx, { emits: stateEmits(roomId, rows) });
}
