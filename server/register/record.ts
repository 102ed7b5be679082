/** One trainer's record on one client organisation's register (17.4), as its page reads it: the register entry
 * (standing by `standingOf`, level, refresher, first aid), every certificate held there, the CPD log and the history
 * of changes. Six queries however long the log and history. */
import { asc, desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { certificatesOf, type CertificateView } from '../credentials/queries';
import type { Db } from '../db';
import { cpdEntries, files, trainerRecordChanges, users } from '../db/tables';
import { londonDate } from '../progression/kinds/answers';
import { registerEntries, type RegisterEntry } from './model';

/** One CPD entry with its evidence file's name (if it has one). */
export type CpdEntry = typeof cpdEntries.$inferSelect & { fileName: string | null };

/** One change in a trainer record's history: when, who by (their name), what, why. */
export type RecordChange = { id: string; at: Date; byName: string | null; change: string; reason: string | null; fileId: string | null; fileName: string | null };

/** A trainer's record as its page shows it. */
export type TrainerRecordView = {
  entry: RegisterEntry;
  certificates: CertificateView[];
  cpd: CpdEntry[];
  /** CPD hours done in the twelve months up to today. */
  cpdHoursYear: number;
  history: RecordChange[];
};

/** The first day of the twelve months that end today (UK date): the same day a year ago, plus one. */
export function yearAgo(today: string): string {
  const [y, m, d] = today.split('-').map(Number);
  // 29 February a year on has no twin: the year before ends on 28 February.
  const sameDay = Math.min(d, new Date(Date.UTC(y - 1, m, 0)).getUTCDate());
  return new Date(Date.UTC(y - 1, m - 1, sameDay + 1)).toISOString().slice(0, 10);
}

/** CPD hours done from `since` (inclusive) to `today` (inclusive), to one decimal place. */
export function hoursSince(entries: Pick<CpdEntry, 'doneOn' | 'hours'>[], since: string, today: string): number {
  const sum = entries.filter((e) => e.doneOn >= since && e.doneOn <= today).reduce((n, e) => n + Number(e.hours), 0);
  return Math.round(sum * 10) / 10;
}

/** The CPD log of a trainer record, newest first. */
export async function cpdOf(db: Db, recordId: string): Promise<CpdEntry[]> {
  const rows = await db
    .select({ entry: cpdEntries, fileName: files.displayName })
    .from(cpdEntries)
    .leftJoin(files, eq(files.id, cpdEntries.fileId))
    .where(eq(cpdEntries.trainerRecordId, recordId))
    .orderBy(desc(cpdEntries.doneOn), desc(cpdEntries.createdAt));
  return rows.map((r) => ({ ...r.entry, fileName: r.fileName }));
}

/** The history of a trainer record, oldest first, with each actor's name. */
export async function historyOf(db: Db, recordId: string): Promise<RecordChange[]> {
  const actor = alias(users, 'actor');
  return db
    .select({ id: trainerRecordChanges.id, at: trainerRecordChanges.at, byName: actor.name, change: trainerRecordChanges.change, reason: trainerRecordChanges.reason, fileId: trainerRecordChanges.fileId, fileName: files.displayName })
    .from(trainerRecordChanges)
    .leftJoin(actor, eq(actor.id, trainerRecordChanges.actorId))
    .leftJoin(files, eq(files.id, trainerRecordChanges.fileId))
    .where(eq(trainerRecordChanges.trainerRecordId, recordId))
    .orderBy(asc(trainerRecordChanges.at), asc(trainerRecordChanges.id));
}

/** `userId`'s record on `organisationId`'s register, or null when they are not on it (never issued a certificate there). */
export async function trainerRecordOf(db: Db, userId: string, organisationId: string, now: Date = new Date()): Promise<TrainerRecordView | null> {
  const [[entry], certificates] = await Promise.all([registerEntries(db, { organisationId, holderIds: [userId] }, now), certificatesOf(db, { organisationId, holderId: userId }, now)]);
  if (!entry) return null;
  const [cpd, history] = entry.recordId ? await Promise.all([cpdOf(db, entry.recordId), historyOf(db, entry.recordId)]) : [[], []];
  const today = londonDate(now);
  return { entry, certificates, cpd, cpdHoursYear: hoursSince(cpd, yearAgo(today), today), history };
}

/** The registers a person is on (their entries, one per client organisation). */
export function recordsOfPerson(db: Db, userId: string, now: Date = new Date()): Promise<RegisterEntry[]> {
  return registerEntries(db, { holderIds: [userId] }, now);
}
