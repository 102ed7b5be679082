/** Reading and marking a person's own notifications. */
import { and, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { notifications } from '../db/tables';

/** A person's notifications, newest first. */
export async function listNotifications(db: Db, userId: string, options: { unreadOnly?: boolean; limit?: number } = {}) {
  return db
    .select()
    .from(notifications)
    .where(options.unreadOnly ? and(eq(notifications.userId, userId), isNull(notifications.readAt)) : eq(notifications.userId, userId))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(options.limit ?? 100);
}

/** How many of a person's notifications are unread. */
export async function unreadCount(db: Db, userId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(notifications).where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return Number(row?.n ?? 0);
}

/** Marks some (or, with `ids` undefined, all) of a person's notifications read; returns how many changed. Others' ids are ignored. */
export async function markRead(db: Db, userId: string, ids?: string[]): Promise<number> {
  if (ids && !ids.length) return 0;
  const mine = and(eq(notifications.userId, userId), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined);
  const changed = await db.update(notifications).set({ readAt: new Date() }).where(mine).returning({ id: notifications.id });
  return changed.length;
}

/** A notification as the API and the page show it. */
export function presentNotification(n: typeof notifications.$inferSelect) {
  return { id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, read: n.readAt !== null, readAt: n.readAt, createdAt: n.createdAt };
}
