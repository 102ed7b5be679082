/** The learners' questionnaire at /q/<code>: no account, made for a phone. The code is the only secret in the address;
 * the form carries the CSRF token (bound to the browser's CSRF cookie, which works without a login). */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { AppError } from '../errors';
import { seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { parse } from '../http/validate';
import { courseByCode, type CourseListItem } from './course-queries';
import { deviceToken, ensureDeviceToken, QuestionnaireThrottle, recordAnswer } from './questionnaire';
import { answerForm, questionnaireParams } from './schemas';
import { CONFIDENCE, SAFETY_QUESTION } from './vocabulary';
import { z } from 'zod';

const pageQuery = z.object({ thanks: z.literal('1').optional() });

/** Mounts the public questionnaire (no login). */
export function questionnaireRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/q');
  const throttle = new QuestionnaireThrottle(ctx.database);

  function render(req: Request, res: Response, course: CourseListItem, extra: { values?: Record<string, unknown>; error?: AppError } = {}) {
    ensureDeviceToken(req, res, ctx.config);
    const values = extra.values ?? {};
    // Beside each question a short message (the summary at the top names the question in full).
    const problem = (field: string) => (extra.error?.fields.some((f) => f.field === field) ? (field === 'safety' ? 'Choose one answer.' : 'Choose a number from 1 to 5.') : undefined);
    // The first choice of each group carries the field's id, so the error summary's links land on it.
    const scale = (name: string) => CONFIDENCE.map((c) => ({ ...c, name, id: c.value === 1 ? `field-${name}` : `field-${name}-${c.value}`, checked: String(values[name] ?? '') === String(c.value) }));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.render('impact/questionnaire', {
      title: 'Your course: before and after',
      course: { deliveredOn: course.deliveredOn, venue: course.venue, trainerName: course.trainerName },
      outcomes: course.outcomes.map((text, i) => ({ text, n: i + 1, before: scale(`b${i + 1}`), after: scale(`a${i + 1}`), beforeError: problem(`b${i + 1}`), afterError: problem(`a${i + 1}`) })),
      safety: { text: SAFETY_QUESTION.text, error: problem('safety'), options: SAFETY_QUESTION.options.map((o, i) => ({ value: o.value, label: o.label, id: i === 0 ? 'field-safety' : `field-safety-${i + 1}`, checked: values.safety === o.value })) },
      change: typeof values.change === 'string' ? values.change : '',
      error: extra.error ? { message: extra.error.message, problems: extra.error.fields.map((f) => ({ href: `#field-${f.field}`, text: f.message.charAt(0).toUpperCase() + f.message.slice(1) })) } : null,
      action: `/q/${course.questionnaireCode}`,
    });
  }

  r.get('/:code', { summary: 'A course questionnaire (public, no account)', authorize: 'public', params: questionnaireParams, query: pageQuery }, async ({ params, query }, req, res) => {
    const course = await courseByCode(ctx.db, params.code);
    if (query.thanks) {
      res.setHeader('Cache-Control', 'no-store');
      res.render('impact/questionnaire-done', { title: 'Thank you', trainerName: course.trainerName });
      return;
    }
    render(req, res, course);
  });

  r.form(
    '/:code',
    {
      summary: 'Answer a course questionnaire (public form)',
      authorize: 'public',
      params: questionnaireParams,
      // The body is parsed in the handler, after the throttle has counted the attempt: a flood of malformed answers
      // is limited like any other.
      rerender: async (req, res, { error, values, params }) => {
        const course = await courseByCode(ctx.db, params.code);
        if (error.status === 409) {
          res.render('impact/questionnaire-done', { title: 'Already answered', trainerName: course.trainerName, already: error.message });
          return;
        }
        render(req, res, course, { values, error });
      },
    },
    async ({ params }, req) => {
      const course = await courseByCode(ctx.db, params.code);
      await throttle.consume(req.ip ?? 'unknown', course.id);
      const { _csrf: _token, ...fields } = (req.body ?? {}) as Record<string, unknown>;
      const body = parse(answerForm, fields, 'answer');
      const token = deviceToken(req, ctx.config);
      if (!token) throw new AppError('Your browser did not keep this questionnaire’s cookie, so your answer could not be counted once only. Allow cookies for this site, open the link again and answer once more.', 400, 'device_cookie_missing', [{ field: 'b1', message: 'allow cookies and open the link again' }]);
      await recordAnswer(ctx.db, course, token, body);
      return seeOther(`/q/${course.questionnaireCode}?thanks=1`);
    },
  );

  return [r];
}
