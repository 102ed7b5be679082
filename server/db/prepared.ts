/**
 * Hot per-request queries as Drizzle prepared statements: the SQL text is built once per database handle instead of
 * on every call, and on PostgreSQL each pooled connection parses and plans it once (a named statement). Inside a
 * transaction the query is prepared on that transaction, so it runs on the transaction's connection.
 */
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Db } from './index';

const byDb = new WeakMap<Db, Map<string, unknown>>();

/** The statement `name`, built by `build` once for `db` (a transaction gets its own, built on first use in it). */
export function prepared<T>(db: Db, name: string, build: (db: Db) => T): T {
  // A transaction handle is a Db too; its statements must run on the transaction's connection.
  if ((db as unknown) instanceof PgTransaction) return build(db);
  let statements = byDb.get(db);
  if (!statements) byDb.set(db, (statements = new Map()));
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(db);
    statements.set(name, statement);
  }
  return statement;
}
