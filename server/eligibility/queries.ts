/** Reads of eligibility evidence: a cohort's records (with each file's name), and whether a cohort requires it. */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import { cohortStages, eligibilityRecords, files } from '../db/tables';

/** The requirement kind the first stage's opening rule carries when a cohort requires eligibility evidence. */
export const ELIGIBILITY_KIND = 'eligibility-confirmed';

/** One stored record, with its file's name and type when it has one. */
export type EligibilityRecordRow = typeof eligibilityRecords.$inferSelect & { fileName: string | null; fileType: string | null; fileKey: string | null };

/** The records of `candidateIds` in a cohort (one statement). */
export async function eligibilityRecordsOf(db: Db, cohortId: string, candidateIds?: string[]): Promise<EligibilityRecordRow[]> {
  if (candidateIds && !candidateIds.length) return [];
  const rows = await db
    .select({ r: eligibilityRecords, fileName: files.displayName, fileType: files.mimeType, fileKey: files.storageKey })
    .from(eligibilityRecords)
    .leftJoin(files, eq(files.id, eligibilityRecords.fileId))
    .where(and(eq(eligibilityRecords.cohortId, cohortId), candidateIds ? inArray(eligibilityRecords.candidateId, candidateIds) : undefined));
  return rows.map((x) => ({ ...x.r, fileName: x.fileName, fileType: x.fileType, fileKey: x.fileKey }));
}

/** The cohort's first stage (its id and opening rule), or null for a cohort without stages. */
export async function firstStage(db: Db, cohortId: string) {
  const [stage] = await db
    .select({ id: cohortStages.id, title: cohortStages.title, openRequirements: cohortStages.openRequirements })
    .from(cohortStages)
    .where(eq(cohortStages.cohortId, cohortId))
    .orderBy(asc(cohortStages.position))
    .limit(1);
  return stage ?? null;
}

/** Whether the cohort requires eligibility evidence before its first stage opens (the rule carries the kind). */
export function requiresEligibility(stage: { openRequirements: { kind: string }[] } | null): boolean {
  return !!stage?.openRequirements.some((r) => r.kind === ELIGIBILITY_KIND);
}
