/** Demo data: deep-dive requests from the candidates furthest on, and a checklist the lead and mentor have begun. */
import type { SeedContext } from '../../server/modules/kit';
import { remedialWorkshopChecklist, remedialWorkshopTopics } from './schema';
import { writeReadinessSignoff } from './ledger';
import { checklistOf } from './checklist';

const TOPICS = [
  'Talking a colleague down from a holding position when the person has calmed — the words and the timing.',
  'How to run the breakaway practice so that nobody gets hurt when a learner is much stronger than their partner.',
  'Answering learners who say “restraint keeps everyone safe” — the evidence on restraint-related harm.',
];

/** Seeds the remedial workshop: topic requests and a half-ticked rollout checklist — or, for a cohort whose candidates
 * finished the programme (reached past this stage), the whole checklist and each one's final readiness sign-off. */
export async function seedRemedialWorkshop(ctx: SeedContext): Promise<void> {
  const { db, stage, people, reached } = ctx;
  const graduates = Object.entries(reached).filter(([, position]) => position > stage.position).map(([id]) => id);
  if (graduates.length) {
    const end = new Date(`${stage.endsOn ?? new Date().toISOString().slice(0, 10)}T15:00:00Z`);
    const before = (days: number) => new Date(end.getTime() - days * 86_400_000);
    await db.insert(remedialWorkshopChecklist).values(checklistOf(stage).map((item) => ({ cohortStageId: stage.id, itemKey: item.key, leadBy: people.lead, leadAt: before(3), mentorBy: people.mentor1, mentorAt: before(2) })));
    for (const candidateId of graduates) {
      await db.transaction((tx) => writeReadinessSignoff(tx, { stage, candidateId, mentorId: people.mentor1, note: 'Ready to deliver the course on their own.', overrideReason: null, gaps: [], at: end }));
    }
    return;
  }
  const keen = Object.entries(reached).filter(([, position]) => position >= 4).map(([id]) => id);
  const topics = keen.flatMap((candidateId, i) => TOPICS.slice(i, i + (i === 0 ? 1 : 2)).map((text) => ({ cohortStageId: stage.id, candidateId, text })));
  if (topics.length) await db.insert(remedialWorkshopTopics).values(topics);
  const now = Date.now();
  await db.insert(remedialWorkshopChecklist).values(
    checklistOf(stage)
      .slice(0, 4)
      .map((item, i) => ({
        cohortStageId: stage.id,
        itemKey: item.key,
        leadBy: people.lead,
        leadAt: new Date(now - (6 - i) * 86_400_000),
        mentorBy: i < 2 ? people.mentor1 : null,
        mentorAt: i < 2 ? new Date(now - (5 - i) * 86_400_000) : null,
      })),
  );
}
