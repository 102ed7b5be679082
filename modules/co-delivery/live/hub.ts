/** The live hub: socket.io room names, per-app settings, and the broadcasts made after a transaction commits. */
import type { Server as IoServer } from 'socket.io';
import type { Db } from '../../../server/modules/kit';
import { heldCount, notesByIds } from './queries';
import { presentNote, presentRoom, presentState, type NoteRow, type RoomView } from './presenters';
import type { BucketSpec } from './rate-limit';

/** Mentors and observers of a room: every note, with its state. */
export const staffRoom = (roomId: string) => `live:${roomId}`;
/** The candidate of a room: released notes only. */
export const candidateRoom = (roomId: string) => `live:${roomId}:candidate`;

/** Tunables for one app instance. */
export type LiveSettings = {
  /** Notes a socket may post: 20 at once, then 2 a second (20 per 10 s). */
  noteRate: BucketSpec;
  /** Other live events a socket may send (joins, receipts, releases). */
  eventRate: BucketSpec;
};

const defaults: LiveSettings = { noteRate: { capacity: 20, perSecond: 2 }, eventRate: { capacity: 60, perSecond: 6 } };
const settingsByServer = new WeakMap<IoServer, LiveSettings>();

/** Overrides the live settings of one app (tests and the bench raise the rate limit for long streams). */
export function configureLive(io: IoServer, settings: Partial<LiveSettings>): void {
  settingsByServer.set(io, { ...liveSettings(io), ...settings });
}

/** The live settings of one app. */
export function liveSettings(io: IoServer): LiveSettings {
  return settingsByServer.get(io) ?? defaults;
}

/** Sends a newly stored note: to staff always, to the candidate when it is already released. */
export function broadcastNote(io: IoServer, note: NoteRow): void {
  io.to(staffRoom(note.roomId)).emit('live:note', { roomId: note.roomId, note: presentNote(note, 'mentor') });
  if (note.releaseSeq !== null) io.to(candidateRoom(note.roomId)).emit('live:note', { roomId: note.roomId, note: presentNote(note, 'candidate') });
}

/** Sends notes just released to the candidate (in release order) and their new state to staff. */
export async function broadcastRelease(io: IoServer, db: Db, roomId: string, releasedIds: string[]): Promise<void> {
  const rows = (await notesByIds(db, releasedIds)).sort((a, b) => (a.releaseSeq ?? 0) - (b.releaseSeq ?? 0));
  if (!rows.length) return;
  for (const n of rows) io.to(candidateRoom(roomId)).emit('live:note', { roomId, note: presentNote(n, 'candidate') });
  io.to(staffRoom(roomId)).emit('live:status', { roomId, notes: rows.map(presentState) });
}

/** Sends delivery/seen changes to staff. */
export function broadcastStates(io: IoServer, roomId: string, rows: Parameters<typeof presentState>[0][]): void {
  if (rows.length) io.to(staffRoom(roomId)).emit('live:status', { roomId, notes: [...rows].sort((a, b) => a.seq - b.seq).map(presentState) });
}

/** Sends the room's settings (quiet mode, segment, ended) and the held count to everyone in it. */
export async function broadcastRoom(io: IoServer, db: Db, room: RoomView): Promise<void> {
  const held = await heldCount(db, room.id);
  const payload = { roomId: room.id, room: presentRoom(room), held };
  io.to(staffRoom(room.id)).emit('live:room', payload);
  io.to(candidateRoom(room.id)).emit('live:room', payload);
}
