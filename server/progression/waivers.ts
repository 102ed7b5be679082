/** Mentor actions on a candidate's progression: waive a requirement or a whole stage, mark a stage complete. */
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { audit } from '../audit';
import { getCandidate, type CohortRow } from '../cohorts/queries';
import type { AppContext } from '../context';
import { VersionedCache } from '../db/versions';
import type { Db } from '../db';
import { alias } from 'drizzle-orm/pg-core';
import { cohortStages, stageCompletionMarks, stageWaivers, users } from '../db/tables';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { id as uuidSchema } from '../http/validate';
import { writeMark, writeWaiver, writeWithdrawal } from './ledger';
import { deliver, notify } from '../notifications';
import { requirementKey } from './engine';
import { RETIRED_POSITION } from './registry';
import type { ProgressContext } from './engine';
import type { RequirementKind, StageRow } from './types';

/** A waiver request: the whole stage (no requirementKey) or one requirement by its key. */
export type WaiverInput = { stageId: string; requirementKey?: string | null; reason: string };

async function stageOf(db: Db, cohortId: string, stageId: string) {
  if (!uuidSchema.safeParse(stageId).success) throw new NotFoundError('That stage');
  const [stage] = await db.select().from(cohortStages).where(and(eq(cohortStages.id, stageId), eq(cohortStages.cohortId, cohortId)));
  if (!stage || stage.position < 1 || stage.position >= RETIRED_POSITION) throw new NotFoundError('That stage');
  return stage;
}

/** Every requirement key a stage has (what a requirement waiver may name). */
export function stageRequirementKeys(stage: { openRequirements: { kind: string }[]; completeRequirements: { kind: string }[] }): string[] {
  return [...stage.openRequirements.map((r, i) => requirementKey('open', i, r.kind)), ...stage.completeRequirements.map((r, i) => requirementKey('complete', i, r.kind))];
}

/** Waives a requirement or stage for one candidate: audited, appended to the ledger, the candidate notified. */
export async function waive(ctx: AppContext, actor: Actor, cohort: CohortRow, candidateId: string, input: WaiverInput) {
  await getCandidate(ctx.db, cohort.id, candidateId);
  const stage = await stageOf(ctx.db, cohort.id, input.stageId);
  const key = input.requirementKey || null;
  if (key && !stageRequirementKeys(stage).includes(key)) {
    throw new ValidationError('That requirement is not part of this stage.', [{ field: 'requirementKey', message: `must be one of: ${stageRequirementKeys(stage).join(', ')}` }]);
  }
  const reason = input.reason.trim();
  if (reason.length < 5) throw new ValidationError('Give a reason for the waiver (at least 5 characters): it stays on the candidate’s record.', [{ field: 'reason', message: 'is required (at least 5 characters)' }]);
  const { waiver, rows } = await ctx.db.transaction(async (tx) => {
    const existing = await tx
      .select({ id: stageWaivers.id })
      .from(stageWaivers)
      .where(and(eq(stageWaivers.cohortStageId, stage.id), eq(stageWaivers.candidateId, candidateId), eq(stageWaivers.scope, key ? 'requirement' : 'stage'), key ? eq(stageWaivers.requirementKey, key) : undefined, isNull(stageWaivers.withdrawnAt)));
    if (existing.length) throw new ConflictError(key ? 'That requirement is already waived for this candidate.' : 'That stage is already waived for this candidate.');
    const row = await writeWaiver(tx, { stage, candidateId, mentorId: actor.id, requirementKey: key, reason, at: new Date() });
    await audit(tx, { actorId: actor.id, action: 'stage.waived', subjectType: 'stage_waiver', subjectId: row.id, after: { candidateId, stageId: stage.id, requirementKey: key, reason, ledgerSeq: row.ledgerSeq } });
    const rows = await notify(tx, [
      {
        userId: candidateId,
        kind: 'stage.waived',
        title: key ? `A requirement of '${stage.title}' was waived` : `'${stage.title}' was waived`,
        body: `${actor.name} waived ${key ? 'a requirement' : 'this stage'} for you: ${reason}`,
        link: `/cohorts/${cohort.id}/candidates/${candidateId}`,
      },
    ]);
    return { waiver: row, rows };
  });
  await deliver(ctx, rows).catch((err) => ctx.logger.warn({ err }, 'waiver notification failed'));
  return waiver;
}

