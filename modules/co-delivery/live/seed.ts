/** Demo live-feedback notes: a finished co-delivery session for candidate 3 with ten released notes. */
import { asc, eq } from 'drizzle-orm';
import type { SeedContext } from '../../../server/modules/kit';
import { coDeliveryLiveNotes, coDeliveryLiveReleases, coDeliveryLiveRooms, coDeliverySessions, type LiveNoteKind } from '../schema';
import { practicalCriteria } from './queries';

type DemoNote = { min: number; by: 'mentor1' | 'mentor2'; kind: LiveNoteKind; body: string; tags: string[]; criterion?: number };

const NOTES: DemoNote[] = [
  { min: 2, by: 'mentor1', kind: 'strength', body: 'Clear, warm welcome — you named the purpose of the session and how long it would take.', tags: ['tone'], criterion: 0 },
  { min: 6, by: 'mentor2', kind: 'to_work_on', body: 'Check the exit route and the space around the mats before the first demonstration.', tags: ['safety'], criterion: 2 },
  { min: 9, by: 'mentor1', kind: 'strength', body: 'Good reactionary gap when you showed the stance; learners copied the distance without prompting.', tags: ['distance'] },
  { min: 14, by: 'mentor1', kind: 'to_work_on', body: 'The breakaway steps came quickly — pause after each one and ask a learner to say it back.', tags: ['pace'], criterion: 1 },
  { min: 18, by: 'mentor2', kind: 'strength', body: 'You linked the technique back to dignity: "we leave, we do not win". Learners nodded.', tags: ['tone'] },
  { min: 23, by: 'mentor1', kind: 'strength', body: 'Spotted the learner with a sore wrist and offered an adapted role without fuss.', tags: ['safety', 'teamwork'], criterion: 2 },
  { min: 29, by: 'mentor2', kind: 'to_work_on', body: 'Your co-trainer was waiting to add the debrief point — hand over with a look or a name.', tags: ['teamwork'] },
  { min: 34, by: 'mentor1', kind: 'strength', body: 'Calm, low voice during the role-play when the "service user" raised theirs.', tags: ['tone'] },
  { min: 41, by: 'mentor2', kind: 'to_work_on', body: 'During the pairs practice you stood behind one pair for a while; move round so every pair gets feedback.', tags: ['distance', 'pace'] },
  { min: 48, by: 'mentor1', kind: 'strength', body: 'Strong close: three questions back to the group, and you recorded who needs a follow-up.', tags: ['teamwork'], criterion: 0 },
];

/** Seeds the demo's live notes (a finished session, all notes released, delivered and seen). */
export async function seedLiveNotes(world: SeedContext): Promise<void> {
  const { db } = world;
  const candidateId = world.people.candidate3;
  const mentor1 = world.people.mentor1;
  if (!candidateId || !mentor1) return;
  const criteria = await practicalCriteria(db);
  const [session] = await db.select({ id: coDeliverySessions.id }).from(coDeliverySessions).where(eq(coDeliverySessions.cohortStageId, world.stage.id)).orderBy(asc(coDeliverySessions.startsAt)).limit(1);
  const sessionId = session?.id ?? null;
  const start = new Date(Date.now() - 2 * 86_400_000);
  start.setUTCHours(9, 30, 0, 0);
  const at = (min: number) => new Date(start.getTime() + min * 60_000);
  const segmentEnds = [20, 38, 55];
  const [room] = await db
    .insert(coDeliveryLiveRooms)
    .values({
      cohortId: world.cohortId,
      candidateId,
      coDeliverySessionId: sessionId,
      title: 'Co-delivery: breakaway techniques with the night team',
      createdBy: mentor1,
      startedAt: start,
      endedAt: at(55),
      quietMode: true,
      segment: segmentEnds.length,
      segmentStartedAt: at(38),
      nextSeq: NOTES.length + 1,
      nextReleaseSeq: NOTES.length + 1,
      createdAt: start,
    })
    .returning({ id: coDeliveryLiveRooms.id });
  const releaseMin = (min: number) => segmentEnds.find((end) => end >= min) ?? 55;
  await db.insert(coDeliveryLiveNotes).values(
    NOTES.map((n, i) => ({
      roomId: room.id,
      seq: i + 1,
      releaseSeq: i + 1,
      clientId: crypto.randomUUID(),
      authorId: world.people[n.by] ?? mentor1,
      candidateId,
      body: n.body,
      kind: n.kind,
      criterionId: n.criterion !== undefined ? (criteria[n.criterion]?.id ?? null) : null,
      tags: n.tags,
      atOffsetMs: n.min * 60_000,
      segment: segmentEnds.findIndex((end) => end >= n.min) + 1,
      releasedAt: at(releaseMin(n.min)),
      deliveredAt: at(releaseMin(n.min)),
      seenAt: at(releaseMin(n.min) + 1),
      createdAt: at(n.min),
    })),
  );
  let from = 1;
  for (const [i, end] of segmentEnds.entries()) {
    const count = NOTES.filter((n) => releaseMin(n.min) === end).length;
    if (!count) continue;
    await db.insert(coDeliveryLiveReleases).values({
      roomId: room.id,
      fromReleaseSeq: from,
      toReleaseSeq: from + count - 1,
      noteCount: count,
      reason: i === segmentEnds.length - 1 ? 'session_ended' : 'end_segment',
      releasedBy: mentor1,
      createdAt: at(end),
    });
    from += count;
  }
}
