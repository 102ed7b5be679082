/** Observation sampling pages: the provider's QA report (page + CSV) and rates, an organisation's sampling for its lead,
 * the observation form (a mentor, never one of the course's trainers), and picking a course by hand (admins). */
import { asc, eq } from 'drizzle-orm';
import type { Response } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import { badgeOf, standingKey, standingsOf, type TrainerStanding } from '../register/status';
import { organisations, programmeTemplates } from '../db/tables';
import { ValidationError, type AppError, type FieldProblem } from '../errors';
import { fileSlug, sendCsv, toCsv } from '../exports/csv';
import { onProvider } from '../http/grants';
import { seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { isoDate, text } from '../http/validate';
import { onCourse, onOrganisation, type CourseSubject } from '../impact/grants';
import { londonDate } from '../progression/kinds/answers';
import { listRubrics, loadRubric } from '../rubrics/queries';
import { pickCourse, recordObservation, setRate } from './commands';
import { DEFAULT_RATE, reasonWords, STATUS_WORDS } from './model';
import { observationsOf, ratesSet, trainerSamples, type TrainerSample } from './queries';
import { calendarDay } from '../util/dates';

const DONE = { rates: 'Sampling rates saved.' } as const;
const doneQuery = z.object({ done: z.enum(['rates']).optional() });

/** The observation form: the rubric, the date, notes, and one `level_<criterion id>` field per criterion. */
const observationForm = z
  .object({ rubric: text(80).meta({ label: 'Rubric', missing: 'Choose the rubric' }), observedOn: isoDate.meta({ label: 'Date observed' }), notes: z.string().trim().max(5000, 'must be at most 5,000 characters').optional().default('') })
  .catchall(z.string().max(40));
const pickForm = z.strictObject({ reason: text(500).meta({ label: 'Reason', missing: 'Say why this course should be observed' }) });
const percentField = z.union([z.literal(''), z.coerce.number({ message: 'must be a whole number from 1 to 100' }).int('must be a whole number from 1 to 100').min(1, 'must be at least 1').max(100, 'must be at most 100')]);
/** Rates form: `org_<id>` and `prog_<id>` fields, each a percent or empty (use the next rule). */
const ratesForm = z.record(z.string().regex(/^(org|prog)_[0-9a-f-]{36}$|^_csrf$/, 'is not a rate field'), z.string().max(8)).transform((fields, zctx) => {
  const out: { scope: { organisationId: string } | { programmeTemplateId: string }; percent: number | null }[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    if (name === '_csrf') continue;
    const parsed = percentField.safeParse(raw.trim());
    if (!parsed.success) {
      zctx.addIssue({ code: 'custom', path: [name], message: 'The rate must be a whole number from 1 to 100, or empty.' });
      continue;
    }
    const id = name.slice(name.indexOf('_') + 1);
    out.push({ scope: name.startsWith('org_') ? { organisationId: id } : { programmeTemplateId: id }, percent: parsed.data === '' ? null : parsed.data });
  }
  return out;
});

/** The report's rows as pages and the CSV read them. */
function presentSamples(samples: TrainerSample[], observers: Map<string, string>, standings: Map<string, TrainerStanding>) {
  return samples.map((s) => ({
    ...s,
    standing: badgeOf(standings.get(standingKey(s.trainerId, s.organisationId))),
    statusWords: STATUS_WORDS[s.status],
    overdue: s.status === 'overdue',
    pickedCourses: s.pickedCourses.map((c) => ({ ...c, reasonWords: reasonWords(c.reason, s.year, s.rate), observedBy: observers.get(c.id) ?? null })),
  }));
}

/** Who observed each course and when, in words ("Observed by Mo Mentor on 3 March 2026"). */
async function observedWords(ctx: AppContext, samples: TrainerSample[]): Promise<Map<string, string>> {
  const obs = await observationsOf(ctx.db, samples.flatMap((s) => s.pickedCourses.filter((c) => c.observed).map((c) => c.id)));
  const out = new Map<string, string>();
  for (const o of obs) if (!out.has(o.courseId)) out.set(o.courseId, `Observed by ${o.observerName} on ${calendarDay(o.observedOn)}`);
  return out;
}

function samplesCsv(rows: ReturnType<typeof presentSamples>): string {
  const lines: unknown[][] = [['Organisation', 'Trainer', 'Year', 'Courses delivered', 'Sampling rate', 'Due (rounded up, at least one)', 'Observed', 'Status', 'Course picked (date)', 'Venue', 'Why picked', 'Observation']];
  for (const r of rows) {
    if (!r.pickedCourses.length) lines.push([r.organisationName, r.trainerName, r.year, r.courses, r.rateWords, r.due, r.done, r.statusWords, '', '', '', '']);
    for (const c of r.pickedCourses) lines.push([r.organisationName, r.trainerName, r.year, r.courses, r.rateWords, r.due, r.done, r.statusWords, c.deliveredOn, c.venue, c.reasonWords, c.observedBy ?? 'Not observed yet']);
  }
  return toCsv(lines);
}

/** Mounts the sampling pages. */
export function samplingRoutes(registry: RouteRegistry, ctx: AppContext) {
  const root = registry.router('');
  const org = registry.router('/organisations/:organisationId');
  const course = registry.router('/courses/:courseId');

  async function report(organisationId?: string) {
    const samples = await trainerSamples(ctx.db, { organisationId });
    const [observers, standings] = await Promise.all([observedWords(ctx, samples), standingsOf(ctx.db, organisationId ? { organisationId } : { holderIds: [...new Set(samples.map((x) => x.trainerId))] })]);
    return presentSamples(samples, observers, standings);
  }

  root.get('/sampling', { summary: 'The provider’s QA report: every trainer’s observation sampling, per organisation and year', authorize: onProvider('provider:view'), query: doneQuery }, async ({ query }, _req, res) => {
    const [rows, rates, orgs, programmes] = await Promise.all([
      report(),
      ratesSet(ctx.db),
      ctx.db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(eq(organisations.kind, 'client')).orderBy(asc(organisations.name)),
      ctx.db.select({ id: programmeTemplates.id, name: programmeTemplates.name }).from(programmeTemplates).orderBy(asc(programmeTemplates.name)),
    ]);
    const rateOf = (pred: (r: (typeof rates)[number]) => boolean) => rates.find(pred)?.percent ?? '';
    res.render('sampling/report', {
      title: 'Observation sampling',
      rows,
      provider: true,
      csv: '/sampling.csv',
      defaultRate: DEFAULT_RATE,
      rates: { organisations: orgs.map((o) => ({ ...o, field: `org_${o.id}`, value: rateOf((r) => r.organisationId === o.id) })), programmes: programmes.map((p) => ({ ...p, field: `prog_${p.id}`, value: rateOf((r) => r.programmeTemplateId === p.id) })) },
      done: query.done && DONE[query.done],
    });
  });

  root.get('/sampling.csv', { summary: 'The QA report as CSV', authorize: onProvider('provider:view'), produces: 'text/csv' }, async (_input, _req, res) => {
    sendCsv(res, `observation-sampling-${londonDate(new Date())}.csv`, samplesCsv(await report()));
  });

  root.form('/sampling/rates', { summary: 'Set the sampling rates per organisation and programme (form)', body: ratesForm, authorize: onProvider('provider:manage') }, async ({ actor, body }) => {
    for (const r of body) await setRate(ctx, actor, r.scope, r.percent);
    return seeOther('/sampling?done=rates');
  });

  org.get('/sampling', { summary: 'An organisation’s observation sampling: each trainer’s due, done and overdue', authorize: onOrganisation(ctx.db, 'impact:view') }, async ({ subject }, _req, res) => {
    res.render('sampling/report', { title: `Observation sampling — ${subject.name}`, organisation: subject, rows: await report(subject.id), csv: `/organisations/${subject.id}/sampling.csv`, defaultRate: DEFAULT_RATE });
  });

  org.get('/sampling.csv', { summary: 'An organisation’s observation sampling as CSV', authorize: onOrganisation(ctx.db, 'impact:view'), produces: 'text/csv' }, async ({ subject }, _req, res) => {
    sendCsv(res, `${fileSlug(subject.name)}-observation-sampling.csv`, samplesCsv(await report(subject.id)));
  });

  async function renderObserve(res: Response, actor: Actor, subject: CourseSubject, extra: { rubricKey?: string; values?: Record<string, unknown>; error?: AppError }) {
    const rubrics = await listRubrics(ctx.db);
    const key = extra.rubricKey && rubrics.some((r) => r.key === extra.rubricKey) ? extra.rubricKey : rubrics[0]?.key;
    const rubric = key ? await loadRubric(ctx.db, key) : null;
    const values = extra.values ?? {};
    res.render('sampling/observe', {
      title: `Observe ${subject.course.trainerName}’s course`,
      course: subject.course,
      rubrics: rubrics.map((r) => ({ key: r.key, name: r.name, selected: r.key === key })),
      rubric: rubric && {
        ...rubric,
        criteria: rubric.criteria.map((c) => ({
          ...c,
          passLabel: rubric.levels.find((l) => l.position === c.passLevel)?.label,
          options: c.descriptors.map((d) => ({ ...d, points: rubric.levels.find((l) => l.position === d.position)?.points ?? 0, checked: String(values[`level_${c.id}`]) === String(d.position) })),
        })),
      },
      values: { observedOn: values.observedOn ?? londonDate(new Date()), notes: values.notes ?? '' },
      error: extra.error,
    });
  }

  course.get('/observe', { summary: 'The observation form for a course', authorize: onCourse(ctx.db, 'course:observe'), query: z.object({ rubric: z.string().max(80).optional() }) }, ({ actor, subject, query }, _req, res) => renderObserve(res, actor, subject, { rubricKey: query.rubric }));

  course.form(
    '/observations',
    {
      summary: 'Record an observation of a course against a rubric (form)',
      body: observationForm,
      authorize: onCourse(ctx.db, 'course:observe'),
      rerender: (_req, res, { error, values, actor, subject }) => renderObserve(res, actor, subject, { rubricKey: typeof values?.rubric === 'string' ? values.rubric : undefined, values, error }),
    },
    async ({ actor, subject, body }) => {
      const rubric = await loadRubric(ctx.db, body.rubric);
      const levels: Record<string, number> = {};
      const problems: FieldProblem[] = [];
      for (const c of rubric.criteria) {
        const v = Number(body[`level_${c.id}`]);
        if (Number.isInteger(v) && rubric.levels.some((l) => l.position === v)) levels[c.id] = v;
        else problems.push({ field: `levels.${c.id}`, message: `Choose a level for “${c.title}”.` });
      }
      // Checked with the levels, so one answer names every field still to fill in.
      if (!body.notes) problems.push({ field: 'notes', message: 'Write your notes on what you saw.' });
      if (problems.length) throw new ValidationError(problems.length === 1 ? problems[0].message : 'Choose a level for every criterion and write your notes.', problems);
      await recordObservation(ctx, actor, subject.course, rubric, { observedOn: body.observedOn, notes: body.notes, levels });
      return seeOther(`/courses/${subject.course.id}?done=observed`);
    },
  );

  course.form('/pick', { summary: 'Pick a course for observation by hand, with the reason (form)', body: pickForm, authorize: onCourse(ctx.db, 'course:pick') }, async ({ actor, subject, body }) => {
    await pickCourse(ctx, actor, subject.course, body.reason);
    return seeOther(`/courses/${subject.course.id}?done=picked`);
  });

  return [root, org, course];
}
