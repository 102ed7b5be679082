/** Level and suspension (17.4, admins only): promote an associate to senior trainer, suspend, reinstate — each with a
 * reason, ledgered (`ledger.ts`), audited, and written to the record's history. The `may…` rules are the commands'
 * own checks, shared with the record page so a button appears only when its action is allowed now. */
import { and, eq } from 'drizzle-orm';
import { audit } from '../audit';
import type { AppContext } from '../context';
import { trainerRecordChanges, trainerRecords } from '../db/tables';
import { ConflictError } from '../errors';
import { deliver, notify } from '../notifications';
import { writeStandingChange, type StandingChange } from './ledger';
import { ensureTrainerRecord, type TrainerRecordRow } from './records';

type State = Pick<TrainerRecordRow, 'level' | 'suspendedAt'> | null;

/** Promotion: an associate trainer who is not suspended. */
export const mayPromote = (r: State) => (r?.level ?? 'associate') === 'associate' && !r?.suspendedAt;
/** Suspension: a trainer not already suspended. */
export const maySuspend = (r: State) => !r?.suspendedAt;
/** Reinstatement: a suspended trainer. */
export const mayReinstate = (r: State) => !!r?.suspendedAt;

const RULES: Record<StandingChange, { may: (r: State) => boolean; refused: string; change: string; title: string }> = {
  promote: { may: mayPromote, refused: 'Only an associate trainer who is not suspended can be promoted to senior trainer.', change: 'Promoted to senior trainer', title: 'You are now a senior trainer' },
  suspend: { may: maySuspend, refused: 'This trainer is already suspended.', change: 'Suspended', title: 'You are suspended from delivering training' },
  reinstate: { may: mayReinstate, refused: 'This trainer is not suspended, so there is nothing to reinstate.', change: 'Reinstated', title: 'You are reinstated as a trainer' },
};

/** An admin changes a trainer's level or suspension with a reason (the route has authorised `trainer:manage`). One
 * transaction: the record (made if missing) locked, the rule checked, the ledger entry and row, the history row, the
 * audit event and the trainer's notification. 409 when the rule refuses. */
export async function changeStanding(ctx: AppContext, actorId: string, who: { userId: string; organisationId: string; organisationName: string }, change: StandingChange, reason: string): Promise<TrainerRecordRow> {
  const rule = RULES[change];
  const { row, notes } = await ctx.db.transaction(async (tx) => {
    const made = await ensureTrainerRecord(tx, who.userId, who.organisationId);
    const [record] = await tx.select().from(trainerRecords).where(and(eq(trainerRecords.id, made.id))).for('update');
    if (!rule.may(record)) throw new ConflictError(rule.refused);
    const at = new Date();
    const row = await writeStandingChange(tx, record, { change, by: actorId, reason, at });
    await tx.insert(trainerRecordChanges).values({ trainerRecordId: record.id, actorId, change: rule.change, reason, at });
    await audit(tx, { actorId, action: `trainer-record.${change}`, subjectType: 'trainer_record', subjectId: record.id, before: { level: record.level, suspended: !!record.suspendedAt }, after: { level: row.level, suspended: !!row.suspendedAt, reason, ledgerSeq: row.ledgerSeq } });
    const notes = await notify(tx, [{ userId: who.userId, kind: 'register:standing', title: rule.title, body: `${rule.change} on the ${who.organisationName} trainer register: ${reason}`, link: `/organisations/${who.organisationId}/trainers/${who.userId}` }]);
    return { row, notes };
  });
  await deliver(ctx, notes);
  return row;
}
