/** The impact model: pure functions from loaded facts (current incident counts, milestones, courses and learners'
 * totals) to the numbers and sentences the view, the CSV and the report show. Hand-checkable; nothing stored. */
import type { CountVersion } from './incident-queries';
import { byOutcome, summarise, type CourseTotals, type Summary } from './summaries';
import { longMonthLabel, MEASURES, monthLabel, nextMonth, round1, type Measure } from './vocabulary';

/** A programme milestone marked on the charts. */
export type Milestone = { kind: 'cohort-start' | 'certified' | 'first-course'; date: string; month: string; label: string };

/** One month of the organisation's incident data (totals over the services that reported; null: no data). */
export type MonthRow = {
  month: string;
  label: string;
  services: number;
  totals: Record<Measure, number> | null;
  bedDays: number | null;
  /** Restraints and prone restraints per the rate's unit. */
  rates: { restraints: number; proneRestraints: number } | null;
  milestones: string[];
};

/** The unit of the restraint rate: per 1,000 occupied bed days when the lead gave them for every month, else per service. */
export type RateUnit = 'bed-days' | 'service';

/** A period of the before/after comparison. */
export type Period = { from: string; to: string; months: number; restraints: number; proneRestraints: number };

/** A course as the model needs it. */
export type ModelCourse = { id: string; deliveredOn: string; trainerId: string; trainerName: string; attendees: number; outcomes: string[]; totals: CourseTotals };

/** What the model is built from. */
export type ImpactFacts = {
  current: CountVersion[];
  cohorts: { name: string; startsOn: string | null }[];
  /** Per cohort: when each of its trainers was certified (final readiness sign-off), as YYYY-MM-DD. */
  certified: { cohortName: string; dates: string[] }[];
  courses: ModelCourse[];
};

/** The impact of the programme on one organisation, as shown. */
export type ImpactModel = ReturnType<typeof buildImpact>;

const UNIT_WORDS: Record<RateUnit, string> = { 'bed-days': 'per 1,000 occupied bed days', service: 'per service' };

const CAVEAT =
  'This compares the months before the programme with the months since; it does not show that the programme caused the change. Other things — the people supported, staffing, admissions and how incidents are recorded — can change these numbers too.';

/** The programme's milestones: each cohort's start, when its trainers were certified, and the first course delivered. */
export function milestonesOf(facts: Pick<ImpactFacts, 'cohorts' | 'certified' | 'courses'>): Milestone[] {
  const out: Milestone[] = [];
  for (const c of facts.cohorts) if (c.startsOn) out.push({ kind: 'cohort-start', date: c.startsOn, month: c.startsOn.slice(0, 7), label: `${c.name} started` });
  for (const c of facts.certified) {
    if (!c.dates.length) continue;
    const last = [...c.dates].sort().at(-1) as string;
    const n = c.dates.length;
    out.push({ kind: 'certified', date: last, month: last.slice(0, 7), label: `${n} ${n === 1 ? 'trainer' : 'trainers'} certified (${c.cohortName})` });
  }
  const first = [...facts.courses].sort((a, b) => a.deliveredOn.localeCompare(b.deliveredOn))[0];
  if (first) out.push({ kind: 'first-course', date: first.deliveredOn, month: first.deliveredOn.slice(0, 7), label: 'First course delivered by a new trainer' });
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** Every month from `from` to `to` inclusive ('YYYY-MM'). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to && out.length < 600; m = nextMonth(m)) out.push(m);
  return out;
}

