/** Shapes courses for the pages: the form's choices and values, a course's card, and its learners' summary. */
import type { AppError } from '../errors';
import { badgeOf, standingKey, type Standing } from '../register/status';
import type { CourseListItem } from './course-queries';
import type { Curriculum } from './programme';
import { totalsOf, type CourseTotals, type Summary } from './summaries';
import { round1 } from './vocabulary';

/** Hours for people: 90 minutes → "1.5". */
export function hours(minutes: number): string {
  return String(round1(minutes / 60));
}

/** A signed change for people: +1.4, −0.2, 0. */
export function signed(n: number | null): string {
  if (n === null) return '—';
  return n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : '0';
}

type FormValues = Record<string, unknown>;

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);

/** The course form's context: choices (names, never ids) with what is ticked, and the values to show. */
export function presentCourseForm(input: {
  curriculum: Curriculum;
  choices: { id: string; name: string }[];
  registerMode: 'codes' | 'names';
  course?: CourseListItem;
  values?: FormValues;
  error?: AppError;
}) {
  const { course, values } = input;
  const chosen = new Set(values ? asList(values.modules) : (course?.modules ?? []));
  const pick = (kind: 'knowledge' | 'practical') => input.curriculum[kind].map((title, i) => ({ title, id: `module-${kind}-${i + 1}`, checked: chosen.has(title) }));
  const coTrainer = values ? String(values.coTrainerId ?? '') : (course?.coTrainerId ?? '');
  return {
    knowledge: pick('knowledge'),
    practical: pick('practical'),
    hasModules: input.curriculum.knowledge.length + input.curriculum.practical.length > 0,
    coTrainers: input.choices.map((c) => ({ ...c, selected: c.id === coTrainer })),
    registerMode: input.registerMode,
    codes: input.registerMode === 'codes',
    form: {
      deliveredOn: values ? values.deliveredOn : (course?.deliveredOn ?? new Date().toISOString().slice(0, 10)),
      venue: values ? values.venue : (course?.venue ?? ''),
      attendees: values ? values.attendees : (course?.attendees ?? ''),
      durationHours: values ? values.durationHours : course ? hours(course.durationMinutes) : '6',
      register: values ? values.register : (course?.register ?? []).join('\n'),
    },
    error: input.error,
  };
}

/** A course in a list, with its answers' summary. */
export function presentCourseItem(course: CourseListItem, summary: Summary, can: { edit: boolean }, standings?: Map<string, Standing>) {
  return {
    id: course.id,
    deliveredOn: course.deliveredOn,
    venue: course.venue,
    cohortName: course.cohortName,
    trainerName: course.trainerName,
    coTrainerName: course.coTrainerName,
    trainerStanding: badgeOf(standings?.get(standingKey(course.trainerId, course.organisationId))),
    coTrainerStanding: course.coTrainerId ? badgeOf(standings?.get(standingKey(course.coTrainerId, course.organisationId))) : null,
    modules: course.modules,
    attendees: course.attendees,
    hours: hours(course.durationMinutes),
    observed: course.observed,
    responses: summary.responses,
    before: summary.before,
    after: summary.after,
    change: signed(summary.change),
    link: `/courses/${course.id}`,
    can,
  };
}

/** Per learning outcome of one course: mean before, after and the change. */
export function outcomeRows(course: Pick<CourseListItem, 'id' | 'outcomes'>, totals: Map<string, CourseTotals>) {
  const t = totalsOf(totals, course.id);
  return course.outcomes.map((outcome, i) => {
    const o = t.outcomes.find((x) => x.position === i + 1);
    if (!o || !o.pairs) return { outcome, pairs: 0, before: '—', after: '—', change: '—' };
    const before = round1(o.sumBefore / o.pairs);
    const after = round1(o.sumAfter / o.pairs);
    return { outcome, pairs: o.pairs, before, after, change: signed(round1(after - before)) };
  });
}
