/** Trainer records (17.4): the one row per trainer and client organisation that holds level, suspension, first aid and
 * refresher. A row may not exist yet for someone issued a certificate: every reader and writer goes through
 * `ensureTrainerRecord`, which makes it in its default state (associate, not suspended, nothing recorded). */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { trainerRecords } from '../db/tables';

/** A stored trainer record. */
export type TrainerRecordRow = typeof trainerRecords.$inferSelect;

/** The trainer record of `userId` on `organisationId`'s register, made in its default state when missing (inside the
 * caller's transaction; concurrent callers meet the unique index and read the same row). */
export async function ensureTrainerRecord(tx: Db, userId: string, organisationId: string): Promise<TrainerRecordRow> {
  const [made] = await tx.insert(trainerRecords).values({ userId, organisationId }).onConflictDoNothing({ target: [trainerRecords.userId, trainerRecords.organisationId] }).returning();
  if (made) return made;
  const [found] = await tx.select().from(trainerRecords).where(and(eq(trainerRecords.userId, userId), eq(trainerRecords.organisationId, organisationId)));
  return found;
}
