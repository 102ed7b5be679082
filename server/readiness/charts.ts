/** The readiness page's charts, built from what the page shows: a stage counts as completed in a week exactly when
 * its heatmap cell says complete (the same readiness model), so the chart, its table and the matrix agree. Rubric
 * charts are one per rubric, with labelled axes and each criterion's full name. */
import { sayDate, ukDate, type CohortReadiness } from './model';
import type { CriterionScore } from './records';

/** One week's stage completions (`week` is the Monday, YYYY-MM-DD, UK calendar). */
export type WeekCount = { week: string; count: number };

const mondayOf = (iso: string) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};

/** Completed stage cells by the week they were completed; `undated` counts complete cells with no recorded time
 * (a stage whose requirements were met without a mark), so `total` is the number of complete cells on the page. */
export function completionsByWeek(cohort: CohortReadiness): { weeks: WeekCount[]; undated: number; total: number } {
  const counts = new Map<string, number>();
  let undated = 0;
  let total = 0;
  for (const c of cohort.candidates) {
    for (const cell of c.stages) {
      if (cell.state !== 'complete') continue;
      total += 1;
      if (cell.at === null) undated += 1;
      else {
        const week = mondayOf(ukDate(new Date(cell.at)));
        counts.set(week, (counts.get(week) ?? 0) + 1);
      }
    }
  }
  const weeks = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([week, count]) => ({ week, count }));
  return { weeks, undated, total };
}

/** Splits a long label into lines of about `width` characters, so a chart shows the whole name. */
export function wrapLabel(text: string, width = 28): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && (line + ' ' + word).length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The charts' data (for the canvases) and the same numbers as rows (for the tables beside them). */
export function presentCharts(cohort: CohortReadiness, scores: CriterionScore[]) {
  const done = completionsByWeek(cohort);
  const completions = {
    type: 'bar',
    // A complete stage with no recorded time is still drawn (its own bar), so the chart's total is the page's.
    labels: [...done.weeks.map((w) => `w/c ${sayDate(w.week)}`), ...(done.undated ? ['No date recorded'] : [])],
    datasets: [{ label: 'Stages completed', data: [...done.weeks.map((w) => w.count), ...(done.undated ? [done.undated] : [])] }],
    axes: { x: 'Week beginning', y: 'Stages completed' },
  };
  const byRubric = new Map<string, CriterionScore[]>();
  for (const s of scores) byRubric.set(s.rubric, [...(byRubric.get(s.rubric) ?? []), s]);
  const rubrics = [...byRubric].map(([name, list], i) => {
    const levels = Math.max(1, ...list.map((s) => s.levels));
    const assessed = Math.max(...list.map((s) => s.assessed));
    return {
      id: `chart-rubric-${i + 1}`,
      name,
      levels,
      summary: `${name}: average level per criterion, 1 (lowest) to ${levels} (highest), across ${plural(assessed, 'assessed candidate', 'assessed candidates')}`,
      chart: {
        type: 'bar',
        horizontal: true,
        labels: list.map((s) => wrapLabel(`${s.criterion}${s.mustPass ? ' (must pass)' : ''}`)),
        datasets: [{ label: 'Average level', data: list.map((s) => s.average) }],
        min: 0,
        max: levels,
        axes: { x: `Average level (1 = lowest, ${levels} = highest)`, y: 'Criterion' },
      },
      rows: list,
    };
  });
  return {
    completions,
    completionsSummary: done.total
      ? `${plural(done.total, 'stage completion', 'stage completions')}${done.weeks.length ? ` over ${plural(done.weeks.length, 'week', 'weeks')}` : ''}${done.undated ? `, ${done.undated} without a recorded date` : ''}`
      : 'No stage completions yet',
    weeks: done.weeks.map((w) => ({ label: `Week beginning ${sayDate(w.week)}`, count: w.count })),
    undated: done.undated,
    total: done.total,
    rubrics,
  };
}
