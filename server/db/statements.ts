/**
 * Counts the SQL statements each unit of work (an HTTP request, a test's block) sends to the database.
 * The drivers in `server/db/index.ts` call `countStatement` for every statement they send (BEGIN and COMMIT
 * included); the tally that is active in the caller's async context (AsyncLocalStorage) receives it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** How many statements a unit of work sent (`writes`: those that are not a plain SELECT, BEGIN and COMMIT
 * included), and the first few of their texts (for debug logs and test failures). */
export type StatementTally = { count: number; writes: number; readonly texts: string[]; full?: boolean; sent: string[] };

/** Only the first texts are kept: enough to see what a page issues, bounded for a runaway loop. */
const KEEP_TEXTS = 100;

const storage = new AsyncLocalStorage<StatementTally>();

/** A fresh, empty tally; `full` keeps every text whole (tests that read which tables were touched). */
export function newTally(full = false): StatementTally {
  const sent: string[] = [];
  return {
    count: 0,
    writes: 0,
    full,
    sent,
    // Tidied when read (debug logs, tests), not as each statement is sent.
    get texts() {
      return sent.map((text) => (full ? text.replace(/\s+/g, ' ').trim() : text.replace(/\s+/g, ' ').trim().slice(0, 300)));
    },
  };
}

/** Runs `fn` with `tally` receiving every statement sent from inside it (including its async continuations). */
export function withTally<T>(tally: StatementTally, fn: () => T): T {
  return storage.run(tally, fn);
}

/** Runs `fn` and returns its result with the statements it sent (`full`: every text, whole). */
export async function countStatements<T>(fn: () => Promise<T>, options: { full?: boolean } = {}): Promise<{ result: T } & StatementTally> {
  const tally = newTally(options.full);
  const result = await storage.run(tally, fn);
  return { result, ...tally };
}

/** The tally of the unit of work running now, if any (what a per-request memo hangs on). */
export function currentTally(): StatementTally | undefined {
  return storage.getStore();
}

/** Called by the drivers for each statement sent: adds it to the active tally, if any. */
export function countStatement(text: string): void {
  const tally = storage.getStore();
  if (!tally) return;
  tally.count += 1;
  if (isWrite(text)) tally.writes += 1;
  if (tally.full || tally.sent.length < KEEP_TEXTS) tally.sent.push(text);
}

/** Whether a statement may change data: anything but a plain SELECT (BEGIN and COMMIT included). */
export function isWrite(text: string): boolean {
  return !/^\s*select\b/i.test(text);
}