/** The monthly series: totals of the current counts over the services that reported, and the restraint rate. */
export function incidentSeries(current: CountVersion[], milestones: Milestone[]): { months: MonthRow[]; unit: RateUnit | null } {
  if (!current.length) return { months: [], unit: null };
  const dataMonths = current.map((c) => c.month);
  const from = [...dataMonths, ...milestones.map((m) => m.month)].sort()[0];
  const to = [...dataMonths, ...milestones.map((m) => m.month)].sort().at(-1) as string;
  const byMonth = new Map<string, CountVersion[]>();
  for (const c of current) byMonth.set(c.month, [...(byMonth.get(c.month) ?? []), c]);
  const unit: RateUnit = [...byMonth.values()].every((rows) => rows.every((r) => r.occupiedBedDays !== null)) ? 'bed-days' : 'service';
  const months = monthsBetween(from, to).map((month): MonthRow => {
    const rows = byMonth.get(month) ?? [];
    const marks = milestones.filter((m) => m.month === month).map((m) => m.label);
    if (!rows.length) return { month, label: monthLabel(month), services: 0, totals: null, bedDays: null, rates: null, milestones: marks };
    const totals = Object.fromEntries(MEASURES.map((m) => [m.key, rows.reduce((s, r) => s + r[m.key], 0)])) as Record<Measure, number>;
    const bedDays = rows.every((r) => r.occupiedBedDays !== null) ? rows.reduce((s, r) => s + (r.occupiedBedDays as number), 0) : null;
    const per = (n: number) => (unit === 'bed-days' ? round1((n * 1000) / (bedDays as number)) : round1(n / rows.length));
    return { month, label: monthLabel(month), services: rows.length, totals, bedDays, rates: { restraints: per(totals.restraints), proneRestraints: per(totals.proneRestraints) }, milestones: marks };
  });
  return { months, unit };
}

function period(rows: MonthRow[]): Period | null {
  const withData = rows.filter((r) => r.rates);
  if (!withData.length) return null;
  const mean = (k: 'restraints' | 'proneRestraints') => round1(withData.reduce((s, r) => s + (r.rates as NonNullable<MonthRow['rates']>)[k], 0) / withData.length);
  return { from: withData[0].month, to: (withData.at(-1) as MonthRow).month, months: withData.length, restraints: mean('restraints'), proneRestraints: mean('proneRestraints') };
}

const span = (p: Period) => (p.from === p.to ? longMonthLabel(p.from) : `${longMonthLabel(p.from)} to ${longMonthLabel(p.to)}`);

function change(before: number, after: number): string {
  if (before === after) return 'no change';
  if (before === 0) return 'up from none';
  const pct = Math.round((Math.abs(after - before) / before) * 100);
  return after < before ? `${pct}% fewer` : `${pct}% more`;
}

/** Before (months before the first cohort started) against after (months from the first course delivered). */
export function compare(months: MonthRow[], milestones: Milestone[], unit: RateUnit | null) {
  const start = milestones.find((m) => m.kind === 'cohort-start');
  const first = milestones.find((m) => m.kind === 'first-course');
  const empty = (text: string) => ({ before: null, after: null, text });
  if (!unit) return empty('No incident data has been entered yet, so there is nothing to compare.');
  if (!start) return empty('No cohort has a start date yet, so there is no “before the programme” to compare with.');
  const before = period(months.filter((m) => m.month < start.month));
  if (!before) return empty(`There is no incident data from before the programme began (${longMonthLabel(start.month)}), so no before-and-after comparison can be made. Enter earlier months to make one.`);
  if (!first) return { before, after: null, text: 'No course has been delivered by the new trainers yet, so there is no “after” period to compare.' };
  const after = period(months.filter((m) => m.month >= first.month));
  if (!after) return { before, after: null, text: `There is no incident data yet from the months since the first course was delivered (${longMonthLabel(first.month)}).` };
  const u = UNIT_WORDS[unit];
  const months_ = (n: number) => `${n} ${n === 1 ? 'month' : 'months'} with data`;
  const text =
    `Before the programme began (${span(before)}, ${months_(before.months)}) there were on average ${before.restraints} restraints ${u} a month, ${before.proneRestraints} of them prone or floor restraints. ` +
    `Since the first course was delivered (${span(after)}, ${months_(after.months)}) there were ${after.restraints} restraints ${u} a month (${change(before.restraints, after.restraints)}), ${after.proneRestraints} of them prone or floor restraints (${change(before.proneRestraints, after.proneRestraints)}). ${CAVEAT}`;
  return { before, after, text };
}

