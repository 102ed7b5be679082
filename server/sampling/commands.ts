/** Writes for observation sampling: a mentor's observation of a course (scored with the rubric's own scoring, ledgered,
 * the course marked observed), a provider's hand pick (ledgered), and the rates. The route has authorised each. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { audit } from '../audit';
import type { AppContext } from '../context';
import { courseObservations, impactCourses, observationPicks, samplingRates } from '../db/tables';
import { ConflictError, ValidationError } from '../errors';
import { appendLedger } from '../ledger';
import { londonDate } from '../progression/kinds/answers';
import type { RubricGrid } from '../rubrics/queries';
import { scoreAssessment } from '../rubrics/score';
import type { CourseListItem } from '../impact/course-queries';

/** What the observation form sends, parsed. */
export type ObservationInput = { observedOn: string; levels: Record<string, number>; notes: string };

/** Records a mentor's observation of `course` against `rubric`; returns the row and its score. */
export async function recordObservation(ctx: AppContext, actor: Actor, course: CourseListItem, rubric: RubricGrid, input: ObservationInput) {
  if (rubric.archivedAt || rubric.supersededAt) throw new ConflictError(`“${rubric.name}” is no longer in use; choose a current rubric.`);
  if (input.observedOn < course.deliveredOn) throw new ValidationError('The observation cannot be before the course.', [{ field: 'observedOn', message: `The observation date must be on or after the course (${course.deliveredOn}).` }]);
  if (input.observedOn > londonDate(new Date())) throw new ValidationError('The observation cannot be in the future.', [{ field: 'observedOn', message: 'The observation date cannot be in the future.' }]);
  const unknown = Object.keys(input.levels).filter((k) => !rubric.criteria.some((c) => c.id === k));
  if (unknown.length) throw new ValidationError('Some scores are for criteria this rubric does not have.', unknown.map((k) => ({ field: `levels.${k}`, message: 'That is not a criterion of this rubric.' })));
  const score = scoreAssessment(rubric, input.levels);
  const id = randomUUID();
  const at = new Date();
  const row = await ctx.db.transaction(async (tx) => {
    const entry = await appendLedger(tx, {
      kind: 'course.observed',
      actorId: actor.id,
      cohortId: course.cohortId,
      candidateId: course.trainerId,
      subjectType: 'course_observation',
      subjectId: id,
      at,
      payload: { courseId: course.id, rubricId: rubric.id, observedOn: input.observedOn, percent: score.percent, passed: score.passed, mustPassFailed: score.mustPassFailed, notes: input.notes },
    });
    const [inserted] = await tx
      .insert(courseObservations)
      .values({ id, courseId: course.id, observerId: actor.id, rubricId: rubric.id, observedOn: input.observedOn, levels: input.levels, percent: score.percent, passed: score.passed, mustPassFailed: score.mustPassFailed, notes: input.notes, ledgerSeq: entry.seq, createdAt: at })
      .returning();
    // The course's own flag and link (issue 18): the first observation is the one it links to.
    if (!course.observed) await tx.update(impactCourses).set({ observed: true, observationId: id }).where(eq(impactCourses.id, course.id));
    return inserted;
  });
  return { observation: row, score };
}

/** Picks `course` for observation by hand, with the reason; a course already picked is refused (409). */
export async function pickCourse(ctx: AppContext, actor: Actor, course: CourseListItem, reason: string) {
  const at = new Date();
  return ctx.db.transaction(async (tx) => {
    const inserted = await tx.insert(observationPicks).values({ courseId: course.id, pickedBy: actor.id, reason, createdAt: at }).onConflictDoNothing().returning();
    if (!inserted.length) throw new ConflictError('This course is already picked for observation.');
    const entry = await appendLedger(tx, { kind: 'course.picked_for_observation', actorId: actor.id, cohortId: course.cohortId, candidateId: course.trainerId, subjectType: 'observation_pick', subjectId: course.id, at, payload: { reason } });
    await tx.update(observationPicks).set({ ledgerSeq: entry.seq }).where(eq(observationPicks.courseId, course.id));
  });
}

/** Sets (or, with no percent, clears) the sampling rate of an organisation or a programme. */
export async function setRate(ctx: AppContext, actor: Actor, scope: { organisationId: string } | { programmeTemplateId: string }, percent: number | null) {
  const where = 'organisationId' in scope ? eq(samplingRates.organisationId, scope.organisationId) : eq(samplingRates.programmeTemplateId, scope.programmeTemplateId);
  await ctx.db.transaction(async (tx) => {
    await tx.delete(samplingRates).where(where);
    if (percent !== null) await tx.insert(samplingRates).values({ ...scope, percent, updatedBy: actor.id });
    await audit(tx, { actorId: actor.id, action: 'sampling.rate_set', subjectType: 'organisationId' in scope ? 'organisation' : 'programme_template', subjectId: 'organisationId' in scope ? scope.organisationId : scope.programmeTemplateId, after: { percent } });
  });
}
