/** The live hub: socket.io room names, per-app settings, and the emits made after a transaction commits (sent by
 * core's `afterCommit`, which never throws into the request or the socket). */
import type { Server as IoServer } from 'socket.io';
import type { Db, Emit } from '../../../server/modules/kit';
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

/** The emits for a newly stored note: to staff always, to the candidate when it is already released. */
export function noteEmits(note: NoteRow): Emit[] {
  const out: Emit[] = [{ room: staffRoom(note.roomId), event: 'live:note', payload: { roomId: note.roomId, note: presentNote(note, 'mentor') } }];
  if (note.releaseSeq !== null) out.push({ room: candidateRoom(note.roomId), event: 'live:note', payload: { roomId: note.roomId, note: presentNote(note, 'candidate') } });
  return out;
}

/** The emits for notes just released: to the candidate (in release order), and their new state to staff. */
export async function releaseEmits(db: Db, roomId: string, releasedIds: string[]): Promise<Emit[]> {
  const rows = (await notesByIds(db, releasedIds)).sort((a, b) => (a.releaseSeq ?? 0) - (b.releaseSeq ?? 0));
  if (!rows.length) return [];
  return [
    ...rows.map((n) => ({ room: candidateRoom(roomId), event: 'live:note', payload: { roomId, note: presentNote(n, 'candidate') } })),
    { room: staffRoom(roomId), event: 'live:status', payload: { roomId, notes: rows.map(presentState) } },
  ];
}

/** The emits for delivery/seen changes, to staff. */
export function stateEmits(roomId: string, rows: Parameters<typeof presentState>[0][]): Emit[] {
  return rows.length ? [{ room: staffRoom(roomId), event: 'live:status', payload: { roomId, notes: [...rows].sort((a, b) => a.seq - b.seq).map(presentState) } }] : [];
}

/** The emits for the room's settings (quiet mode, segment, ended) and the held count, to everyone in it. */
export async function roomEmits(db: Db, room: RoomView): Promise<Emit[]> {
  const held = await heldCount(db, room.id);
  const payload = { roomId: room.id, room: presentRoom(room), held };
  return [
    { room: staffRoom(room.id), event: 'live:room', payload },
    { room: candidateRoom(room.id), event: 'live:room', payload },
  ];
}

/** The held count, to the candidate only (a held note itself is not theirs to see yet). */
export async function heldEmits(db: Db, roomId: string): Promise<Emit[]> {
  return [{ room: candidateRoom(roomId), event: 'live:held', payload: { roomId, held: await heldCount(db, roomId) } }];
}