/** A waiver withdrawal: the mentor's reason stays on the record and in the ledger. */
export type WithdrawInput = { reason: string };

/** Withdraws a waiver: it stops counting at once; the candidate is told why. Ledgered and audited. */
export async function withdrawWaiver(ctx: AppContext, actor: Actor, cohort: CohortRow, candidateId: string, waiverId: string, input: WithdrawInput) {
  await getCandidate(ctx.db, cohort.id, candidateId);
  if (!uuidSchema.safeParse(waiverId).success) throw new NotFoundError('That waiver');
  const reason = input.reason.trim();
  if (reason.length < 5) throw new ValidationError('Give a reason for withdrawing the waiver (at least 5 characters): the candidate reads it.', [{ field: 'reason', message: 'is required (at least 5 characters)' }]);
  const { waiver, rows } = await ctx.db.transaction(async (tx) => {
    const [found] = await tx
      .select({ w: stageWaivers, stageTitle: cohortStages.title })
      .from(stageWaivers)
      .innerJoin(cohortStages, eq(cohortStages.id, stageWaivers.cohortStageId))
      .where(and(eq(stageWaivers.id, waiverId), eq(stageWaivers.candidateId, candidateId), eq(cohortStages.cohortId, cohort.id)))
      .for('update');
    if (!found) throw new NotFoundError('That waiver');
    if (found.w.withdrawnAt) throw new ConflictError('That waiver was already withdrawn.');
    const row = await writeWithdrawal(tx, { waiverId, stage: { id: found.w.cohortStageId, cohortId: cohort.id, title: found.stageTitle }, candidateId, mentorId: actor.id, reason, at: new Date() });
    await audit(tx, { actorId: actor.id, action: 'stage.waiver_withdrawn', subjectType: 'stage_waiver', subjectId: waiverId, before: { reason: found.w.reason }, after: { withdrawalReason: reason, ledgerSeq: row.withdrawalLedgerSeq } });
    const what = found.w.scope === 'stage' ? `the waiver of '${found.stageTitle}'` : `the waiver of a requirement of '${found.stageTitle}'`;
    const rows = await notify(tx, [{ userId: candidateId, kind: 'stage.waiver_withdrawn', title: `${actor.name} withdrew ${what}`, body: `${actor.name} withdrew ${what}: ${reason}`, link: `/cohorts/${cohort.id}/candidates/${candidateId}` }]);
    return { waiver: row, rows };
  });
  await deliver(ctx, rows).catch((err) => ctx.logger.warn({ err }, 'waiver withdrawal notification failed'));
  return waiver;
}

/** Marks a stage complete for a candidate (the `mentor-marked-complete` requirement); ledgered and audited. */
export async function markComplete(ctx: AppContext, actor: Actor, cohort: CohortRow, candidateId: string, stageId: string, note?: string | null) {
  await getCandidate(ctx.db, cohort.id, candidateId);
  const stage = await stageOf(ctx.db, cohort.id, stageId);
  // A mark only means something where a requirement asks for one; elsewhere it would answer "done" and change nothing.
  if (!stage.completeRequirements.some((r) => r.kind === 'mentor-marked-complete')) {
    throw new ConflictError(`'${stage.title}' does not ask for a mentor's mark: it completes when its own requirements are met. To excuse this candidate from it, waive the stage or a requirement with a reason.`);
  }
  return ctx.db.transaction(async (tx) => {
    const mark = await writeMark(tx, { stage, candidateId, mentorId: actor.id, note: note || null, at: new Date() });
    if (!mark) throw new ConflictError('That stage is already marked complete for this candidate.');
    await audit(tx, { actorId: actor.id, action: 'stage.marked_complete', subjectType: 'cohort_stage', subjectId: stage.id, after: { candidateId, note: note || null, ledgerSeq: mark.ledgerSeq } });
    return mark;
  });
}

