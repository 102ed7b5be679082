/** What a course's page says about its observation (issue 18's link): "Observed by … on …" with each observation's
 * rubric score and notes, the combined result (combine.ts, every observer's latest must pass), whether the course is in
 * its trainer's sample and why, and what the viewer may do (observe, pick by hand). */
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import type { CourseSubject } from '../impact/grants';
import { can } from '../policies';
import { combineAssessments, DEFAULT_COMBINE } from '../rubrics/combine';
import { reasonWords, STATUS_WORDS } from './model';
import { courseSampling, handPickOf, observationsOf } from './queries';
import { calendarDay } from '../util/dates';


/** The course page's observation section. */
export async function courseObservationView(ctx: AppContext, actor: Actor, subject: CourseSubject) {
  const { course } = subject;
  const [observations, { sample, pick }, hand] = await Promise.all([observationsOf(ctx.db, [course.id]), courseSampling(ctx.db, course), handPickOf(ctx.db, course.id)]);
  const combined = combineAssessments(
    observations.map((o) => ({ assessorId: o.observerId, assessorName: o.observerName, percent: o.percent, mustPassFailed: o.mustPassFailed, createdAt: o.createdAt, threshold: o.passThreshold })),
    DEFAULT_COMBINE,
    100,
  );
  return {
    observedBy: observations.length ? `Observed by ${[...new Set(observations.map((o) => o.observerName))].join(' and ')} on ${calendarDay(observations[0].observedOn)}` : null,
    observations: observations.map((o) => ({ ...o, day: calendarDay(o.observedOn), scoreWords: `${o.percent}%`, resultWords: o.passed ? 'Passed' : o.mustPassFailed ? 'Not passed: an essential criterion was not met' : 'Not passed' })),
    result: combined && observations.length > 1 ? (combined.met ? 'Passed — every observer’s latest observation passed.' : `Not passed — ${combined.failing.map((a) => a.assessorName).join(' and ')} did not pass it (every observer’s latest observation must pass).`) : null,
    sample: sample && { year: sample.year, due: sample.due, done: sample.done, courses: sample.courses, rateWords: sample.rateWords, statusWords: STATUS_WORDS[sample.status] },
    picked: pick ? reasonWords(pick.reason, sample?.year ?? 0, sample?.rate ?? 0) : null,
    hand: hand && { by: hand.pickedBy, reason: hand.reason },
    can: { observe: can(actor, 'course:observe', subject), pick: can(actor, 'course:pick', subject) && !hand && !pick },
  };
}
