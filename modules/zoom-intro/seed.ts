/** Demo data: the introduction scheduled at 14:00 UK time on the stage's first day; those past it attended. */
import type { SeedContext } from '../../server/modules/kit';
import { scheduleMeeting, takeRegister } from './commands';
import { zonedToUtc } from './time';

/** Schedules the meeting and records attendance for candidates beyond this stage. */
export async function seed(ctx: SeedContext): Promise<void> {
  const { db, people, reached, stage, cohortId } = ctx;
  const day = stage.startsOn ?? new Date().toISOString().slice(0, 10);
  await scheduleMeeting(db, people.mentor1, stage.id, { startsAt: zonedToUtc(day, '14:00', 'Europe/London'), durationMinutes: 60, timezone: 'Europe/London', joinUrl: 'https://zoom.us/j/81234567890', zoomMeetingId: '81234567890' });
  const marks = Object.entries(reached)
    .filter(([, position]) => position > stage.position)
    .map(([candidateId]) => ({ candidateId, present: true }));
  if (marks.length) await takeRegister(db, people.mentor1, cohortId, stage.id, marks);
}
