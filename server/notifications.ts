/** In-app notifications: written inside the caller's transaction, delivered (socket push, e-mail) after commit. */
import type { AppContext } from './context';
import type { Db } from './db';
import { afterCommit } from './after-commit';
import { notifications } from './db/tables';

/** A notification to create. */
export type NewNotification = { userId: string; kind: string; title: string; body?: string; link?: string };

/** Inserts notifications in the caller's transaction and returns the rows, to deliver after commit. */
export async function notify(tx: Db, items: NewNotification[]) {
  if (!items.length) return [];
  return tx.insert(notifications).values(items).returning();
}

/** After commit: pushes each notification to its user's sockets (`notification:new`) and e-mails it — through
 * `afterCommit`, so it never throws into the request (failures are logged and retried from the job queue). */
export async function deliver(ctx: AppContext, rows: (typeof notifications.$inferSelect)[]): Promise<void> {
  await afterCommit(ctx, { notifications: rows });
}
