/** Shapes the impact model for the page: chart specs for public/js/charts.js (each chart has its table beside it),
 * milestone markers numbered as in the milestone list, and the learners' tables. */
import type { ImpactModel, MonthRow } from './model';
import type { OrganisationImpact } from './queries';
import { hours, signed } from './course-present';
import { MEASURES, type Measure } from './vocabulary';
import { badgeOf, standingKey, type Standing } from '../register/status';

type Marker = { index: number; label: string };

/** The chart markers: each milestone at its month's position, numbered 1, 2, 3 … in date order; milestones in the
 * same month share one marker ("2, 3"). */
function markers(model: ImpactModel, months: { month: string }[]): Marker[] {
  const byIndex = new Map<number, string[]>();
  model.milestones.forEach((m, i) => {
    const index = months.findIndex((x) => x.month === m.month);
    if (index >= 0) byIndex.set(index, [...(byIndex.get(index) ?? []), String(i + 1)]);
  });
  return [...byIndex].map(([index, labels]) => ({ index, label: labels.join(', ') }));
}

/** The milestone numbers that fall in `month` ("2, 3"), as in the milestone list. */
function milestoneNumbers(model: ImpactModel, month: string): string {
  return model.milestones.flatMap((m, i) => (m.month === month ? [String(i + 1)] : [])).join(', ');
}

const series = (months: MonthRow[], pick: (m: MonthRow) => number | null) => months.map(pick);

/** The impact page's context. */
/** `standings`: the organisation's trainers' standings (standingsOf), so a lapsed or suspended trainer is shown so. */
export function presentImpactPage(impact: OrganisationImpact, can: { manage: boolean }, standings?: Map<string, Standing>) {
  const { model } = impact;
  const months = model.months;
  const labels = months.map((m) => m.label);
  const marks = markers(model, months);
  const total = (k: Measure) => (m: MonthRow) => (m.totals ? m.totals[k] : null);
  const incidentKeys: Measure[] = ['aggression', 'restraints', 'proneRestraints', 'seclusions'];
  const label = (k: Measure) => MEASURES.find((m) => m.key === k)?.label ?? k;
  const courseMonths = model.courses.months;
  const learners = model.learners;
  return {
    organisation: impact.organisation,
    milestones: model.milestones.map((m, i) => ({ n: i + 1, date: m.date, label: m.label })),
    comparison: model.comparison.text,
    incidentsSummary: model.incidentsSummary,
    rateSummary: model.rateSummary,
    unitWords: model.unitWords,
    measures: MEASURES,
    months: months.map((m) => ({ label: m.label, services: m.services, values: m.totals ? MEASURES.map((x) => (m.totals as Record<Measure, number>)[x.key]) : null, bedDays: m.bedDays, rate: m.rates?.restraints ?? null, prone: m.rates?.proneRestraints ?? null, milestones: milestoneNumbers(model, m.month) })),
    charts: months.length
      ? {
          incidents: { type: 'line', labels, markers: marks, datasets: incidentKeys.map((k) => ({ label: label(k), data: series(months, total(k)) })) },
          rate: { type: 'line', labels, markers: marks, datasets: [{ label: `Restraints ${model.unitWords}`, data: series(months, (m) => m.rates?.restraints ?? null) }, { label: `Prone or floor restraints ${model.unitWords}`, data: series(months, (m) => m.rates?.proneRestraints ?? null) }] },
          injuries: { type: 'line', labels, markers: marks, datasets: [{ label: 'Injuries to staff', data: series(months, total('staffInjuries')) }, { label: 'Injuries to people supported', data: series(months, total('personInjuries')) }] },
        }
      : null,
    courses: {
      summary: model.courses.summary,
      months: courseMonths,
      chart: courseMonths.length ? { type: 'bar', labels: courseMonths.map((m) => m.label), datasets: [{ label: 'Courses delivered', data: courseMonths.map((m) => m.courses) }, { label: 'Staff reached', data: courseMonths.map((m) => m.attendees) }] } : null,
      list: impact.courses.map((c) => ({ id: c.id, deliveredOn: c.deliveredOn, trainerName: c.trainerName, venue: c.venue, attendees: c.attendees, hours: hours(c.durationMinutes), responses: c.summary.responses, before: c.summary.before ?? '—', after: c.summary.after ?? '—', change: signed(c.summary.change) })),
    },
    learners: {
      summary: learners.summary,
      overall: { ...learners.overall, change: signed(learners.overall.change) },
      byOutcome: learners.byOutcome.map((o) => ({ ...o, change: signed(o.change) })),
      byTrainer: learners.byTrainer.map((t) => ({ ...t, standing: badgeOf(standings?.get(standingKey(t.trainerId, impact.organisation.id))), before: t.before ?? '—', after: t.after ?? '—', change: signed(t.change), safePercent: t.safePercent ?? '—' })),
      chart: learners.byOutcome.length ? { type: 'bar', horizontal: true, max: 5, labels: learners.byOutcome.map((o) => o.outcome), datasets: [{ label: 'Before the course', data: learners.byOutcome.map((o) => o.before) }, { label: 'After the course', data: learners.byOutcome.map((o) => o.after) }] } : null,
    },
    words: impact.words.slice(0, 50),
    wordsMore: Math.max(0, impact.words.length - 50),
    can,
  };
}
