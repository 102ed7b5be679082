/** The register's sampling column (17.4 with 17.6): for each trainer and organisation, their last observation and
 * whether they are due one, read from sampling's `trainerSamples` (plus one query for the observation dates). */
import type { Db } from '../db';
import { londonDate } from '../progression/kinds/answers';
import { observationsOf, trainerSamples } from '../sampling/queries';
import { standingKey } from './status';

/** A trainer's observation sampling as the register says it. */
export type RegisterSampling = { lastObservedOn: string | null; dueNow: boolean; words: string };

/** What the register says for a trainer with no course recorded. */
export const NO_SAMPLING: RegisterSampling = { lastObservedOn: null, dueNow: false, words: 'No courses recorded yet, so none due.' };

/** Sampling per (trainer, organisation), keyed by `standingKey`; a trainer with no course recorded has none (show
 * `NO_SAMPLING`). `today` is the UK date. Five queries however many trainers. */
export async function registerSampling(db: Db, organisationId: string | null, today: string = londonDate(new Date())): Promise<Map<string, RegisterSampling>> {
  const samples = await trainerSamples(db, { ...(organisationId ? { organisationId } : {}), today });
  const observedIds = samples.flatMap((s) => s.pickedCourses.filter((c) => c.observed).map((c) => c.id));
  const observations = await observationsOf(db, observedIds);
  const lastByCourse = new Map<string, string>();
  for (const o of observations) if ((lastByCourse.get(o.courseId) ?? '') < o.observedOn) lastByCourse.set(o.courseId, o.observedOn);
  const thisYear = Number(today.slice(0, 4));
  const grouped = new Map<string, typeof samples>();
  for (const s of samples) {
    const key = standingKey(s.trainerId, s.organisationId);
    grouped.set(key, [...(grouped.get(key) ?? []), s]);
  }
  const out = new Map<string, RegisterSampling>();
  for (const [key, years] of grouped) {
    const last = years.flatMap((y) => y.pickedCourses.map((c) => lastByCourse.get(c.id) ?? '')).reduce((a, b) => (a > b ? a : b), '') || null;
    const overdue = years.filter((y) => y.status === 'overdue').sort((a, b) => b.year - a.year)[0];
    const current = years.find((y) => y.year === thisYear);
    const parts: string[] = [];
    if (overdue) parts.push(`Overdue: ${overdue.done} of ${overdue.due} observed in ${overdue.year}`);
    if (current?.status === 'due') parts.push(`Due: ${current.done} of ${current.due} observed in ${thisYear}`);
    else if (current?.status === 'done') parts.push(`Done: ${current.done} of ${current.due} observed in ${thisYear}`);
    else if (!overdue) parts.push(`None due in ${thisYear} (no courses recorded this year)`);
    out.set(key, { lastObservedOn: last, dueNow: !!overdue || current?.status === 'due', words: `${parts.join('. ')}.` });
  }
  return out;
}
