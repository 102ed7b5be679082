/** The tamper-evident ledger: append-only, each entry hashing its canonical self and the previous entry's hash. */
import { asc, desc, gt, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { ledgerEntries } from '../db/tables';
import { canonicalJson, GENESIS_HASH, sha256 } from '../util/canonical';

/** What a ledger entry records (sign-off decisions, countersignatures, revocations, stage waivers). */
export type LedgerInput = {
  kind: string;
  actorId: string;
  cohortId: string | null;
  candidateId: string | null;
  subjectType: string;
  subjectId: string;
  payload: Record<string, unknown>;
  /** When it happened (default now); the table row written beside it carries the same instant. */
  at?: Date;
};

/** A stored ledger row. */
export type LedgerRow = typeof ledgerEntries.$inferSelect;

/** Advisory-lock key that serialises ledger appends (the audit chain uses 7201). */
const LEDGER_LOCK = 7202;

/** The exact text an entry's hash covers (the stored payload text is hashed as is, so any edit shows). */
export function entryHash(row: Omit<LedgerRow, 'hash'>): string {
  const body = {
    seq: row.seq,
    kind: row.kind,
    actorId: row.actorId,
    cohortId: row.cohortId,
    candidateId: row.candidateId,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    payload: row.payload,
    recordedAt: row.recordedAt,
  };
  return sha256(row.prevHash + canonicalJson(body));
}

/** Appends one entry inside the caller's transaction and returns it. There is no update or delete path. */
export async function appendLedger(tx: Db, input: LedgerInput): Promise<LedgerRow> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LEDGER_LOCK})`);
  const [last] = await tx.select({ seq: ledgerEntries.seq, hash: ledgerEntries.hash }).from(ledgerEntries).orderBy(desc(ledgerEntries.seq)).limit(1);
  const row = {
    seq: (last?.seq ?? 0) + 1,
    kind: input.kind,
    actorId: input.actorId,
    cohortId: input.cohortId,
    candidateId: input.candidateId,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    payload: canonicalJson(input.payload),
    recordedAt: (input.at ?? new Date()).toISOString(),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const [inserted] = await tx.insert(ledgerEntries).values({ ...row, hash: entryHash(row) }).returning();
  return inserted;
}

/** The result of recomputing the chain; `brokenAt` names the first entry that does not verify. */
export type LedgerVerification = { ok: boolean; count: number; lastHash: string; brokenAt?: { seq: number; reason: string } };

/** Recomputes the whole chain in pages of `pageSize` and reports the first broken link; `onEntry` sees each verified entry. */
export async function verifyLedger(db: Db, pageSize = 1000, onEntry?: (row: LedgerRow) => void): Promise<LedgerVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const page = await db.select().from(ledgerEntries).where(gt(ledgerEntries.seq, expectedSeq - 1)).orderBy(asc(ledgerEntries.seq)).limit(pageSize);
    for (const row of page) {
      const broken = (reason: string, seq = row.seq): LedgerVerification => ({ ok: false, count, lastHash: prevHash, brokenAt: { seq, reason } });
      if (row.seq !== expectedSeq) return broken(`entry ${expectedSeq} is missing (the next entry is ${row.seq})`, expectedSeq);
      if (row.prevHash !== prevHash) return broken(`its previous-hash does not match entry ${row.seq - 1}'s hash`);
      if (entryHash(row) !== row.hash) return broken('its contents do not match its hash (the entry was altered)');
      prevHash = row.hash;
      onEntry?.(row);
      expectedSeq += 1;
      count += 1;
    }
    if (page.length < pageSize) break;
  }
  // The chain cannot show its own tail being cut off; the decisions and waivers that cite entries can.
  const cited = (await db.execute(sql`select greatest((select max(ledger_seq) from signoff_decisions), (select max(ledger_seq) from stage_waivers))::bigint as seq`)) as unknown as { rows: { seq: string | number | null }[] };
  const maxCited = Number(cited.rows[0]?.seq ?? 0);
  if (maxCited > count) {
    return { ok: false, count, lastHash: prevHash, brokenAt: { seq: count + 1, reason: `entry ${count + 1} is missing: decisions cite entries up to ${maxCited} (the end of the ledger was removed)` } };
  }
  return { ok: true, count, lastHash: prevHash };
}