/** A requirement of a stage in words ("Watch every video to 90%"), from its key; never the raw key. */
export function describeRequirement(kinds: ReadonlyMap<string, RequirementKind>, stage: StageRow | undefined, key: string): string {
  const [list, index] = key.split(':');
  const spec = stage ? (list === 'open' ? stage.openRequirements : stage.completeRequirements)[Number(index)] : undefined;
  const kind = spec ? kinds.get(spec.kind) : undefined;
  const params = kind?.params.safeParse(spec?.params ?? {});
  if (!stage || !kind || !params?.success) return 'a requirement that is no longer part of the stage';
  return kind.describe(params.data, stage);
}

/** A candidate's record: the waivers (withdrawn ones too) and completion marks on their stages, newest first, with
 * names. Kept in memory while the cohort's data version stays the same (one statement to check it). */
export async function recordOf(ctx: ProgressContext, cohortId: string, candidateId: string): Promise<CandidateRecord> {
  const key = `${cohortId}|${candidateId}`;
  const found = await records.get(ctx.db, [key], () => cohortId, '', async () => new Map([[key, await readRecord(ctx, cohortId, candidateId)]]));
  return found.get(key) ?? readRecord(ctx, cohortId, candidateId);
}

/** What `recordOf` answers. */
export type CandidateRecord = Awaited<ReturnType<typeof readRecord>>;

const records = new VersionedCache<CandidateRecord>(5000);

async function readRecord(ctx: ProgressContext, cohortId: string, candidateId: string) {
  const { db } = ctx;
  const stages = await db.select().from(cohortStages).where(eq(cohortStages.cohortId, cohortId)).orderBy(asc(cohortStages.position));
  if (!stages.length) return { waivers: [], marks: [] };
  const stageById = new Map(stages.map((s) => [s.id, s]));
  const ids = stages.map((s) => s.id);
  const titleOf = new Map(stages.map((s) => [s.id, s.title]));
  const withdrawer = alias(users, 'withdrawer');
  const waivers = await db
    .select({
      id: stageWaivers.id,
      stageId: stageWaivers.cohortStageId,
      scope: stageWaivers.scope,
      requirementKey: stageWaivers.requirementKey,
      reason: stageWaivers.reason,
      mentorName: users.name,
      ledgerSeq: stageWaivers.ledgerSeq,
      at: stageWaivers.createdAt,
      withdrawnAt: stageWaivers.withdrawnAt,
      withdrawalReason: stageWaivers.withdrawalReason,
      withdrawnByName: withdrawer.name,
    })
    .from(stageWaivers)
    .innerJoin(users, eq(users.id, stageWaivers.mentorId))
    .leftJoin(withdrawer, eq(withdrawer.id, stageWaivers.withdrawnBy))
    .where(and(inArray(stageWaivers.cohortStageId, ids), eq(stageWaivers.candidateId, candidateId)))
    .orderBy(desc(stageWaivers.createdAt));
  const marks = await db
    .select({ id: stageCompletionMarks.id, stageId: stageCompletionMarks.cohortStageId, note: stageCompletionMarks.note, mentorName: users.name, ledgerSeq: stageCompletionMarks.ledgerSeq, at: stageCompletionMarks.createdAt })
    .from(stageCompletionMarks)
    .innerJoin(users, eq(users.id, stageCompletionMarks.mentorId))
    .where(and(inArray(stageCompletionMarks.cohortStageId, ids), eq(stageCompletionMarks.candidateId, candidateId)))
    .orderBy(desc(stageCompletionMarks.createdAt));
  return {
    waivers: waivers.map((w) => ({ ...w, stageTitle: titleOf.get(w.stageId) ?? '', withdrawn: !!w.withdrawnAt, requirement: w.requirementKey ? describeRequirement(ctx.registry.requirementKinds, stageById.get(w.stageId), w.requirementKey) : null })),
    marks: marks.map((m) => ({ ...m, stageTitle: titleOf.get(m.stageId) ?? '' })),
  };
}