/** Courses and attendees per month, with the running total of staff reached. */
export function courseSeries(courses: ModelCourse[]) {
  if (!courses.length) return { months: [], total: 0, attendees: 0, summary: 'No course has been recorded by the new trainers yet.' };
  const sorted = [...courses].sort((a, b) => a.deliveredOn.localeCompare(b.deliveredOn));
  const range = monthsBetween(sorted[0].deliveredOn.slice(0, 7), (sorted.at(-1) as ModelCourse).deliveredOn.slice(0, 7));
  let running = 0;
  const months = range.map((month) => {
    const these = sorted.filter((c) => c.deliveredOn.startsWith(month));
    const attendees = these.reduce((s, c) => s + c.attendees, 0);
    running += attendees;
    return { month, label: monthLabel(month), courses: these.length, attendees, cumulative: running };
  });
  const trainers = new Set(courses.map((c) => c.trainerId)).size;
  const summary = `${trainers} new ${trainers === 1 ? 'trainer has' : 'trainers have'} delivered ${courses.length} ${courses.length === 1 ? 'course' : 'courses'} to ${running} frontline staff since ${longMonthLabel(range[0])} (a person who attended two courses is counted twice).`;
  return { months, total: courses.length, attendees: running, summary };
}

function learnerSentence(s: Summary, courses: number): string {
  if (!s.responses) return 'No learner has answered a course questionnaire yet.';
  const parts = [`${s.responses} ${s.responses === 1 ? 'learner' : 'learners'} answered the questionnaire after ${courses} ${courses === 1 ? 'course' : 'courses'}.`];
  if (s.before !== null && s.after !== null && s.change !== null) {
    parts.push(`On average they rated their confidence ${s.before} out of 5 before the course and ${s.after} after (${s.change >= 0 ? '+' : ''}${s.change}).`);
  }
  if (s.safePercent !== null) parts.push(`${s.safePercent}% chose the safe answer to the safety question.`);
  parts.push('These are learners’ own ratings, given at the end of the course: they show how confident people felt, not yet what they do at work.');
  return parts.join(' ');
}

/** Learners' before/after: overall, per learning outcome, per trainer and per course. */
export function learnerSummary(courses: ModelCourse[]) {
  const answered = courses.filter((c) => c.totals.responses > 0);
  const overall = summarise(courses.map((c) => c.totals));
  const trainers = new Map<string, { trainerId: string; trainerName: string; courses: ModelCourse[] }>();
  for (const c of courses) trainers.set(c.trainerId, { trainerId: c.trainerId, trainerName: c.trainerName, courses: [...(trainers.get(c.trainerId)?.courses ?? []), c] });
  return {
    overall,
    byOutcome: byOutcome(courses),
    byTrainer: [...trainers.values()].map((t) => ({ trainerId: t.trainerId, trainerName: t.trainerName, courses: t.courses.length, attendees: t.courses.reduce((s, c) => s + c.attendees, 0), ...summarise(t.courses.map((c) => c.totals)) })).sort((a, b) => a.trainerName.localeCompare(b.trainerName)),
    summary: learnerSentence(overall, answered.length),
  };
}

/** Builds the whole model. */
export function buildImpact(facts: ImpactFacts) {
  const milestones = milestonesOf(facts);
  const { months, unit } = incidentSeries(facts.current, milestones);
  const comparison = compare(months, milestones, unit);
  const services = new Set(facts.current.map((c) => c.serviceId)).size;
  const withData = months.filter((m) => m.totals).length;
  const incidentsSummary = months.length
    ? `${withData} ${withData === 1 ? 'month' : 'months'} of incident data from ${services} ${services === 1 ? 'service' : 'services'}, ${longMonthLabel(months[0].month)} to ${longMonthLabel((months.at(-1) as MonthRow).month)}${withData < months.length ? `; ${months.length - withData} ${months.length - withData === 1 ? 'month has' : 'months have'} no data and ${months.length - withData === 1 ? 'is' : 'are'} left blank, not counted as zero` : ''}.`
    : 'No incident data has been entered yet.';
  const rateSummary = unit === 'bed-days' ? 'Restraints per 1,000 occupied bed days, so months with more people supported compare fairly.' : unit === 'service' ? 'Restraints per reporting service (occupied bed days were not given for every month), so a service added later does not by itself raise the numbers.' : '';
  return { milestones, months, unit, unitWords: unit ? UNIT_WORDS[unit] : '', comparison, incidentsSummary, rateSummary, courses: courseSeries(facts.courses), learners: learnerSummary(facts.courses) };
}
