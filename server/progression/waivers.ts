/** Mentor actions on a candidate's progression: waive a requirement or a whole stage, mark a stage complete. */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { audit } from '../audit';
import { getCandidate, type CohortRow } from '../cohorts/queries';
import type { AppContext } from '../context';
import { VersionedCache } from '../db/versions';
import type { Db } from '../db';
import { cohortStages, stageCompletionMarks, stageWaivers, users } from '../db/tables';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { id as uuidSchema } from '../http/validate';
import { appendLedger } from '../ledger';
import { deliver, notify } from '../notifications';
import { requirementKey } from './engine';
import { RETIRED_POSITION } from './registry';

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
      .where(and(eq(stageWaivers.cohortStageId, stage.id), eq(stageWaivers.candidateId, candidateId), eq(stageWaivers.scope, key ? 'requirement' : 'stage'), key ? eq(stageWaivers.requirementKey, key) : undefined));
    if (existing.length) throw new ConflictError(key ? 'That requirement is already waived for this candidate.' : 'That stage is already waived for this candidate.');
    const [row] = await tx.insert(stageWaivers).values({ cohortStageId: stage.id, candidateId, scope: key ? 'requirement' : 'stage', requirementKey: key, reason, mentorId: actor.id }).returning();
    const entry = await appendLedger(tx, {
      kind: 'stage.waived',
      actorId: actor.id,
      cohortId: cohort.id,
      candidateId,
      subjectType: 'stage_waiver',
      subjectId: row.id,
      payload: { stageId: stage.id, stageTitle: stage.title, scope: row.scope, requirementKey: key, reason },
    });
    await tx.update(stageWaivers).set({ ledgerSeq: entry.seq }).where(eq(stageWaivers.id, row.id));
    await audit(tx, { actorId: actor.id, action: 'stage.waived', subjectType: 'stage_waiver', subjectId: row.id, after: { candidateId, stageId: stage.id, requirementKey: key, reason, ledgerSeq: entry.seq } });
    const rows = await notify(tx, [
      {
        userId: candidateId,
        kind: 'stage.waived',
        title: key ? `A requirement of '${stage.title}' was waived` : `'${stage.title}' was waived`,
        body: `${actor.name} waived ${key ? 'a requirement' : 'this stage'} for you: ${reason}`,
        link: `/cohorts/${cohort.id}/candidates/${candidateId}`,
      },
    ]);
    return { waiver: { ...row, ledgerSeq: entry.seq }, rows };
  });
  await deliver(ctx, rows).catch((err) => ctx.logger.warn({ err }, 'waiver notification failed'));
  return waiver;
}

/** Marks a stage complete for a candidate (the `mentor-marked-complete` requirement); audited. */
export async function markComplete(ctx: AppContext, actor: Actor, cohort: CohortRow, candidateId: string, stageId: string, note?: string | null) {
  await getCandidate(ctx.db, cohort.id, candidateId);
  const stage = await stageOf(ctx.db, cohort.id, stageId);
  return ctx.db.transaction(async (tx) => {
    const inserted = await tx.insert(stageCompletionMarks).values({ cohortStageId: stage.id, candidateId, mentorId: actor.id, note: note || null }).onConflictDoNothing().returning();
    if (!inserted.length) throw new ConflictError('That stage is already marked complete for this candidate.');
    await audit(tx, { actorId: actor.id, action: 'stage.marked_complete', subjectType: 'cohort_stage', subjectId: stage.id, after: { candidateId, note: note || null } });
    return inserted[0];
  });
}

/** A candidate's record: the waivers and completion marks on their stages, newest first, with the mentors' names.
 * Kept in memory while the cohort's data version stays the same (one statement to check it). */
export async function recordOf(db: Db, cohortId: string, candidateId: string): Promise<CandidateRecord> {
  const key = `${cohortId}|${candidateId}`;
  const found = await records.get(db, [key], () => cohortId, '', async () => new Map([[key, await readRecord(db, cohortId, candidateId)]]));
  return found.get(key) ?? readRecord(db, cohortId, candidateId);
}

/** What `recordOf` answers. */
export type CandidateRecord = Awaited<ReturnType<typeof readRecord>>;

const records = new VersionedCache<CandidateRecord>(5000);

async function readRecord(db: Db, cohortId: string, candidateId: string) {
  const stages = await db.select({ id: cohortStages.id, title: cohortStages.title }).from(cohortStages).where(eq(cohortStages.cohortId, cohortId)).orderBy(asc(cohortStages.position));
  if (!stages.length) return { waivers: [], marks: [] };
  const ids = stages.map((s) => s.id);
  const titleOf = new Map(stages.map((s) => [s.id, s.title]));
  const waivers = await db
    .select({ id: stageWaivers.id, stageId: stageWaivers.cohortStageId, scope: stageWaivers.scope, requirementKey: stageWaivers.requirementKey, reason: stageWaivers.reason, mentorName: users.name, ledgerSeq: stageWaivers.ledgerSeq, at: stageWaivers.createdAt })
    .from(stageWaivers)
    .innerJoin(users, eq(users.id, stageWaivers.mentorId))
    .where(and(inArray(stageWaivers.cohortStageId, ids), eq(stageWaivers.candidateId, candidateId)))
    .orderBy(desc(stageWaivers.createdAt));
  const marks = await db
    .select({ id: stageCompletionMarks.id, stageId: stageCompletionMarks.cohortStageId, note: stageCompletionMarks.note, mentorName: users.name, at: stageCompletionMarks.createdAt })
    .from(stageCompletionMarks)
    .innerJoin(users, eq(users.id, stageCompletionMarks.mentorId))
    .where(and(inArray(stageCompletionMarks.cohortStageId, ids), eq(stageCompletionMarks.candidateId, candidateId)))
    .orderBy(desc(stageCompletionMarks.createdAt));
  return {
    waivers: waivers.map((w) => ({ ...w, stageTitle: titleOf.get(w.stageId) ?? '' })),
    marks: marks.map((m) => ({ ...m, stageTitle: titleOf.get(m.stageId) ?? '' })),
  };
}
