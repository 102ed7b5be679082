/**
 * Counts the SQL statements each unit of work (an HTTP request, a test's block) sends to the database.
 * The drivers in `server/db/index.ts` call `countStatement` for every statement they send (BEGIN and COMMIT
 * included); the tally that is active in the caller's async context (AsyncLocalStorage) receives it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** How many statements a unit of work sent, and the first few of their texts (for debug logs and test failures). */
export type StatementTally = { count: number; texts: string[] };

/** Only the first texts are kept: enough to see what a page issues, bounded for a runaway loop. */
const KEEP_TEXTS = 100;

const storage = new AsyncLocalStorage<StatementTally>();

/** A fresh, empty tally. */
export function newTally(): StatementTally {
  return { count: 0, texts: [] };
}

/** Runs `fn` with `tally` receiving every statement sent from inside it (including its async continuations). */
export function withTally<T>(tally: StatementTally, fn: () => T): T {
  return storage.run(tally, fn);
}

/** Runs `fn` and returns its result with the statements it sent. */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T } & StatementTally> {
  const tally = newTally();
  const result = await storage.run(tally, fn);
  return { result, ...tally };
}

/** Called by the drivers for each statement sent: adds it to the active tally, if any. */
export function countStatement(text: string): void {
  const tally = storage.getStore();
  if (!tally) return;
  tally.count += 1;
  if (tally.texts.length < KEEP_TEXTS) tally.texts.push(text.replace(/\s+/g, ' ').trim().slice(0, 300));
}
