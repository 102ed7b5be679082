/** The live feedback JSON answers, through presenters (rooms, replays and single notes; never a raw row). */
import { presenter } from '../../../server/modules/kit';
import type { LiveRole } from './access';
import { presentNote, presentRoom, type NoteRow, type RoomView } from './presenters';
import type { cohortRooms } from './queries';

type ListedRoom = Awaited<ReturnType<typeof cohortRooms>>[number];

/** The rooms of a cohort the caller may see. */
export const presentRoomList = presenter((rows: ListedRoom[]) => ({
  rooms: rows.map((r) => ({ id: r.id, title: r.title, candidateId: r.candidateId, candidateName: r.candidateName, startedAt: r.startedAt, endedAt: r.endedAt, leadMayObserve: r.leadMayObserve, noteCount: r.noteCount })),
}));

/** One room's settings (and the caller's role in it). */
export const presentRoomAnswer = presenter((room: RoomView, role?: LiveRole) => ({ room: presentRoom(room), ...(role ? { role } : {}) }));

/** A replay batch after a cursor. */
export const presentReplay = presenter((role: LiveRole, rows: NoteRow[], hasMore: boolean) => ({ role, notes: rows.map((n) => presentNote(n, role)), hasMore }));

/** One note, with its room and where it sits on the timeline. */
export const presentNoteAnswer = presenter((note: NoteRow, role: LiveRole, room: RoomView) => ({
  note: presentNote(note, role),
  room: presentRoom(room),
  links: { timeline: `/cohorts/${room.cohortId}/live/${room.id}/timeline#note-${note.id}` },
}));
