/** The CPD log (17.4): the trainer adds, edits and deletes their own entries — date, hours, activity, reflection and an
 * optional evidence file (the evidence kit's upload and storage); the organisation's leads and admins read them.
 * Validated at the edge (`cpdForm`) and here (no date in the future); each write is one transaction with its history
 * row. */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { cpdEntries, files, trainerRecordChanges } from '../db/tables';
import { insertFileRows, storedFiles } from '../evidence/store';
import { NotFoundError } from '../errors';
import { ORGANISATION_TIME_ZONE, sayDay } from '../exports/words';
import { formOf } from '../http/forms';
import { invalid, isoDate, text } from '../http/validate';
import { londonDate } from '../progression/kinds/answers';
import { ensureTrainerRecord } from './records';

/** A CPD entry as the trainer types it (a page form, optionally multipart with one file in `files`). */
export const cpdForm = formOf(
  z.strictObject({
    doneOn: isoDate.meta({ label: 'date', missing: 'Enter the date you did it' }),
    hours: z.coerce
      .number({ message: 'must be a number of hours such as 1 or 2.5' })
      .gt(0, 'must be more than 0')
      .max(100, 'must be at most 100 hours for one entry')
      .refine((h) => Number.isInteger(Math.round(h * 1000) / 100), 'must be in tenths of an hour at most, such as 1.5')
      .meta({ label: 'number of hours', missing: 'Enter how many hours it took' }),
    activity: text(200).meta({ label: 'activity', missing: 'Say what the activity was' }),
    reflection: text(5000).meta({ label: 'reflection', missing: 'Write what you learned and how you will use it' }),
  }),
);
/** A parsed CPD entry. */
export type CpdInput = z.output<typeof cpdForm>;

/** The person and register a CPD entry belongs to. */
type Owner = { userId: string; organisationId: string };

/** One CPD entry with its evidence file's name and storage key (when it has one). */
export type CpdEntryRow = typeof cpdEntries.$inferSelect & { fileName: string | null; fileKey: string | null; fileType: string | null };

/** A CPD entry of the trainer record `recordId` by id, with its file; 404 "That CPD entry" when it is not that record's. */
export async function cpdEntryOf(db: Db, entryId: string, recordId: string | null): Promise<CpdEntryRow> {
  const [row] = recordId
    ? await db
        .select({ entry: cpdEntries, fileName: files.displayName, fileKey: files.storageKey, fileType: files.mimeType })
        .from(cpdEntries)
        .leftJoin(files, eq(files.id, cpdEntries.fileId))
        .where(and(eq(cpdEntries.id, entryId), eq(cpdEntries.trainerRecordId, recordId)))
    : [];
  if (!row) throw new NotFoundError('That CPD entry');
  return { ...row.entry, fileName: row.fileName, fileKey: row.fileKey, fileType: row.fileType };
}

function check(input: CpdInput, uploaded: number, now: Date) {
  const problems: { field: string; message: string }[] = [];
  if (input.doneOn > londonDate(now)) problems.push({ field: 'doneOn', message: 'The date is in the future: enter the day you did the activity (today at the latest).' });
  if (uploaded > 1) problems.push({ field: 'files', message: 'Attach one file as evidence (or none).' });
  if (problems.length) throw invalid(problems);
}

const summary = (input: Pick<CpdInput, 'activity' | 'hours' | 'doneOn'>) => `“${input.activity}”, ${input.hours} ${input.hours === 1 ? 'hour' : 'hours'} on ${sayDay(new Date(`${input.doneOn}T12:00:00Z`), ORGANISATION_TIME_ZONE)}`;

/** Writes through the evidence kit: the stored upload is claimed once the transaction commits, discarded otherwise. */
async function withUpload<T>(ctx: AppContext, uploaded: Express.Multer.File[], write: (written: ReturnType<typeof storedFiles>) => Promise<T>): Promise<T> {
  const written = storedFiles(ctx.storage, uploaded);
  try {
    const out = await write(written);
    written.claim();
    return out;
  } catch (err) {
    await written.discard();
    throw err;
  }
}

/** The trainer adds a CPD entry to their record (made if missing). */
export async function addCpd(ctx: AppContext, actor: Actor, owner: Owner, input: CpdInput, uploaded: Express.Multer.File[]) {
  const now = new Date();
  check(input, uploaded.length, now);
  return withUpload(ctx, uploaded, (written) =>
    ctx.db.transaction(async (tx) => {
      const record = await ensureTrainerRecord(tx, owner.userId, owner.organisationId);
      const [file] = await insertFileRows(tx, actor.id, written);
      const [row] = await tx.insert(cpdEntries).values({ trainerRecordId: record.id, doneOn: input.doneOn, hours: input.hours, activity: input.activity, reflection: input.reflection, fileId: file?.id ?? null, createdAt: now }).returning();
      await tx.insert(trainerRecordChanges).values({ trainerRecordId: record.id, actorId: actor.id, change: `CPD logged: ${summary(input)}`, fileId: file?.id ?? null, at: now });
      return row;
    }),
  );
}

/** The trainer edits one of their CPD entries; a new file replaces the old one, none keeps it. */
export async function editCpd(ctx: AppContext, actor: Actor, entry: CpdEntryRow, input: CpdInput, uploaded: Express.Multer.File[]) {
  const now = new Date();
  check(input, uploaded.length, now);
  return withUpload(ctx, uploaded, (written) =>
    ctx.db.transaction(async (tx) => {
      const [file] = await insertFileRows(tx, actor.id, written);
      const [row] = await tx.update(cpdEntries).set({ doneOn: input.doneOn, hours: input.hours, activity: input.activity, reflection: input.reflection, fileId: file?.id ?? entry.fileId }).where(eq(cpdEntries.id, entry.id)).returning();
      await tx.insert(trainerRecordChanges).values({ trainerRecordId: entry.trainerRecordId, actorId: actor.id, change: `CPD entry edited: ${summary(input)}`, fileId: file?.id ?? null, at: now });
      return row;
    }),
  );
}

/** The trainer deletes one of their CPD entries (the history keeps a line saying what it was). */
export async function deleteCpd(ctx: AppContext, actor: Actor, entry: CpdEntryRow): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await tx.delete(cpdEntries).where(eq(cpdEntries.id, entry.id));
    await tx.insert(trainerRecordChanges).values({ trainerRecordId: entry.trainerRecordId, actorId: actor.id, change: `CPD entry deleted: ${summary({ activity: entry.activity, hours: Number(entry.hours), doneOn: entry.doneOn })}` });
  });
}
