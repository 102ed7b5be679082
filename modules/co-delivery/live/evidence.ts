/** The `co-delivery:live-note` evidence kind: a mentor's live note, cited by a candidate asking for a sign-off. */
import { and, eq, inArray } from 'drizzle-orm';
import { users, type EvidenceKind, type ResolvedEvidence } from '../../../server/modules/kit';
import { coDeliveryGroups, coDeliveryLiveNotes as notes, coDeliveryLiveRooms as rooms, coDeliverySessions } from '../schema';
import { timeCode } from './presenters';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });
const kindWords = { strength: 'A strength', to_work_on: 'Something to work on' } as const;

/** A note's first words, for a one-line label (cut at a word, never mid-word). */
function excerpt(body: string, max = 120): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : cut.length).replace(/[\s,;:—-]+$/, '')}…`;
}

/** Resolves live notes by id in one query: the note with its time code, the session's date and the candidate's group. */
export const liveNoteEvidence: EvidenceKind = {
  title: 'Live note',
  aliases: ['live_note'],
  async resolve(db, scope, refIds) {
    const ids = [...new Set(refIds.filter((id) => UUID.test(id)))];
    const out = new Map<string, ResolvedEvidence>();
    if (!ids.length) return out;
    const rows = await db
      .select({
        id: notes.id,
        body: notes.body,
        kind: notes.kind,
        atOffsetMs: notes.atOffsetMs,
        candidateId: notes.candidateId,
        roomId: rooms.id,
        roomTitle: rooms.title,
        cohortId: rooms.cohortId,
        startedAt: rooms.startedAt,
        sessionStartsAt: coDeliverySessions.startsAt,
        groupName: coDeliveryGroups.name,
        author: users.name,
      })
      .from(notes)
      .innerJoin(rooms, eq(rooms.id, notes.roomId))
      .innerJoin(users, eq(users.id, notes.authorId))
      .leftJoin(coDeliverySessions, eq(coDeliverySessions.id, rooms.coDeliverySessionId))
      .leftJoin(coDeliveryGroups, and(eq(coDeliveryGroups.sessionId, rooms.coDeliverySessionId), eq(coDeliveryGroups.candidateId, notes.candidateId)))
      .where(inArray(notes.id, ids));
    for (const r of rows) {
      if (out.has(r.id)) continue;
      const belongs = r.candidateId === scope.candidateId && r.cohortId === scope.cohortId;
      if (!belongs) {
        out.set(r.id, { label: 'A live note', description: 'This live note is not about this candidate in this cohort.', belongs });
        continue;
      }
      const when = day.format(r.sessionStartsAt ?? r.startedAt);
      out.set(r.id, {
        label: `“${excerpt(r.body)}” at ${timeCode(r.atOffsetMs)} — ${when}${r.groupName ? `, ${r.groupName}` : ''}`,
        description: `${kindWords[r.kind]}, noted by ${r.author} in “${r.roomTitle}”`,
        href: `/cohorts/${r.cohortId}/live/${r.roomId}/timeline#note-${r.id}`,
        belongs,
      });
    }
    return out;
  },
};
