/** Remedial-workshop commands: request a topic, mark it covered, tick the checklist, sign a candidate off as ready. */
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { audit, isPgError, rolesChanged, candidateStage, cohorts, competencies, ConflictError, deliver, finalSignoffGaps, ForbiddenError, GateClosedError, isCandidate, NotFoundError, notify, rubricCriteria, unmetReasons, ValidationError, type AppContext, type StageProgress, type StageRow } from '../../server/modules/kit';
import { remedialWorkshopChecklist, remedialWorkshopTopics } from './schema';
import { writeReadinessSignoff } from './ledger';
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

/** The final sign-off's input: an optional note, and the reason when it overrides the readiness model. */
export type ReadinessInput = { candidateId: string; note?: string; overrideReason?: string };

/** The requirement the final sign-off itself fulfils (not a gap for the sign-off). */
export const SIGNED_KIND = 'remedial-workshop:readiness-signed';

/** Why the final sign-off of a candidate by `mentorId` would be refused now, or null when it would be accepted (with
 * an override reason when the readiness model has gaps). The one rule: the command enforces it and the page shows the
 * button only when it is null, else says what is missing. */
export function readinessRefusal(o: { mentorId: string; candidateId: string; progress: StageProgress | undefined; checklist: { done: number; of: number } }): { kind: 'own' | 'locked' | 'checklist'; message: string } | null {
  if (o.candidateId === o.mentorId) return { kind: 'own', message: 'You cannot sign off your own readiness; another mentor of the cohort must.' };
  if (o.progress?.status === 'locked') return { kind: 'locked', message: `This candidate's remedial workshop is not open yet, so they cannot be signed off: ${unmetReasons(o.progress).join(' ')}` };
  if (o.checklist.done < o.checklist.of) {
    return { kind: 'checklist', message: `The rollout checklist is not complete: ${o.checklist.done} of ${o.checklist.of} items are ticked by both the lead and the mentor. Finish it before the final sign-off.` };
  }
  return null;
}

/**
 * The mentor's final readiness sign-off: the whole checklist ticked by both the lead and the mentor, and the
 * readiness model saying ready — or, when it does not, an override with a reason (kept in the ledger and the report).
 * Never for oneself. Ledgered, audited, the candidate notified.
 */
export async function signReadiness(ctx: AppContext, mentor: { id: string; name: string }, stage: StageRow, input: ReadinessInput) {
  const { candidateId } = input;
  if (candidateId === mentor.id) throw new ForbiddenError('You cannot sign off your own readiness; another mentor of the cohort must.');
  if (!(await isCandidate(ctx.db, stage.cohortId, candidateId))) {
    throw new ValidationError('That person is not a candidate of this cohort.', [{ field: 'candidateId', message: 'is not a candidate of this cohort' }]);
  }
  const progress = await candidateStage(ctx, stage.cohortId, candidateId, 'remedial-workshop');
  const refusal = readinessRefusal({ mentorId: mentor.id, candidateId, progress, checklist: (await checklistDone(ctx.db, [stage])).get(stage.id)! });
  if (refusal?.kind === 'locked') throw new GateClosedError(refusal.message);
  if (refusal) throw new ConflictError(refusal.message);
  const gaps = ((await finalSignoffGaps(ctx, stage.cohortId, [candidateId], { stageId: stage.id, requirementKind: SIGNED_KIND })).get(candidateId) ?? []).map((g) => g.text);
  const overrideReason = gaps.length ? (input.overrideReason?.trim() ?? '') : '';
  if (gaps.length && overrideReason.length < 10) {
    throw new ValidationError(`The readiness model says this candidate is not ready: ${gaps.join(' ')} Sign off when they are, or give a reason (at least 10 characters) to override the model; the override is shown in the inspector report.`, [
      { field: 'overrideReason', message: 'is required to sign off a candidate the readiness model does not show as ready (at least 10 characters)' },
    ]);
  }
  try {
    const { row, notes } = await ctx.db.transaction(async (tx) => {
      const override = overrideReason || null;
      const row = await writeReadinessSignoff(tx, { stage, candidateId, mentorId: mentor.id, note: input.note ?? null, overrideReason: override, gaps, at: new Date() });
      await audit(tx, { actorId: mentor.id, action: override ? 'remedial-workshop.readiness-signed-override' : 'remedial-workshop.readiness-signed', subjectType: 'remedial_workshop_signoff', subjectId: row.id, after: { candidateId, note: input.note ?? null, overrideReason: override, gaps, ledgerSeq: row.ledgerSeq } });
      const notes = await notify(tx, [{ userId: candidateId, kind: 'remedial-workshop.ready', title: 'You are signed off as ready to roll out the training', body: input.note, link: link(stage) }]);
      return { row, notes };
    });
    await deliver(ctx, notes);
    // The certificate issued with the sign-off makes them a trainer: their pages and menu show it at once.
    rolesChanged(ctx, candidateId);
    return row;
  } catch (err) {
    if (isPgError(err, 'uniqueViolation')) throw new ConflictError('This candidate is already signed off as ready.');
    throw err;
  }
}
