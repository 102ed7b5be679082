/** How live rooms and notes are shown: to mentors and observers (everything, with state) and to the candidate. */
import type { LiveRole } from './access';

/** A note's delivery state, as the mentor sees it. */
export type NoteState = 'held' | 'sent' | 'delivered' | 'seen';

/** A note row with its author's name and criterion title, as the queries return it. */
export type NoteRow = {
  id: string;
  roomId: string;
  seq: number;
  releaseSeq: number | null;
  clientId: string;
  authorId: string;
  authorName: string;
  candidateId: string;
  body: string;
  kind: 'strength' | 'to_work_on';
  criterionId: string | null;
  criterionTitle: string | null;
  tags: string[];
  atOffsetMs: number;
  segment: number;
  releasedAt: Date | null;
  deliveredAt: Date | null;
  seenAt: Date | null;
  createdAt: Date;
};

/** The state words shown beside a note. */
export const STATE_LABELS: Record<NoteState, string> = {
  held: 'Held (quiet mode)',
  sent: 'Sent',
  delivered: 'Delivered',
  seen: 'Seen',
};

/** A note's state from its timestamps. */
export function noteState(n: Pick<NoteRow, 'releasedAt' | 'deliveredAt' | 'seenAt'>): NoteState {
  if (!n.releasedAt) return 'held';
  if (n.seenAt) return 'seen';
  if (n.deliveredAt) return 'delivered';
  return 'sent';
}

/** "4:05" or "1:02:09" from milliseconds since the session started. */
export function timeCode(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A note as sent over the socket and the JSON API; candidates never see held notes or client ids. */
export function presentNote(n: NoteRow, role: LiveRole) {
  const state = noteState(n);
  const base = {
    id: n.id,
    roomId: n.roomId,
    seq: n.seq,
    releaseSeq: n.releaseSeq,
    body: n.body,
    kind: n.kind,
    kindLabel: n.kind === 'strength' ? 'Strength' : 'To work on',
    criterion: n.criterionId ? { id: n.criterionId, title: n.criterionTitle ?? '' } : null,
    tags: n.tags,
    atOffsetMs: n.atOffsetMs,
    timeCode: timeCode(n.atOffsetMs),
    segment: n.segment,
    author: { id: n.authorId, name: n.authorName },
    releasedAt: iso(n.releasedAt),
    createdAt: iso(n.createdAt),
  };
  if (role === 'candidate') return base;
  return { ...base, clientId: n.clientId, state, stateLabel: STATE_LABELS[state], deliveredAt: iso(n.deliveredAt), seenAt: iso(n.seenAt) };
}

/** A presented note. */
export type PresentedNote = ReturnType<typeof presentNote>;

/** A state change for the mentor's list. */
export function presentState(n: Pick<NoteRow, 'seq' | 'releaseSeq' | 'releasedAt' | 'deliveredAt' | 'seenAt'>) {
  const state = noteState(n);
  return { seq: n.seq, releaseSeq: n.releaseSeq, state, stateLabel: STATE_LABELS[state], releasedAt: iso(n.releasedAt), deliveredAt: iso(n.deliveredAt), seenAt: iso(n.seenAt) };
}

/** A room row as presenters need it. */
export type RoomView = {
  id: string;
  cohortId: string;
  candidateId: string;
  candidateName: string;
  title: string;
  coDeliverySessionId: string | null;
  startedAt: Date;
  endedAt: Date | null;
  quietMode: boolean;
  segment: number;
  leadMayObserve: boolean;
};

/** The room's public settings. */
export function presentRoom(r: RoomView) {
  return {
    id: r.id,
    cohortId: r.cohortId,
    candidate: { id: r.candidateId, name: r.candidateName },
    title: r.title,
    coDeliverySessionId: r.coDeliverySessionId,
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    quietMode: r.quietMode,
    segment: r.segment,
    leadMayObserve: r.leadMayObserve,
  };
}
