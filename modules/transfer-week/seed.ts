/** Demo data: four in-person days, registers and trainer-role moments consistent with how far each candidate got. */
import { addDays, type SeedContext } from '../../server/modules/kit';
import { transferWeekAttendance, transferWeekDays, transferWeekMoments } from './schema';

const MOMENTS = [
  {
    segment: 'Opened day two: the “what escalates us” discussion',
    reflection:
      'I set the ground rules and asked the group to name what escalates them at work. People were quiet at first; sharing one of my own triggers helped. Next time I will use pairs before the whole group so quieter colleagues are heard.',
  },
  {
    segment: 'Coached pairs through the breakaway from a wrist hold',
    reflection:
      'I demonstrated slowly, then coached three pairs. I stopped one pair who were rushing and reminded everyone that the aim is to get away safely, not to win. I need to keep an eye on the clock — we overran by ten minutes.',
  },
  {
    segment: 'Led the debrief after the de-escalation role-plays',
    reflection:
      'I asked what the “person in distress” noticed first. Feedback was specific and kind. I want to practise drawing out the link to the person’s care plan, which I missed.',
  },
];

/** Seeds transfer week for the demo cohort: candidates in stage 4 or later attended and had moments confirmed. */
export async function seedTransferWeek(ctx: SeedContext): Promise<void> {
  const { db, stage, people, reached } = ctx;
  const start = stage.startsOn ?? new Date().toISOString().slice(0, 10);
  const mentor = people.mentor1;
  const days = await db
    .insert(transferWeekDays)
    .values(
      [0, 1, 2, 3].map((i) => ({
        cohortStageId: stage.id,
        day: addDays(start, i),
        venue: i === 3 ? 'Harbourside Care, Lime Street house — training room' : 'Harbourside Care training suite, Bristol',
        notes: i === 0 ? 'Bring comfortable clothes for the physical skills practice.' : null,
        createdBy: mentor,
      })),
    )
    .returning();
  const past = Object.entries(reached).filter(([, position]) => position > stage.position).map(([id]) => id);
  const marks = past.flatMap((candidateId, ci) =>
    days.map((d, di) => ({ dayId: d.id, candidateId, mark: (ci === 0 && di === 1 ? 'late' : 'present') as 'late' | 'present', recordedBy: mentor })),
  );
  if (marks.length) await db.insert(transferWeekAttendance).values(marks);
  const moments = past.flatMap((candidateId, ci) =>
    MOMENTS.slice(0, ci === 0 ? 2 : 3).map((m, i) => ({
      cohortStageId: stage.id,
      candidateId,
      dayId: days[i + 1].id,
      ...m,
      status: 'confirmed' as const,
      mentorId: mentor,
      mentorComment: i === 0 ? 'A warm, safe opening — well done for modelling it first.' : null,
      decidedAt: new Date(`${days[i + 1].day}T17:00:00Z`),
    })),
  );
  if (moments.length) await db.insert(transferWeekMoments).values(moments);
}
