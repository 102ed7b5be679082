/** The `co-delivery:live-note` evidence kind: a mentor's live note, cited by a candidate asking for a sign-off. */
import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { dateFormat, getCohort, users, type Db, type EvidenceChoice, type EvidenceKind, type ResolvedEvidence } from '../../../server/modules/kit';
import { coDeliveryGroups, coDeliveryLiveNotes as notes, coDeliveryLiveRooms as rooms, coDeliverySessions } from '../schema';
import { timeCode } from './presenters';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const day = (zone: string) => dateFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: zone });
const kindWords = { strength: 'A strength', to_work_on: 'Something to work on' } as const;
/** How many notes a form lists, newest first. */
const CHOICES = 40;

/** A note's first words, for a one-line label (cut at a word, never mid-word). */
function excerpt(body: string, max = 120): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : cut.length).replace(/[\s,;:—-]+$/, '')}…`;
}

const columns = {
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
};

function notesWith(db: Db) {
  return db
    .select(columns)
    .from(notes)
    .innerJoin(rooms, eq(rooms.id, notes.roomId))
    .innerJoin(users, eq(users.id, notes.authorId))
    .leftJoin(coDeliverySessions, eq(coDeliverySessions.id, rooms.coDeliverySessionId))
    .leftJoin(coDeliveryGroups, and(eq(coDeliveryGroups.sessionId, rooms.coDeliverySessionId), eq(coDeliveryGroups.candidateId, notes.candidateId)));
}

type NoteFacts = Awaited<ReturnType<ReturnType<typeof notesWith>['where']>>[number];

/** The note in words: its text and time code, the session's date (in `zone`, the cohort's organisation's) and group;
 * who wrote it, in which room. */
function words(r: NoteFacts, zone: string): EvidenceChoice & { href: string } {
  const when = day(zone).format(r.sessionStartsAt ?? r.startedAt ?? new Date(0));
  return {
    refId: r.id,
    label: `“${excerpt(r.body)}” at ${timeCode(r.atOffsetMs)} — ${when}${r.groupName ? `, ${r.groupName}` : ''}`,
    description: `${kindWords[r.kind]}, noted by ${r.author} in “${r.roomTitle}”`,
    href: `/cohorts/${r.cohortId}/live/${r.roomId}/timeline#note-${r.id}`,
  };
}

/** Resolves live notes by id in one query: the note with its time code, the session's date and the candidate's group. */
export const liveNoteEvidence: EvidenceKind = {
  title: 'Live note',
  aliases: ['live_note'],
  async resolve(db, scope, refIds) {
    const ids = [...new Set(refIds.filter((id) => UUID.test(id)))];
    const out = new Map<string, ResolvedEvidence>();
    if (!ids.length) return out;
    const [found, { timeZone }] = await Promise.all([notesWith(db).where(inArray(notes.id, ids)), getCohort(db, scope.cohortId)]);
    for (const r of found) {
      if (out.has(r.id)) continue;
      const belongs = r.candidateId === scope.candidateId && r.cohortId === scope.cohortId;
      if (!belongs) {
        out.set(r.id, { label: 'A live note', description: 'This live note is not about this candidate in this cohort.', belongs });
        continue;
      }
      const { label, description, href } = words(r, timeZone);
      out.set(r.id, { label, description, href, belongs });
    }
    return out;
  },
  /** The candidate's released notes (held ones are not theirs to see yet), newest first; none for a whole cohort. */
  async choices(db, scope) {
    if (!scope.candidateId) return [];
    const rows = await notesWith(db)
      .where(and(eq(rooms.cohortId, scope.cohortId), eq(notes.candidateId, scope.candidateId), isNotNull(notes.releasedAt)))
      .orderBy(desc(notes.createdAt))
      .limit(CHOICES);
    const { timeZone } = await getCohort(db, scope.cohortId);
    return rows.map((r) => {
      const { refId, label, description } = words(r, timeZone);
      return { refId, label, description };
    });
  },
};
