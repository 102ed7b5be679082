/** After-commit effects have one home: notifications (socket push and e-mail) and socket emits run here, after the
 * transaction that recorded them committed. It never throws into the request: a failure is logged with the request
 * id and retried from the durable job queue (`after-commit.mail`), so a mail outage never fails a recorded decision. */
import { eq, inArray } from 'drizzle-orm';
import type { AppContext } from './context';
import { notifications, users } from './db/tables';
import { currentRequestId } from './request-scope';
import { QUEUES } from './jobs';

type NotificationRow = typeof notifications.$inferSelect;

/** A socket emit to a room, made after commit. */
export type Emit = { room: string; event: string; payload: unknown };

/** What a command leaves to do once its transaction committed; `load` builds emits that need a read of what committed
 * (a failure there is logged like any other, never thrown). */
export type Effects = { notifications?: NotificationRow[]; emits?: Emit[]; load?: () => Promise<Emit[]> };

/** The retry job's name and payload. */
export const MAIL_JOB = QUEUES.mail;
type MailJob = { notificationIds: string[]; requestId?: string };
// 2 s, doubling, ten times: about half an hour of retries covers a mail server's restart or a short outage.
const RETRY = { retryLimit: 10, retryDelaySeconds: 2 };

/** E-mails the given notifications, loading them and their people in one query; throws on the first failure. */
async function mailNotifications(ctx: AppContext, rows: Pick<NotificationRow, 'id' | 'userId' | 'title' | 'body' | 'link'>[], people: Map<string, { email: string; name: string }>): Promise<string[]> {
  const failed: string[] = [];
  for (const row of rows) {
    const user = people.get(row.userId);
    if (!user) continue;
    try {
      await ctx.mailer.send({ to: user.email, subject: row.title, text: `Hello ${user.name},\n\n${row.body ?? row.title}\n${row.link ? `\n${ctx.config.publicUrl}${row.link}\n` : ''}` });
    } catch (err) {
      failed.push(row.id);
      ctx.logger.warn({ err, reqId: currentRequestId(), notificationId: row.id }, 'after-commit: e-mail failed; queued for retry');
    }
  }
  return failed;
}

async function peopleOf(ctx: AppContext, userIds: string[]) {
  if (!userIds.length) return new Map<string, { email: string; name: string }>();
  const rows = await ctx.db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(inArray(users.id, [...new Set(userIds)]));
  return new Map(rows.map((r) => [r.id, r]));
}

/** Runs `effects` after commit. Never throws; what fails is logged with the request id and queued for retry. */
export async function afterCommit(ctx: AppContext, effects: Effects): Promise<void> {
  const requestId = currentRequestId();
  let loaded: Emit[] = [];
  try {
    loaded = effects.load ? await effects.load() : [];
  } catch (err) {
    ctx.logger.warn({ err, reqId: requestId }, 'after-commit: could not load what to emit');
  }
  for (const e of [...(effects.emits ?? []), ...loaded]) {
    try {
      ctx.io.to(e.room).emit(e.event, e.payload);
    } catch (err) {
      ctx.logger.warn({ err, reqId: requestId, event: e.event }, 'after-commit: socket emit failed');
    }
  }
  const rows = effects.notifications ?? [];
  if (!rows.length) return;
  for (const row of rows) {
    try {
      ctx.io.to(`user:${row.userId}`).emit('notification:new', { id: row.id, kind: row.kind, title: row.title, body: row.body, link: row.link, createdAt: row.createdAt });
    } catch (err) {
      ctx.logger.warn({ err, reqId: requestId, notificationId: row.id }, 'after-commit: socket push failed');
    }
  }
  let failed: string[];
  try {
    failed = await mailNotifications(ctx, rows, await peopleOf(ctx, rows.map((r) => r.userId)));
  } catch (err) {
    ctx.logger.warn({ err, reqId: requestId }, 'after-commit: could not load the people to e-mail; queued for retry');
    failed = rows.map((r) => r.id);
  }
  if (!failed.length) return;
  try {
    await ctx.jobs.enqueue<MailJob>(MAIL_JOB, { notificationIds: failed, requestId }, RETRY);
  } catch (err) {
    ctx.logger.error({ err, reqId: requestId, notificationIds: failed }, 'after-commit: e-mail failed and could not be queued');
  }
}

/** The worker that retries e-mails: one query loads the notifications with their people; a failure retries the job. */
export async function workAfterCommit(ctx: AppContext, pollSeconds?: number): Promise<void> {
  await ctx.jobs.work<MailJob>(
    MAIL_JOB,
    async ({ notificationIds, requestId }, job) => {
      const rows = await ctx.db
        .select({ id: notifications.id, userId: notifications.userId, title: notifications.title, body: notifications.body, link: notifications.link, email: users.email, name: users.name })
        .from(notifications)
        .innerJoin(users, eq(users.id, notifications.userId))
        .where(inArray(notifications.id, notificationIds));
      const people = new Map(rows.map((r) => [r.userId, { email: r.email, name: r.name }]));
      const failed = await mailNotifications(ctx, rows, people);
      // All failed: retry this job (with backoff). Some failed: retry only those, so nobody gets a message twice.
      if (failed.length && failed.length === rows.length) throw new Error(`e-mail still failing for ${failed.length} notification(s) (request ${requestId ?? 'none'}, attempt ${job.attempt + 1})`);
      if (failed.length) await ctx.jobs.enqueue<MailJob>(MAIL_JOB, { notificationIds: failed, requestId }, RETRY);
      ctx.logger.info({ reqId: requestId, notificationIds, attempt: job.attempt + 1 }, 'after-commit: queued e-mail sent');
    },
    { pollSeconds },
  );
}
