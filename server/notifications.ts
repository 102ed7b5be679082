/** In-app notifications: written inside the caller's transaction, delivered (socket push, e-mail) after commit. */
import { eq } from 'drizzle-orm';
import type { AppContext } from './context';
import type { Db } from './db';
import { notifications, users } from './db/tables';

/** A notification to create. */
export type NewNotification = { userId: string; kind: string; title: string; body?: string; link?: string };

/** Inserts notifications in the caller's transaction and returns the rows, to deliver after commit. */
export async function notify(tx: Db, items: NewNotification[]) {
  if (!items.length) return [];
  return tx.insert(notifications).values(items).returning();
}

/** After commit: pushes each notification to its user's sockets (`notification:new`) and e-mails it. */
export async function deliver(ctx: AppContext, rows: (typeof notifications.$inferSelect)[]): Promise<void> {
  for (const row of rows) {
    ctx.io.to(`user:${row.userId}`).emit('notification:new', { id: row.id, kind: row.kind, title: row.title, body: row.body, link: row.link, createdAt: row.createdAt });
    const [user] = await ctx.db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, row.userId));
    if (user) {
      await ctx.mailer.send({
        to: user.email,
        subject: row.title,
        text: `Hello ${user.name},\n\n${row.body ?? row.title}\n${row.link ? `\n${ctx.config.publicUrl}${row.link}\n` : ''}`,
      });
    }
  }
}
