/** Courses the new trainers deliver: "My courses", recording and editing a course, a course's page with its
 * questionnaire link and QR code, and the organisation's list for the lead. */
import type { Response } from 'express';
import QRCode from 'qrcode';
import type { Actor } from '../auth/actor';
import type { CohortRow } from '../cohorts/queries';
import type { AppContext } from '../context';
import type { AppError } from '../errors';
import { onCohort } from '../http/grants';
import { seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { can } from '../policies';
import { editCourse, recordCourse } from './course-commands';
import { outcomeRows, presentCourseForm, presentCourseItem } from './course-present';
import { coTrainerChoices, coursesOf, organisationCourses, registerModeOf, trainingCohorts, type CourseListItem } from './course-queries';
import { courseObservationView } from '../sampling/present';
import { onCourse, onOrganisation } from './grants';
import { cohortCurriculum } from './programme';
import { courseForm, courseQuery } from './schemas';
import { changeTexts, courseTotals, summarise, totalsOf } from './summaries';
import { standingsOf } from '../register/status';
import { calendarDay } from '../util/dates';

const DONE = { created: 'Course recorded. Share the questionnaire link or QR code with the learners.', updated: 'Course updated.', observed: 'Observation recorded.', picked: 'Course picked for observation.' };

/** The questionnaire's public address for a course. */
export function questionnaireUrl(ctx: AppContext, code: string): string {
  return `${ctx.config.publicUrl}/q/${code}`;
}

/** Mounts the course pages. */
export function courseRoutes(registry: RouteRegistry, ctx: AppContext) {
  const mine = registry.router('/courses');
  const inCohort = registry.router('/cohorts/:cohortId/courses');
  const org = registry.router('/organisations/:organisationId/courses');

  async function renderForm(res: Response, actor: Actor, cohort: CohortRow, extra: { course?: CourseListItem; values?: Record<string, unknown>; error?: AppError }) {
    const trainerId = extra.course?.trainerId ?? actor.id;
    const [curriculum, choices, registerMode] = await Promise.all([cohortCurriculum(ctx, cohort.id), coTrainerChoices(ctx.db, cohort.organisationId, trainerId), registerModeOf(ctx.db, cohort.organisationId)]);
    res.render('impact/course-form', {
      title: extra.course ? 'Edit a course' : 'Record a course',
      cohort,
      course: extra.course,
      action: extra.course ? `/courses/${extra.course.id}` : `/cohorts/${cohort.id}/courses`,
      ...presentCourseForm({ curriculum, choices, registerMode, ...extra }),
    });
  }

  mine.get('/', { summary: 'My courses: the courses I delivered or co-delivered', authorize: 'signed-in', query: courseQuery }, async ({ actor, query }, _req, res) => {
    const [courses, cohorts] = await Promise.all([coursesOf(ctx.db, actor.id), trainingCohorts(ctx.db, actor)]);
    const totals = await courseTotals(ctx.db, courses.map((c) => c.id));
    res.render('impact/my-courses', {
      title: 'My courses',
      courses: courses.map((c) => presentCourseItem(c, summarise([totalsOf(totals, c.id)]), { edit: can(actor, 'course:edit', { type: 'course', cohort: { id: c.cohortId, organisationId: c.organisationId }, course: c }) })),
      cohorts: cohorts.filter((c) => can(actor, 'course:record', { type: 'cohort', cohort: c })).map((c) => ({ id: c.id, name: c.name })),
      done: query.done && DONE[query.done],
    });
  });

  inCohort.get('/new', { summary: 'The form to record a course I delivered', authorize: onCohort(ctx.db, 'course:record') }, ({ actor, subject }, _req, res) => renderForm(res, actor, subject.cohort, {}));

  inCohort.form(
    '/',
    {
      summary: 'Record a course I delivered (form)',
      body: courseForm,
      authorize: onCohort(ctx.db, 'course:record'),
      rerender: (_req, res, { error, values, actor, subject }) => renderForm(res, actor, subject.cohort, { values, error }),
    },
    async ({ body, actor, subject }) => {
      const course = await recordCourse(ctx, actor, subject.cohort, body);
      return seeOther(`/courses/${course.id}?done=created`);
    },
  );

  mine.get('/:courseId', { summary: 'A course: its details, questionnaire link and QR code, and what learners said', authorize: onCourse(ctx.db, 'course:view'), query: courseQuery }, async ({ actor, subject, query }, _req, res) => {
    const { course, cohort } = subject;
    const [totals, words, qrSvg, observation, standings] = await Promise.all([
      courseTotals(ctx.db, [course.id]),
      changeTexts(ctx.db, [course.id]),
      QRCode.toString(questionnaireUrl(ctx, course.questionnaireCode), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }),
      courseObservationView(ctx, actor, subject),
      standingsOf(ctx.db, { organisationId: course.organisationId, holderIds: [course.trainerId, course.coTrainerId].filter((x): x is string => !!x) }),
    ]);
    const summary = summarise([totalsOf(totals, course.id)]);
    const edit = can(actor, 'course:edit', subject);
    res.render('impact/course', {
      title: `Course of ${calendarDay(course.deliveredOn)}`,
      course: presentCourseItem(course, summary, { edit }, standings),
      cohort,
      register: course.register,
      registerMode: course.registerMode,
      summary,
      observation,
      outcomes: outcomeRows(course, totals),
      words: words.map((w) => w.text),
      questionnaire: edit ? { url: questionnaireUrl(ctx, course.questionnaireCode), qrSvg, png: `/courses/${course.id}/qr.png` } : null,
      back: edit ? { href: '/courses', label: 'My courses' } : { href: `/organisations/${course.organisationId}/courses`, label: 'Courses delivered' },
      done: query.done && DONE[query.done],
    });
  });

  mine.get('/:courseId/edit', { summary: 'The form to edit a course', authorize: onCourse(ctx.db, 'course:edit') }, ({ actor, subject }, _req, res) => renderForm(res, actor, subject.cohort, { course: subject.course }));

  mine.form(
    '/:courseId',
    {
      summary: 'Edit a course (form)',
      body: courseForm,
      authorize: onCourse(ctx.db, 'course:edit'),
      rerender: (_req, res, { error, values, actor, subject }) => renderForm(res, actor, subject.cohort, { course: subject.course, values, error }),
    },
    async ({ body, actor, subject }) => {
      await editCourse(ctx, actor, subject.cohort, subject.course, body);
      return seeOther(`/courses/${subject.course.id}?done=updated`);
    },
  );

  mine.get('/:courseId/qr.png', { summary: 'The questionnaire’s QR code as a PNG, to print', authorize: onCourse(ctx.db, 'course:edit'), produces: 'image/png' }, async ({ subject }, _req, res) => {
    const png = await QRCode.toBuffer(questionnaireUrl(ctx, subject.course.questionnaireCode), { type: 'png', width: 600, margin: 2, errorCorrectionLevel: 'M' });
    res.setHeader('Content-Type', 'image/png');
    res.setHeader('Content-Disposition', `inline; filename="questionnaire-${subject.course.deliveredOn}.png"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(png);
  });

  org.get('/', { summary: 'Every course the organisation’s new trainers delivered, with learners’ before/after', authorize: onOrganisation(ctx.db, 'impact:view') }, async ({ subject }, _req, res) => {
    const courses = await organisationCourses(ctx.db, subject.id);
    const [totals, standings] = await Promise.all([courseTotals(ctx.db, courses.map((c) => c.id)), standingsOf(ctx.db, { organisationId: subject.id })]);
    res.render('impact/org-courses', {
      title: 'Courses delivered',
      organisation: subject,
      courses: courses.map((c) => presentCourseItem(c, summarise([totalsOf(totals, c.id)]), { edit: false }, standings)),
      summary: summarise(courses.map((c) => totalsOf(totals, c.id))),
    });
  });

  return [mine, inCohort, org];
}
