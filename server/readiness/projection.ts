/** When a candidate who is not ready could be: the remaining stage windows decide it. Pure, from the readiness model. */
import { sayDate, type CandidateReadiness, type CohortReadiness } from './model';

/** What stands between a candidate and "ready", and a projected date (null when none can be projected, with why). */
export type ReadinessOutlook = { gaps: string[]; projectedOn: string | null; projection: string };

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What stands between a candidate and "ready", short enough to read at a glance: the competencies still to be signed
 * off, grouped by where they stand (the full list is beside it), then each stage still to finish. */
export function readinessGapLines(c: CandidateReadiness, cohort: Pick<CohortReadiness, 'stages' | 'competencies'>): string[] {
  const lines: string[] = [];
  const open = cohort.competencies.map((k, i) => ({ k, cell: c.competencies[i] })).filter((x) => x.cell.state !== 'complete');
  if (open.length) {
    const byLabel = new Map<string, number>();
    for (const x of open) byLabel.set(x.cell.label, (byLabel.get(x.cell.label) ?? 0) + 1);
    const safety = open.filter((x) => x.k.safetyCritical).length;
    const how = [...byLabel].map(([label, n]) => `${n} ${label.toLowerCase()}`).join(', ');
    lines.push(`${count(open.length, 'competency', 'competencies')} to be signed off${safety ? ` (${safety} safety-critical)` : ''}: ${how}.`);
  }
  cohort.stages.forEach((s, i) => {
    const cell = c.stages[i];
    if (cell.state === 'complete') return;
    const window = s.startsOn && cell.state === 'not_started' ? `, opens ${sayDate(s.startsOn)}` : s.endsOn ? `, window closes ${sayDate(s.endsOn)}` : '';
    lines.push(`Finish ${s.title} (${cell.label.toLowerCase()}${window}).`);
  });
  return lines;
}

/**
 * The candidate's gaps and a projection: ready by the last closing date among the stages still to finish (a stage
 * with no end date counts as the cohort's end); with only sign-offs left, by the cohort's end. A stage whose window
 * has already closed, or a cohort that has ended, means no date can be projected — a mentor agrees a new one.
 */
export function readinessOutlook(c: CandidateReadiness, cohort: Pick<CohortReadiness, 'stages' | 'competencies' | 'endsOn'>, today: string): ReadinessOutlook {
  if (c.ready) return { gaps: [], projectedOn: null, projection: 'Ready to deliver' };
  const gaps = readinessGapLines(c, cohort);
  const open = cohort.stages.filter((_, i) => c.stages[i].state !== 'complete');
  const closed = open.find((s) => s.endsOn && s.endsOn < today);
  if (closed) return { gaps, projectedOn: null, projection: `No date can be projected: the ${closed.title} window closed on ${sayDate(closed.endsOn as string)}. Agree a new date with a mentor.` };
  const ends = open.map((s) => ({ title: s.title, on: s.endsOn ?? cohort.endsOn }));
  if (ends.some((e) => !e.on) || (!ends.length && !cohort.endsOn)) return { gaps, projectedOn: null, projection: 'No date can be projected: the remaining stages have no closing dates.' };
  if (!ends.length) {
    const on = cohort.endsOn as string;
    return on < today
      ? { gaps, projectedOn: null, projection: `No date can be projected: the cohort ended on ${sayDate(on)}. Agree a new date with a mentor.` }
      : { gaps, projectedOn: on, projection: `Projected ready by ${sayDate(on)}, the end of the cohort, once the remaining sign-offs are made.` };
  }
  const last = ends.reduce((a, b) => ((b.on as string) > (a.on as string) ? b : a));
  return { gaps, projectedOn: last.on, projection: `Projected ready by ${sayDate(last.on as string)}, when the ${last.title} window closes, if the remaining stages are finished in their windows.` };
}
