/** Data versions: one row per cohort (and `*` for the programme-wide reference data) whose `version` changes, in
 * the same transaction, with every write to a table that progress, readiness or a record reads. Database triggers
 * keep it (migration `data_versions`; `server/db/versions.ts` reads it); caches compare it for equality. */
import { bigint, pgSequence, pgTable, text } from 'drizzle-orm/pg-core';

/** Where each new version comes from: never reused, so every committed change shows as a value not seen before. */
export const dataVersionSeq = pgSequence('data_version_seq');

/** The current version of each scope: a cohort id, or `*`. */
export const dataVersions = pgTable('data_versions', {
  scope: text('scope').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
});
