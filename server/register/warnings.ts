/** Expiry warnings (17.4): 60, 30 and 7 days before a trainer's certificate, refresher or first aid/ILS expires, an
 * in-app notification and a (branded) e-mail to the trainer and to their organisation's leads (who must know before a
 * trainer lapses). From the durable job queue: an hourly scan (one per hour
 * across every node: a pg-boss job keyed by its hour, which queues the next hour's before it works) enqueues one job per trainer
 * with something due; that job inserts each warning into `expiry_warnings` with `on conflict do nothing` and sends
 * only what it inserted — so each threshold warns exactly once, however many nodes scan and however often a job is
 * retried. After downtime only the nearest crossed threshold is sent (not 60, 30 and 7 at once). Only active trainers
 * are warned (a lapsed or suspended one is shown so on every page instead). Every function takes `now` (fake clocks). */
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { ExpiryTopic } from '../db/schema/register';
import { expiryWarnings, memberships, trainerRecords, users } from '../db/tables';
import { sayDay } from '../credentials/present';
import { deliver, notify, type NewNotification } from '../notifications';
import { londonDate } from '../progression/kinds/answers';
import { registerEntries, registerOf, type RegisterEntry } from './model';
import { ensureTrainerRecord } from './records';
import { QUEUES } from '../jobs';

/** The hourly scan's job name. */
export const SCAN_JOB = QUEUES.expiryScan;
/** The per-trainer job's name. */
export const WARN_JOB = QUEUES.expiryWarn;
/** Days before a date when its warnings go out, farthest first. */
export const THRESHOLDS = [60, 30, 7] as const;
/** The notification kind of a warning. */
export const WARNING_KIND = 'register:expiry';

const HOUR_MS = 3_600_000;
type WarnJob = { userId: string; organisationId: string; at: string };
type ScanJob = { at?: string };

/** One warning due: what, which date, which threshold. */
export type WarningDue = { topic: ExpiryTopic; dueOn: string; threshold: number; days: number };

const daysFrom = (today: string, iso: string) => Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);

/** The threshold a date has crossed on `today` — the nearest one (smallest) — or null (more than 60 days off, or gone). */
export function thresholdFor(dueOn: string, today: string): { threshold: number; days: number } | null {
  const days = daysFrom(today, dueOn);
  if (days <= 0) return null;
  const crossed = THRESHOLDS.filter((t) => days <= t);
  return crossed.length ? { threshold: Math.min(...crossed), days } : null;
}

/** The warnings a register entry has due on `today` (UK date). The refresher has its own warning only when the trainer
 * record sets a date other than the certificate's expiry (otherwise the certificate's warning says it). */
export function warningsDue(entry: RegisterEntry, today: string): WarningDue[] {
  if (entry.status !== 'active') return [];
  const dates: [ExpiryTopic, string | null][] = [
    ['certificate', entry.certificateExpiresOn],
    ['refresher', entry.refresherSet && entry.refresherDueOn !== entry.certificateExpiresOn ? entry.refresherDueOn : null],
    ['first-aid', entry.firstAidExpiresOn],
  ];
  const out: WarningDue[] = [];
  for (const [topic, dueOn] of dates) {
    const hit = dueOn ? thresholdFor(dueOn, today) : null;
    if (dueOn && hit) out.push({ topic, dueOn, ...hit });
  }
  return out;
}

const inDays = (days: number) => (days === 1 ? 'tomorrow' : `in ${days} days`);
const onDay = (iso: string) => sayDay(new Date(`${iso}T12:00:00Z`));

/** A warning as the trainer reads it (notification title and body; the e-mail says the same). */
export function warningWords(entry: Pick<RegisterEntry, 'organisationName'>, w: Pick<WarningDue, 'topic' | 'dueOn' | 'days'>): { title: string; body: string } {
  const when = `${onDay(w.dueOn)} (${inDays(w.days)})`;
  if (w.topic === 'certificate')
    return { title: `Your trainer certificate expires ${inDays(w.days)}`, body: `Your trainer certificate for ${entry.organisationName} expires on ${when}. Complete the annual refresher before then to renew it; after that date the register shows you as lapsed.` };
  if (w.topic === 'refresher') return { title: `Your annual refresher is due ${inDays(w.days)}`, body: `Your annual refresher for ${entry.organisationName} is due on ${when}. Book it with your mentor so your certificate stays current.` };
  return { title: `Your first aid (ILS) certificate expires ${inDays(w.days)}`, body: `Your first aid certificate with immediate life support expires on ${when}. Renew it and give your mentor the new certificate so the ${entry.organisationName} register stays current.` };
}

/** The same warning as the organisation's leads read it, about their trainer. */
export function leadWarningWords(entry: Pick<RegisterEntry, 'name' | 'organisationName'>, w: Pick<WarningDue, 'topic' | 'dueOn' | 'days'>): { title: string; body: string } {
  const when = `${onDay(w.dueOn)} (${inDays(w.days)})`;
  if (w.topic === 'certificate')
    return { title: `${entry.name}’s trainer certificate expires ${inDays(w.days)}`, body: `${entry.name}’s trainer certificate for ${entry.organisationName} expires on ${when}. After that date the register shows them as lapsed until an annual refresher renews it.` };
  if (w.topic === 'refresher') return { title: `${entry.name}’s annual refresher is due ${inDays(w.days)}`, body: `${entry.name}’s annual refresher for ${entry.organisationName} is due on ${when}.` };
  return { title: `${entry.name}’s first aid (ILS) certificate expires ${inDays(w.days)}`, body: `${entry.name}’s first aid certificate with immediate life support expires on ${when}. The ${entry.organisationName} register needs the renewed certificate.` };
}

