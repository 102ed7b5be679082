/** Eligibility at enrolment (17.1) and the trainer register (17.4): a candidate's eligibility evidence, each trainer's
 * record per client organisation (level, suspension, first aid, refresher), its change history, the CPD log and the
 * expiry warnings already sent (one row per threshold, so each is sent exactly once). */
import { date, index, integer, numeric, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohorts, files, organisations, users } from './core';

/** What a cohort may require before its first stage opens. */
export type EligibilityRequirement = 'qualification' | 'experience' | 'first-aid';
/** Where a piece of eligibility evidence stands. */
export type EligibilityStatus = 'submitted' | 'confirmed' | 'returned';

/** A candidate's evidence for one eligibility requirement in one cohort (resubmitting replaces it; the ledger keeps
 * each submission and decision). */
export const eligibilityRecords = pgTable(
  'eligibility_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    requirement: varchar('requirement', { length: 20 }).notNull().$type<EligibilityRequirement>(),
    description: text('description').notNull(),
    sinceOn: date('since_on', { mode: 'string' }),
    expiresOn: date('expires_on', { mode: 'string' }),
    fileId: uuid('file_id').references(() => files.id),
    /** The document described in words, when no file is attached ("original certificate seen by the manager"). */
    document: text('document'),
    status: varchar('status', { length: 12 }).notNull().$type<EligibilityStatus>(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    returnReason: text('return_reason'),
    ledgerSeq: integer('ledger_seq'),
  },
  (t) => [uniqueIndex('eligibility_records_idx').on(t.cohortId, t.candidateId, t.requirement)],
);

/** A trainer's level on the register. */
export type TrainerLevel = 'associate' | 'senior';

/** One trainer's record on one client organisation's register (someone issued a certificate there). */
export const trainerRecords = pgTable(
  'trainer_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    level: varchar('level', { length: 12 }).notNull().default('associate').$type<TrainerLevel>(),
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    suspensionReason: text('suspension_reason'),
    firstAidExpiresOn: date('first_aid_expires_on', { mode: 'string' }),
    refresherDueOn: date('refresher_due_on', { mode: 'string' }),
    /** The ledger entry of the last level or suspension change (null while the record is as its certificate made it). */
    ledgerSeq: integer('ledger_seq'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('trainer_records_idx').on(t.userId, t.organisationId), index('trainer_records_org_idx').on(t.organisationId)],
);

/** The history of a trainer record: every change, who made it, why. */
export const trainerRecordChanges = pgTable(
  'trainer_record_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trainerRecordId: uuid('trainer_record_id').notNull().references(() => trainerRecords.id),
    actorId: uuid('actor_id').references(() => users.id),
    change: text('change').notNull(),
    reason: text('reason'),
    /** Evidence for the change (a renewed first aid certificate). */
    fileId: uuid('file_id').references(() => files.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('trainer_record_changes_idx').on(t.trainerRecordId, t.at)],
);

/** One entry of a trainer's CPD log. */
export const cpdEntries = pgTable(
  'cpd_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trainerRecordId: uuid('trainer_record_id').notNull().references(() => trainerRecords.id),
    doneOn: date('done_on', { mode: 'string' }).notNull(),
    hours: numeric('hours', { precision: 5, scale: 1, mode: 'number' }).notNull(),
    activity: varchar('activity', { length: 200 }).notNull(),
    reflection: text('reflection').notNull(),
    evidence: text('evidence'),
    /** An evidence file (certificate of attendance, notes), stored through the evidence kit. */
    fileId: uuid('file_id').references(() => files.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('cpd_entries_idx').on(t.trainerRecordId, t.doneOn)],
);

/** What an expiry warning is about. */
export type ExpiryTopic = 'certificate' | 'refresher' | 'first-aid';

/** Expiry warnings already sent: unique per (record, topic, date, threshold), so each threshold warns exactly once. */
export const expiryWarnings = pgTable(
  'expiry_warnings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trainerRecordId: uuid('trainer_record_id').notNull().references(() => trainerRecords.id),
    topic: varchar('topic', { length: 12 }).notNull().$type<ExpiryTopic>(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    threshold: integer('threshold').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('expiry_warnings_idx').on(t.trainerRecordId, t.topic, t.dueOn, t.threshold)],
);
