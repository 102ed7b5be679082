/**
 * The one full check of the record: the ledger's hash chain, then every registered projection checker comparing its
 * live tables with the chain. `npm run verify-ledger`, the admin API and the inspector report all call `verifyRecord`.
 */
import type { Db } from '../db';
import { verifyLedger, type LedgerVerification } from './index';
import { factOf, sayDisagreement, type Disagreement, type LedgerFact, type LedgerProjection, type ProjectionScope } from './projections';

/** The chain's verdict plus the tables': `ok` only when both hold. `summary` is the sentence people read. */
export type RecordVerification = LedgerVerification & {
  /** Rows compared with the ledger, per kind of record. */
  checked: { name: string; rows: number }[];
  /** The first table row that disagrees with the ledger. */
  disagreement?: Disagreement;
  summary: string;
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Verifies the chain and the tables the app reads (limited to one cohort's rows and entries when `scope.cohortId` is set). */
export async function verifyRecord(db: Db, projections: LedgerProjection[], scope: ProjectionScope = {}, pageSize = 1000): Promise<RecordVerification> {
  const wanted = new Map<string, LedgerFact[]>();
  for (const p of projections) for (const t of p.subjectTypes) wanted.set(t, []);
  let unclaimed: LedgerFact | undefined;
  const chain = await verifyLedger(db, pageSize, (row) => {
    if (scope.cohortId && row.cohortId !== scope.cohortId) return;
    const list = wanted.get(row.subjectType);
    if (list) list.push(factOf(row));
    else unclaimed ??= factOf(row);
  });
  if (!chain.ok) {
    return { ...chain, checked: [], summary: `NOT VERIFIED: the chain breaks at entry ${chain.brokenAt?.seq ?? '?'} — ${chain.brokenAt?.reason ?? 'unknown reason'}.` };
  }
  if (unclaimed) {
    // An entry no checker reads vouches for nothing the app shows: a new kind of record must bring its checker.
    const d: Disagreement = { table: 'ledger_entries', rowId: `entry ${unclaimed.seq}`, seq: unclaimed.seq, about: `a “${unclaimed.kind}” entry`, problem: `no projection checker vouches for subject type “${unclaimed.subjectType}” (register one in server/ledger/registry.ts or the module's manifest)` };
    return { ...chain, ok: false, checked: [], disagreement: d, summary: `NOT VERIFIED: the ledger holds a kind of record nothing checks — ${sayDisagreement(d)}.` };
  }
  const checked: RecordVerification['checked'] = [];
  for (const p of projections) {
    const facts = p.subjectTypes.flatMap((t) => wanted.get(t) ?? []).sort((a, b) => a.seq - b.seq);
    const result = await p.check(db, facts, scope);
    checked.push({ name: p.name, rows: result.rows });
    if (result.disagreement) {
      return { ...chain, ok: false, checked, disagreement: result.disagreement, summary: `NOT VERIFIED: the ${p.name} do not match the ledger — ${sayDisagreement(result.disagreement)}.` };
    }
  }
  const rows = checked.reduce((n, c) => n + c.rows, 0);
  return {
    ...chain,
    checked,
    summary: `Verified: all ${plural(chain.count, 'ledger entry chains', 'ledger entries chain')} correctly, and ${plural(rows, 'record', 'records')} (${checked.map((c) => c.name).join(', ')}) agree with ${chain.count === 1 ? 'it' : 'them'}; nothing has been altered.`,
  };
}
