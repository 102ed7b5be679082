/** Projects-week commands: add knowledge modules, assign them to candidates, schedule delivery slots. */
import { and, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { audit, isPgError, ConflictError, deliver, isCandidate, NotFoundError, notify, ValidationError, type AppContext, type StageRow } from '../../server/modules/kit';
import { projectsWeekAssignments, projectsWeekModules } from './schema';
import { STANDARD_MODULES } from './catalogue';
import type { assignmentInput, moduleInput } from './inputs';

const link = (stage: StageRow) => `/cohorts/${stage.cohortId}/stages/projects-week`;

/** Adds one knowledge module at the end of the stage's list. */
export async function addModule(ctx: AppContext, actorId: string, stage: StageRow, input: z.output<typeof moduleInput>) {
  return ctx.db.transaction(async (tx) => {
    const [{ next }] = await tx
      .select({ next: sql<number>`coalesce(max(${projectsWeekModules.position}), 0)::int + 1` })
      .from(projectsWeekModules)
      .where(eq(projectsWeekModules.cohortStageId, stage.id));
    const [mod] = await tx.insert(projectsWeekModules).values({ cohortStageId: stage.id, position: next, ...input }).returning();
    await audit(tx, { actorId, action: 'projects-week.module-added', subjectType: 'projects_week_module', subjectId: mod.id, after: input });
    return mod;
  });
}

/** Adds the five standard knowledge modules (only to a stage that has none yet). */
export async function addStandardModules(ctx: AppContext, actorId: string | null, stage: StageRow) {
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.select({ id: projectsWeekModules.id }).from(projectsWeekModules).where(eq(projectsWeekModules.cohortStageId, stage.id)).limit(1);
    if (existing.length) throw new ConflictError('This projects week already has knowledge modules; add any others one at a time.');
    const mods = await tx
      .insert(projectsWeekModules)
      .values(STANDARD_MODULES.map((m, i) => ({ cohortStageId: stage.id, position: i + 1, title: m.title, summary: m.summary })))
      .returning();
    await audit(tx, { actorId, action: 'projects-week.standard-modules-added', subjectType: 'cohort_stage', subjectId: stage.id, after: mods.map((m) => m.title) });
    return mods;
  });
}

/** A module of this stage, or a 400 naming `field`. */
async function moduleOf(ctx: AppContext, stage: StageRow, moduleId: string) {
  const [mod] = await ctx.db
    .select()
    .from(projectsWeekModules)
    .where(and(eq(projectsWeekModules.id, moduleId), eq(projectsWeekModules.cohortStageId, stage.id)));
  if (!mod) throw new ValidationError('That knowledge module is not part of this projects week.', [{ field: 'moduleId', message: 'is not a module of this projects week' }]);
  return mod;
}

/** Assigns a module to a candidate; the candidate is told. */
export async function assignModule(ctx: AppContext, actorId: string, stage: StageRow, input: z.output<typeof assignmentInput>) {
  if (!(await isCandidate(ctx.db, stage.cohortId, input.candidateId))) {
    throw new ValidationError('That person is not a candidate of this cohort.', [{ field: 'candidateId', message: 'is not a candidate of this cohort' }]);
  }
  const mod = await moduleOf(ctx, stage, input.moduleId);
  try {
    const { assignment, notes } = await ctx.db.transaction(async (tx) => {
      const [assignment] = await tx
        .insert(projectsWeekAssignments)
        .values({ cohortStageId: stage.id, moduleId: mod.id, candidateId: input.candidateId, slotAt: input.slotAt, meetingUrl: input.meetingUrl, assignedBy: actorId })
        .returning();
      await audit(tx, { actorId, action: 'projects-week.module-assigned', subjectType: 'projects_week_assignment', subjectId: assignment.id, after: { ...input, slotAt: input.slotAt?.toISOString() } });
      const notes = await notify(tx, [
        { userId: input.candidateId, kind: 'projects-week.assigned', title: `You are to deliver the knowledge module “${mod.title}”`, body: input.slotAt ? `Your slot: ${input.slotAt.toUTCString()}` : 'Your mentor will book your slot.', link: link(stage) },
      ]);
      return { assignment, notes };
    });
    await deliver(ctx, notes);
    return assignment;
  } catch (err) {
    if (isPgError(err, 'uniqueViolation')) throw new ConflictError('That module is already assigned to this candidate.');
    throw err;
  }
}

/** An assignment of this stage, or 404. */
export async function getAssignment(ctx: AppContext, stage: StageRow, assignmentId: string) {
  const [a] = await ctx.db
    .select()
    .from(projectsWeekAssignments)
    .where(and(eq(projectsWeekAssignments.id, assignmentId), eq(projectsWeekAssignments.cohortStageId, stage.id)));
  if (!a) throw new NotFoundError('That module assignment');
  return a;
}

/** Books (or moves) the slot in which the candidate delivers the module (`current`: the assignment the route loaded). */
export async function scheduleSlot(ctx: AppContext, actorId: string, stage: StageRow, current: typeof projectsWeekAssignments.$inferSelect, input: { slotAt: Date; meetingUrl?: string }) {
  const assignmentId = current.id;
  const { assignment, notes } = await ctx.db.transaction(async (tx) => {
    const [assignment] = await tx
      .update(projectsWeekAssignments)
      .set({ slotAt: input.slotAt, meetingUrl: input.meetingUrl ?? current.meetingUrl, updatedAt: new Date() })
      .where(eq(projectsWeekAssignments.id, assignmentId))
      .returning();
    await audit(tx, {
      actorId,
      action: 'projects-week.slot-scheduled',
      subjectType: 'projects_week_assignment',
      subjectId: assignmentId,
      before: { slotAt: current.slotAt?.toISOString() ?? null, meetingUrl: current.meetingUrl },
      after: { slotAt: input.slotAt.toISOString(), meetingUrl: assignment.meetingUrl },
    });
    const notes = await notify(tx, [{ userId: current.candidateId, kind: 'projects-week.slot', title: 'Your knowledge-module delivery slot is booked', body: input.slotAt.toUTCString(), link: link(stage) }]);
    return { assignment, notes };
  });
  await deliver(ctx, notes);
  return assignment;
}
