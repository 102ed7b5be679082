/** Remedial-workshop commands: request a topic, mark it covered, tick the checklist, sign a candidate off as ready. */
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { audit, isPgError, candidateStage, cohorts, competencies, ConflictError, deliver, GateClosedError, isCandidate, NotFoundError, notify, rubricCriteria, unmetReasons, ValidationError, type AppContext, type StageRow } from '../../server/modules/kit';
import { remedialWorkshopChecklist, remedialWorkshopSignoffs, remedialWorkshopTopics } from './schema';
import { checklistOf } from './checklist';
import { checklistDone } from './kinds';
import type { topicInput } from './inputs';

const link = (stage: StageRow) => `/cohorts/${stage.cohortId}/stages/remedial-workshop`;

/** A candidate asks for a deep-dive topic; a named competency or criterion must exist. */
export async function requestTopic(ctx: AppContext, candidateId: string, stage: StageRow, input: z.output<typeof topicInput>) {
  if (input.competencyCode) {
    const [cohort] = await ctx.db.select({ frameworkId: cohorts.frameworkId }).from(cohorts).where(eq(cohorts.id, stage.cohortId));
    const found = await ctx.db
      .select({ id: competencies.id })
      .from(competencies)
      .where(cohort?.frameworkId ? and(eq(competencies.code, input.competencyCode), eq(competencies.frameworkId, cohort.frameworkId)) : eq(competencies.code, input.competencyCode))
      .limit(1);
    if (!found.length) throw new ValidationError('That competency is not in this programme’s framework.', [{ field: 'competencyCode', message: 'is not a competency of this programme' }]);
  }
  if (input.criterionId) {
    const found = await ctx.db.select({ id: rubricCriteria.id }).from(rubricCriteria).where(eq(rubricCriteria.id, input.criterionId));
    if (!found.length) throw new ValidationError('That rubric criterion does not exist.', [{ field: 'criterionId', message: 'is not a rubric criterion' }]);
  }
  return ctx.db.transaction(async (tx) => {
    const [topic] = await tx.insert(remedialWorkshopTopics).values({ cohortStageId: stage.id, candidateId, ...input }).returning();
    await audit(tx, { actorId: candidateId, action: 'remedial-workshop.topic-requested', subjectType: 'remedial_workshop_topic', subjectId: topic.id, after: input });
    return topic;
  });
}

/** A topic of this stage, or 404. */
export async function getTopic(ctx: AppContext, stage: StageRow, topicId: string) {
  const [topic] = await ctx.db
    .select()
    .from(remedialWorkshopTopics)
    .where(and(eq(remedialWorkshopTopics.id, topicId), eq(remedialWorkshopTopics.cohortStageId, stage.id)));
  if (!topic) throw new NotFoundError('That topic');
  return topic;
}

/** A mentor marks a topic covered in the workshop (or not yet). */
export async function setCovered(ctx: AppContext, mentorId: string, stage: StageRow, topicId: string, covered: boolean) {
  const current = await getTopic(ctx, stage, topicId);
  return ctx.db.transaction(async (tx) => {
    const [topic] = await tx
      .update(remedialWorkshopTopics)
      .set(covered ? { coveredBy: mentorId, coveredAt: new Date() } : { coveredBy: null, coveredAt: null })
      .where(eq(remedialWorkshopTopics.id, topicId))
      .returning();
    await audit(tx, { actorId: mentorId, action: covered ? 'remedial-workshop.topic-covered' : 'remedial-workshop.topic-uncovered', subjectType: 'remedial_workshop_topic', subjectId: topicId, before: { covered: !!current.coveredAt }, after: { covered } });
    return topic;
  });
}

/** Ticks (or unticks) one checklist item in the lead's or the mentor's column, recording who and when. */
export async function tickItem(ctx: AppContext, actorId: string, stage: StageRow, itemKey: string, as: 'lead' | 'mentor', ticked: boolean) {
  const item = checklistOf(stage).find((i) => i.key === itemKey);
  if (!item) throw new NotFoundError('That checklist item');
  const now = new Date();
  const set = as === 'lead' ? { leadBy: ticked ? actorId : null, leadAt: ticked ? now : null } : { mentorBy: ticked ? actorId : null, mentorAt: ticked ? now : null };
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(remedialWorkshopChecklist)
      .values({ cohortStageId: stage.id, itemKey, ...set })
      .onConflictDoUpdate({ target: [remedialWorkshopChecklist.cohortStageId, remedialWorkshopChecklist.itemKey], set })
      .returning();
    await audit(tx, { actorId, action: ticked ? 'remedial-workshop.checklist-ticked' : 'remedial-workshop.checklist-unticked', subjectType: 'cohort_stage', subjectId: stage.id, after: { itemKey, as } });
    return row;
  });
}

/** The mentor's final readiness sign-off: needs the whole checklist ticked by both the lead and the mentor. */
export async function signReadiness(ctx: AppContext, mentorId: string, stage: StageRow, candidateId: string, note?: string) {
  if (!(await isCandidate(ctx.db, stage.cohortId, candidateId))) {
    throw new ValidationError('That person is not a candidate of this cohort.', [{ field: 'candidateId', message: 'is not a candidate of this cohort' }]);
  }
  const progress = await candidateStage(ctx, stage.cohortId, candidateId, 'remedial-workshop');
  if (progress?.status === 'locked') throw new GateClosedError(`This candidate's remedial workshop is not open yet, so they cannot be signed off: ${unmetReasons(progress).join(' ')}`);
  const list = (await checklistDone(ctx.db, [stage])).get(stage.id)!;
  if (list.done < list.of) {
    throw new ConflictError(`The rollout checklist is not complete: ${list.done} of ${list.of} items are ticked by both the lead and the mentor. Finish it before the final sign-off.`);
  }
  try {
    const { row, notes } = await ctx.db.transaction(async (tx) => {
      const [row] = await tx.insert(remedialWorkshopSignoffs).values({ cohortStageId: stage.id, candidateId, mentorId, note }).returning();
      await audit(tx, { actorId: mentorId, action: 'remedial-workshop.readiness-signed', subjectType: 'remedial_workshop_signoff', subjectId: row.id, after: { candidateId, note: note ?? null } });
      const notes = await notify(tx, [{ userId: candidateId, kind: 'remedial-workshop.ready', title: 'You are signed off as ready to roll out the training', body: note, link: link(stage) }]);
      return { row, notes };
    });
    await deliver(ctx, notes);
    return row;
  } catch (err) {
    if (isPgError(err, 'uniqueViolation')) throw new ConflictError('This candidate is already signed off as ready.');
    throw err;
  }
}
