/** The candidate's own view of the "at risk — overdue" signal their mentors and lead see on the readiness board: the same
 * rule (`stageCell` of the readiness model: a stage not complete once its window has closed), computed from the progress
 * the candidate's page already has, said to the candidate in plain and kind words with where to act and who to talk to. */
import { cohortPeople } from '../cohorts/queries';
import { VersionedCache } from '../db/versions';
import type { ProgressContext, StageProgress } from '../progression/engine';
import { unmetReasons } from '../progression/queries';
import { sayDate, stageCell, ukDate } from './model';

/** One thing the candidate is behind on, with where to act. */
export type StandingLine = { text: string; href?: string; label?: string };

/** What the candidate's page shows first when they are behind (null when they are not). */
export type Standing = { lines: StandingLine[]; contacts: { name: string; email: string }[] };

const mentorsCache = new VersionedCache<{ name: string; email: string }[]>(2000);

/** The cohort's active mentors (kept while the cohort's data version stays the same: no statement on a repeat read). */
async function mentorsOf(ctx: ProgressContext, cohortId: string) {
  const found = await mentorsCache.get(ctx.db, [cohortId], (id) => id, '', async () => new Map([[cohortId, (await cohortPeople(ctx.db, cohortId, 'mentor')).filter((p) => p.status === 'active').map((p) => ({ name: p.name, email: p.email }))]]));
  return found.get(cohortId) ?? [];
}

const withoutStop = (s: string) => s.replace(/\.$/, '');
const listed = (names: string[]) => (names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);

/** The candidate's standing: the stages the readiness board shows as overdue for them, open ones first with what is
 * still to do; those not open to them yet in one line (they open in turn). */
export async function candidateStanding(ctx: ProgressContext, cohortId: string, stages: StageProgress[], now = new Date()): Promise<Standing | null> {
  const today = ukDate(now);
  const overdue = stages.filter((s) => stageCell(s.status, { id: s.stageId, title: s.title, position: s.position, startsOn: s.startsOn, endsOn: s.endsOn }, today, null).state === 'at_risk');
  if (!overdue.length) return null;
  const lines: StandingLine[] = overdue
    .filter((s) => s.status !== 'locked')
    .map((s) => {
      const todo = unmetReasons(s).map(withoutStop);
      return { text: `${s.title} closed on ${sayDate(s.endsOn as string)}${todo.length ? ` — still to do: ${todo.join('; ')}` : ''}. You can carry on now.`, href: `/cohorts/${cohortId}/stages/${s.key}`, label: `Carry on with ${s.title}` };
    });
  const waiting = overdue.filter((s) => s.status === 'locked');
  if (waiting.length) {
    const one = waiting.length === 1;
    lines.push({ text: `${listed(waiting.map((s) => s.title))} ${one ? 'was' : 'were'} planned to finish by ${sayDate(waiting[waiting.length - 1].endsOn as string)}; ${one ? 'it opens' : 'they open in turn'} as you finish the stage before.` });
  }
  return { lines, contacts: await mentorsOf(ctx, cohortId) };
}
