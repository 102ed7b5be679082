/** The append-only audit trail: every change that is not a ledger decision, each row chained to the last. */
import { desc, sql } from 'drizzle-orm';
import type { Db } from './db';
import { auditEvents } from './db/tables';
import { canonicalJson, GENESIS_HASH, sha256 } from './util/canonical';

/** What happened, to what, by whom. */
export type AuditInput = {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId?: string | null;
  before?: unknown;
  after?: unknown;
};

/** Appends an audit event inside the caller's transaction; appends are serialised by an advisory lock. */
export async function audit(tx: Db, input: AuditInput): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(7201)`);
  const [last] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  const prevHash = last?.hash ?? GENESIS_HASH;
  const at = new Date();
  const body = {
    actorId: input.actorId,
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    at: at.toISOString(),
  };
  await tx.insert(auditEvents).values({
    ...body,
    before: body.before,
    after: body.after,
    at,
    prevHash,
    hash: sha256(prevHash + canonicalJson(body)),
  });
}
