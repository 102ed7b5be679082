/** First aid (ILS) renewal (17.4): the trainer records the expiry date of their new certificate with evidence (a file
 * through the evidence kit, or the document described). The record's date is what the register shows and the expiry
 * warnings read (it wins over the eligibility evidence); the history keeps each renewal with its evidence. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import { trainerRecordChanges, trainerRecords } from '../db/tables';
import { insertFileRows, storedFiles } from '../evidence/store';
import { ORGANISATION_TIME_ZONE, sayDay } from '../exports/words';
import { formOf } from '../http/forms';
import { invalid, isoDate } from '../http/validate';
import { londonDate } from '../progression/kinds/answers';
import { ensureTrainerRecord } from './records';

/** The renewal form (multipart, one file in `files`, or `document` describing the evidence). */
export const firstAidForm = formOf(
  z.strictObject({
    expiresOn: isoDate.meta({ label: 'expiry date', missing: 'Enter the date your new first aid certificate expires' }),
    document: z.string().trim().max(500, 'must be at most 500 characters').optional().meta({ label: 'description of the document' }),
  }),
);
/** A parsed renewal. */
export type FirstAidInput = z.output<typeof firstAidForm>;

/** The trainer records a renewed first aid (ILS) certificate on their record (made if missing): one transaction with
 * the history row and its evidence file. */
export async function renewFirstAid(ctx: AppContext, actor: Actor, owner: { userId: string; organisationId: string }, input: FirstAidInput, uploaded: Express.Multer.File[]) {
  const now = new Date();
  const problems: { field: string; message: string }[] = [];
  if (input.expiresOn <= londonDate(now)) problems.push({ field: 'expiresOn', message: 'That date is not in the future: a current certificate expires after today. Enter the expiry date printed on your new certificate.' });
  if (uploaded.length > 1) problems.push({ field: 'files', message: 'Attach one file (or describe the document instead).' });
  if (!uploaded.length && !input.document) problems.push({ field: 'document', message: 'Attach the new certificate or describe it (for example “original certificate seen by my manager”).' });
  if (problems.length) throw invalid(problems);
  const written = storedFiles(ctx.storage, uploaded);
  try {
    const row = await ctx.db.transaction(async (tx) => {
      const made = await ensureTrainerRecord(tx, owner.userId, owner.organisationId);
      const [record] = await tx.select().from(trainerRecords).where(eq(trainerRecords.id, made.id)).for('update');
      const [file] = await insertFileRows(tx, actor.id, written);
      const [updated] = await tx.update(trainerRecords).set({ firstAidExpiresOn: input.expiresOn }).where(eq(trainerRecords.id, record.id)).returning();
      const words = sayDay(new Date(`${input.expiresOn}T12:00:00Z`), ORGANISATION_TIME_ZONE);
      const was = record.firstAidExpiresOn ? ` (was ${sayDay(new Date(`${record.firstAidExpiresOn}T12:00:00Z`), ORGANISATION_TIME_ZONE)})` : '';
      await tx.insert(trainerRecordChanges).values({ trainerRecordId: record.id, actorId: actor.id, change: `First aid (ILS) renewed: expires ${words}${was}`, reason: file ? null : `Evidence: ${input.document}`, fileId: file?.id ?? null, at: now });
      return updated;
    });
    written.claim();
    return row;
  } catch (err) {
    await written.discard();
    throw err;
  }
}
