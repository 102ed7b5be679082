/** Observation sampling, pure (issue 17.6): how many of a trainer's courses in a year are due for observation, which
 * ones, why, and whether the year's sample is done or overdue. Nothing here reads a clock; `today` is passed in.
 *
 * The rules, as the pages say them:
 * - due = the rate × the trainer's courses that year, **rounded up**, at least one when they delivered any; 0 → none
 *   (5 courses at 20% → 1; 6 → 2; 10 → 2).
 * - courses observed, then courses a provider picked by hand, count first; the rest are drawn.
 * - a draw is repeatable: each course has a draw number (a hash of the trainer, year and course — never random), and
 *   courses are drawn one at a time as the year's courses are recorded, in the order they were recorded: whenever a
 *   new course raises the number due, the not-yet-picked course with the lowest draw number so far is picked. So a course
 *   once picked stays picked as more courses arrive, and anyone can re-check the draw.
 * - a year's window is its calendar year (UK date): the sample is overdue once the year has ended with fewer
 *   observations than due. */
import { createHash } from 'node:crypto';

/** The rate when neither the organisation nor the programme sets one. */
export const DEFAULT_RATE = 20;

/** A course as sampling reads it. */
export type SampledCourse = { id: string; deliveredOn: string; createdAt: Date; observed: boolean; pickedByHand: boolean };

/** Why a course is in the sample. */
export type PickReason = { how: 'observed' } | { how: 'hand' } | { how: 'drawn'; atCourse: number; dueThen: number; draw: number };

/** One year of one trainer's sampling. */
export type SampleYear = {
  year: number;
  courses: number;
  rate: number;
  due: number;
  done: number;
  status: 'none-due' | 'done' | 'due' | 'overdue';
  /** The courses in the sample, with why each was picked, in the order they were delivered. */
  picked: { id: string; reason: PickReason }[];
};

/** How many courses are due at `rate` percent of `courses`: rounded up, at least one when there is any course. */
export function dueCount(courses: number, rate: number): number {
  if (courses <= 0) return 0;
  // Integer arithmetic, so 5 × 20% is exactly 1 (no floating-point 1.0000000002 rounding up to 2).
  return Math.max(1, Math.ceil((courses * rate) / 100));
}

/** The course's draw number in [0, 1): the first 8 hex digits of SHA-256 over trainer, year and course. */
export function drawNumber(trainerId: string, year: number, courseId: string): number {
  const hex = createHash('sha256').update(`${trainerId}|${year}|${courseId}`).digest('hex').slice(0, 8);
  return parseInt(hex, 16) / 0x1_0000_0000;
}

const byDelivery = (a: SampledCourse, b: SampledCourse) => a.deliveredOn.localeCompare(b.deliveredOn) || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
// The draw follows the order courses were recorded in, so a course recorded late (dated earlier) never unpicks one.
const byRecording = (a: SampledCourse, b: SampledCourse) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);

/** One trainer's sample for one year's courses. `today` is the UK date (YYYY-MM-DD). */
export function sampleYear(trainerId: string, year: number, list: SampledCourse[], rate: number, today: string): SampleYear {
  const courses = [...list].sort(byDelivery);
  const recorded = [...list].sort(byRecording);
  const due = dueCount(courses.length, rate);
  const fixed = courses.filter((c) => c.observed || c.pickedByHand);
  const reasons = new Map<string, PickReason>(fixed.map((c) => [c.id, c.observed ? { how: 'observed' as const } : { how: 'hand' as const }]));
  // Draw over the other courses as they arrive; take as many draws as the fixed picks leave to fill.
  const open = courses.filter((c) => !reasons.has(c.id));
  const drawn: { id: string; reason: PickReason }[] = [];
  const pool: { course: SampledCourse; draw: number }[] = [];
  recorded.forEach((c, i) => {
    if (!reasons.has(c.id)) pool.push({ course: c, draw: drawNumber(trainerId, year, c.id) });
    const dueThen = dueCount(i + 1, rate);
    while (drawn.length < dueThen && drawn.length < open.length) {
      const next = pool.filter((p) => !drawn.some((d) => d.id === p.course.id)).sort((a, b) => a.draw - b.draw)[0];
      if (!next) break;
      drawn.push({ id: next.course.id, reason: { how: 'drawn', atCourse: i + 1, dueThen, draw: next.draw } });
    }
  });
  for (const d of drawn.slice(0, Math.max(0, due - fixed.length))) reasons.set(d.id, d.reason);
  const done = courses.filter((c) => c.observed).length;
  const ended = today > `${year}-12-31`;
  const status = due === 0 ? 'none-due' : done >= due ? 'done' : ended ? 'overdue' : 'due';
  return { year, courses: courses.length, rate, due, done: Math.min(done, due), status, picked: courses.filter((c) => reasons.has(c.id)).map((c) => ({ id: c.id, reason: reasons.get(c.id) as PickReason })) };
}

/** A pick's reason in words, for the course page and the report. */
export function reasonWords(r: PickReason, year: number, rate: number): string {
  if (r.how === 'observed') return 'Observed.';
  if (r.how === 'hand') return 'Picked by hand by the provider.';
  return `Drawn when the trainer’s ${ordinal(r.atCourse)} course of ${year} was recorded and made ${r.dueThen} due at ${rate}% (draw number ${r.draw.toFixed(4)}, the lowest of the courses not yet picked).`;
}

/** "1st", "2nd", "3rd", "11th", "22nd". */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** The status in words. */
export const STATUS_WORDS: Record<SampleYear['status'], string> = { 'none-due': 'None due', done: 'Done', due: 'Due', overdue: 'Overdue' };
