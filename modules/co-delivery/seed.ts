/** Demo data: two course days, the standard outcomes, a group led by the candidate in co-delivery, attainment and shadow scores. */
import { addDays, type SeedContext } from '../../server/modules/kit';
import { coDeliveryAttainment, coDeliveryGroups, coDeliveryLearners, coDeliveryOutcomes, coDeliverySessions, type AttainmentLevel } from './schema';
import { STANDARD_OUTCOMES } from './catalogue';
import { seedLiveNotes } from './live/seed';

const LEVELS: AttainmentLevel[] = ['achieved', 'partly', 'achieved', 'not_yet', 'achieved'];

/** Seeds co-delivery for every demo candidate who has reached it. */
export async function seedCoDelivery(ctx: SeedContext): Promise<void> {
  const { db, stage, people, reached } = ctx;
  const start = stage.startsOn ?? new Date().toISOString().slice(0, 10);
  const sessions = await db
    .insert(coDeliverySessions)
    .values([0, 1].map((d) => ({ cohortStageId: stage.id, title: `Conflict management and restraint reduction — day ${d + 1}`, startsAt: new Date(`${addDays(start, d)}T09:00:00Z`), endsAt: new Date(`${addDays(start, d)}T16:00:00Z`), location: 'Harbourside Care training suite, Bristol', createdBy: people.mentor1 })))
    .returning();
  const outcomes = await db
    .insert(coDeliveryOutcomes)
    .values(STANDARD_OUTCOMES.map((text, i) => ({ cohortStageId: stage.id, position: i + 1, text })))
    .returning();
  const leaders = Object.entries(reached).filter(([, position]) => position >= stage.position);
  for (const [gi, [candidateId, position]] of leaders.entries()) {
    const [group] = await db.insert(coDeliveryGroups).values({ cohortStageId: stage.id, name: `Group ${String.fromCharCode(65 + gi)}`, candidateId, sessionId: sessions[0].id }).returning();
    const learners = await db
      .insert(coDeliveryLearners)
      .values(Array.from({ length: 6 }, (_, i) => ({ cohortStageId: stage.id, groupId: group.id, label: `HC-${String(gi * 10 + i + 1).padStart(2, '0')}` })))
      .returning();
    // The candidate in the stage has judged four of six learners so far (one past it, all six); a mentor shadow-scored three.
    const rows = learners.slice(0, position > stage.position ? learners.length : 4).flatMap((l, li) =>
      outcomes.map((o, oi) => ({ learnerId: l.id, outcomeId: o.id, recorderId: candidateId, role: 'candidate' as const, level: LEVELS[(li + oi) % LEVELS.length] })),
    );
    const shadow = learners.slice(0, 3).flatMap((l, li) =>
      outcomes.map((o, oi) => ({ learnerId: l.id, outcomeId: o.id, recorderId: people.mentor1, role: 'mentor' as const, level: li === 1 && oi === 3 ? 'partly' as const : li === 2 && oi === 1 ? 'not_yet' as const : LEVELS[(li + oi) % LEVELS.length] })),
    );
    await db.insert(coDeliveryAttainment).values([...rows, ...shadow]);
  }
  // A finished live feedback session for the candidate in co-delivery, linked to the first course day.
  await seedLiveNotes(ctx);
}
