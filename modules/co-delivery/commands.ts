/** Co-delivery commands: sessions, outcomes, groups, learners, and attainment (the candidate's or a mentor's shadow). */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { assertWithinCohort, audit, ConflictError, getCohort, isCandidate, NotFoundError, ValidationError, type AppContext, type StageRow } from '../../server/modules/kit';
import { coDeliveryAttainment, coDeliveryGroups, coDeliveryLearners, coDeliveryOutcomes, coDeliverySessions, type AttainmentLevel } from './schema';
import { STANDARD_OUTCOMES } from './catalogue';
import type { groupInput, sessionInput } from './inputs';

/** Adds a dated session of the course. */
export async function addSession(ctx: AppContext, actorId: string, stage: StageRow, input: z.output<typeof sessionInput>) {
  assertWithinCohort(await getCohort(ctx.db, stage.cohortId), input.startsAt, 'startsAt', 'That session');
  return ctx.db.transaction(async (tx) => {
    const [s] = await tx.insert(coDeliverySessions).values({ cohortStageId: stage.id, ...input, createdBy: actorId }).returning();
    await audit(tx, { actorId, action: 'co-delivery.session-added', subjectType: 'co_delivery_session', subjectId: s.id, after: { ...input, startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() } });
    return s;
  });
}

/** Adds learning outcomes at the end of the list. */
export async function addOutcomes(ctx: AppContext, actorId: string | null, stage: StageRow, texts: string[]) {
  return ctx.db.transaction(async (tx) => {
    const [{ next }] = await tx
      .select({ next: sql<number>`coalesce(max(${coDeliveryOutcomes.position}), 0)::int + 1` })
      .from(coDeliveryOutcomes)
      .where(eq(coDeliveryOutcomes.cohortStageId, stage.id));
    const rows = await tx
      .insert(coDeliveryOutcomes)
      .values(texts.map((text, i) => ({ cohortStageId: stage.id, position: next + i, text })))
      .returning();
    await audit(tx, { actorId, action: 'co-delivery.outcomes-added', subjectType: 'cohort_stage', subjectId: stage.id, after: texts });
    return rows;
  });
}

/** Adds the standard outcomes to a course that has none yet. */
export async function addStandardOutcomes(ctx: AppContext, actorId: string | null, stage: StageRow) {
  const existing = await ctx.db.select({ id: coDeliveryOutcomes.id }).from(coDeliveryOutcomes).where(eq(coDeliveryOutcomes.cohortStageId, stage.id)).limit(1);
  if (existing.length) throw new ConflictError('This course already has learning outcomes; add any others one at a time.');
  return addOutcomes(ctx, actorId, stage, STANDARD_OUTCOMES);
}

/** A session of this stage, or a 400 naming `sessionId`. */
async function checkSession(ctx: AppContext, stage: StageRow, sessionId: string) {
  const [s] = await ctx.db.select({ id: coDeliverySessions.id }).from(coDeliverySessions).where(and(eq(coDeliverySessions.id, sessionId), eq(coDeliverySessions.cohortStageId, stage.id)));
  if (!s) throw new ValidationError('That session is not part of this course.', [{ field: 'sessionId', message: 'is not a session of this course' }]);
}

/** Creates a small group led by a candidate of the cohort. */
export async function addGroup(ctx: AppContext, actorId: string, stage: StageRow, input: z.output<typeof groupInput>) {
  if (!(await isCandidate(ctx.db, stage.cohortId, input.candidateId))) {
    throw new ValidationError('That person is not a candidate of this cohort.', [{ field: 'candidateId', message: 'is not a candidate of this cohort' }]);
  }
  if (input.sessionId) await checkSession(ctx, stage, input.sessionId);
  return ctx.db.transaction(async (tx) => {
    const [g] = await tx.insert(coDeliveryGroups).values({ cohortStageId: stage.id, ...input }).returning();
    await audit(tx, { actorId, action: 'co-delivery.group-added', subjectType: 'co_delivery_group', subjectId: g.id, after: input });
    return g;
  });
}

/** A group of this stage, or 404. */
export async function getGroup(ctx: AppContext, stage: StageRow, groupId: string) {
  const [g] = await ctx.db.select().from(coDeliveryGroups).where(and(eq(coDeliveryGroups.id, groupId), eq(coDeliveryGroups.cohortStageId, stage.id)));
  if (!g) throw new NotFoundError('That group');
  return g;
}

/** Adds learners (names or anonymous codes) to a group. */
export async function addLearners(ctx: AppContext, actorId: string, stage: StageRow, groupId: string, labels: string[]) {
  return ctx.db.transaction(async (tx) => {
    const rows = await tx
      .insert(coDeliveryLearners)
      .values(labels.map((label) => ({ cohortStageId: stage.id, groupId, label })))
      .returning();
    await audit(tx, { actorId, action: 'co-delivery.learners-added', subjectType: 'co_delivery_group', subjectId: groupId, after: labels });
    return rows;
  });
}

/** Records judgements for learners of one group: by the leading candidate, or as a mentor's shadow score. */
export async function recordAttainment(
  ctx: AppContext,
  actorId: string,
  role: 'candidate' | 'mentor',
  stage: StageRow,
  groupId: string,
  entries: { learnerId: string; outcomeId: string; level: AttainmentLevel; field: string }[],
) {
  const [learners, outcomes] = await Promise.all([
    ctx.db.select({ id: coDeliveryLearners.id }).from(coDeliveryLearners).where(and(eq(coDeliveryLearners.groupId, groupId), inArray(coDeliveryLearners.id, entries.map((e) => e.learnerId)))),
    ctx.db.select({ id: coDeliveryOutcomes.id }).from(coDeliveryOutcomes).where(and(eq(coDeliveryOutcomes.cohortStageId, stage.id), inArray(coDeliveryOutcomes.id, entries.map((e) => e.outcomeId)))),
  ]);
  const okLearner = new Set(learners.map((l) => l.id));
  const okOutcome = new Set(outcomes.map((o) => o.id));
  const problems = entries.flatMap((e) => [
    ...(okLearner.has(e.learnerId) ? [] : [{ field: `${e.field}.learnerId`, message: 'is not a learner in this group' }]),
    ...(okOutcome.has(e.outcomeId) ? [] : [{ field: `${e.field}.outcomeId`, message: 'is not an outcome of this course' }]),
  ]);
  if (problems.length) throw new ValidationError(`${problems.length === 1 ? 'One judgement names' : `${problems.length} judgements name`} a learner or outcome that is not part of this group.`, problems);
  return ctx.db.transaction(async (tx) => {
    await tx
      .insert(coDeliveryAttainment)
      .values(entries.map((e) => ({ learnerId: e.learnerId, outcomeId: e.outcomeId, level: e.level, recorderId: actorId, role })))
      .onConflictDoUpdate({
        target: [coDeliveryAttainment.learnerId, coDeliveryAttainment.outcomeId, coDeliveryAttainment.recorderId],
        set: { level: sql`excluded.level`, role: sql`excluded.role`, recordedAt: sql`now()` },
      });
    await audit(tx, {
      actorId,
      action: role === 'candidate' ? 'co-delivery.attainment-recorded' : 'co-delivery.attainment-shadowed',
      subjectType: 'co_delivery_group',
      subjectId: groupId,
      after: entries.map(({ learnerId, outcomeId, level }) => ({ learnerId, outcomeId, level })),
    });
    return entries.length;
  });
}