/** Sends one trainer's due warnings at `now`: inserts each (on conflict do nothing) in one transaction with its
 * notification, then delivers (socket push, e-mail) only what was inserted. Returns the warnings inserted. */
export async function warnTrainer(ctx: AppContext, who: { userId: string; organisationId: string }, now: Date): Promise<WarningDue[]> {
  const [entry] = await registerEntries(ctx.db, { organisationId: who.organisationId, holderIds: [who.userId] }, now);
  const due = entry ? warningsDue(entry, londonDate(now)) : [];
  if (!entry || !due.length) return [];
  const { sent, rows } = await ctx.db.transaction(async (tx) => {
    const record = await ensureTrainerRecord(tx, who.userId, who.organisationId);
    const inserted = await tx
      .insert(expiryWarnings)
      .values(due.map((d) => ({ trainerRecordId: record.id, topic: d.topic, dueOn: d.dueOn, threshold: d.threshold, sentAt: now })))
      .onConflictDoNothing()
      .returning({ topic: expiryWarnings.topic, dueOn: expiryWarnings.dueOn, threshold: expiryWarnings.threshold });
    const fresh = due.filter((d) => inserted.some((i) => i.topic === d.topic && i.dueOn === d.dueOn && i.threshold === d.threshold));
    const link = `/organisations/${who.organisationId}/trainers/${who.userId}`;
    const leads = fresh.length ? await tx.select({ userId: memberships.userId }).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).where(and(eq(memberships.organisationId, who.organisationId), eq(memberships.role, 'lead'), eq(users.status, 'active'))) : [];
    const items: NewNotification[] = fresh.flatMap((d) => [
      { userId: who.userId, kind: WARNING_KIND, ...warningWords(entry, d), link },
      ...leads.filter((l) => l.userId !== who.userId).map((l) => ({ userId: l.userId, kind: WARNING_KIND, ...leadWarningWords(entry, d), link })),
    ]);
    return { sent: fresh, rows: await notify(tx, items) };
  });
  await deliver(ctx, rows);
  return sent;
}

/** The scan at `now`: every active trainer with a warning due that is not yet recorded gets a job (three queries and
 * one send per such trainer). Returns how many jobs it enqueued. */
export async function scanExpiries(ctx: AppContext, now: Date): Promise<number> {
  const today = londonDate(now);
  const entries = (await registerOf(ctx.db, null, now)).map((e) => ({ e, due: warningsDue(e, today) })).filter((x) => x.due.length);
  if (!entries.length) return 0;
  const userIds = [...new Set(entries.map((x) => x.e.userId))];
  const sent = await ctx.db
    .select({ userId: trainerRecords.userId, organisationId: trainerRecords.organisationId, topic: expiryWarnings.topic, dueOn: expiryWarnings.dueOn, threshold: expiryWarnings.threshold })
    .from(expiryWarnings)
    .innerJoin(trainerRecords, eq(trainerRecords.id, expiryWarnings.trainerRecordId))
    .where(and(inArray(trainerRecords.userId, userIds)));
  const done = new Set(sent.map((s) => `${s.userId}|${s.organisationId}|${s.topic}|${s.dueOn}|${s.threshold}`));
  let queued = 0;
  for (const { e, due } of entries) {
    if (due.every((d) => done.has(`${e.userId}|${e.organisationId}|${d.topic}|${d.dueOn}|${d.threshold}`))) continue;
    await ctx.jobs.enqueue<WarnJob>(WARN_JOB, { userId: e.userId, organisationId: e.organisationId, at: now.toISOString() }, { retryLimit: 5, retryDelaySeconds: 30 });
    queued += 1;
  }
  return queued;
}

/** Puts the scan at the start of the next hour on the queue: one per hour, whichever nodes ask and however often
 * (its key names that hour and is only sent during the hour before, one pg-boss slot; null when it is already queued). */
export function scheduleNextScan(ctx: AppContext, now: Date = new Date()): Promise<string | null> {
  const next = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
  const startAfterSeconds = Math.max(1, Math.ceil((next - now.getTime()) / 1000));
  return ctx.jobs.enqueue<ScanJob>(SCAN_JOB, {}, { unique: { key: `hour:${new Date(next).toISOString()}`, seconds: 3600 }, startAfterSeconds, retryLimit: 3, retryDelaySeconds: 60 });
}

/** Starts the warning workers and makes sure the next hourly scan is queued. A scan's payload may carry `at` (a fake
 * clock for tests); a per-trainer job always carries the time its scan ran at, so a retry judges the same day. */
export async function startExpiryWarnings(ctx: AppContext, pollSeconds?: number): Promise<void> {
  await ctx.jobs.work<WarnJob>(WARN_JOB, async ({ userId, organisationId, at }) => void (await warnTrainer(ctx, { userId, organisationId }, new Date(at))), { pollSeconds });
  await ctx.jobs.work<ScanJob>(
    SCAN_JOB,
    async ({ at }) => {
      // The next hour first, so a failing scan never ends the chain.
      if (!at) await scheduleNextScan(ctx);
      const queued = await scanExpiries(ctx, at ? new Date(at) : new Date());
      ctx.logger.info({ queued }, 'register: expiry scan queued trainer warnings');
    },
    { pollSeconds },
  );
  await scheduleNextScan(ctx);
}
