/** Remedial workshop: candidates' deep-dive requests, the rollout-readiness checklist and final sign-offs. */
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohortStages, users } from '../../server/modules/kit';

/** A deep-dive topic a candidate asks to cover, optionally linked to a competency code or rubric criterion. */
export const remedialWorkshopTopics = pgTable(
  'remedial_workshop_topics',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    text: text('text').notNull(),
    competencyCode: varchar('competency_code', { length: 40 }),
    criterionId: uuid('criterion_id'),
    coveredBy: uuid('covered_by').references(() => users.id),
    coveredAt: timestamp('covered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('remedial_workshop_topics_stage_idx').on(t.cohortStageId, t.candidateId)],
);

/** One checklist item's ticks: the lead's and the mentor's, each with who and when. */
export const remedialWorkshopChecklist = pgTable(
  'remedial_workshop_checklist',
  {
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    itemKey: varchar('item_key', { length: 60 }).notNull(),
    leadBy: uuid('lead_by').references(() => users.id),
    leadAt: timestamp('lead_at', { withTimezone: true }),
    mentorBy: uuid('mentor_by').references(() => users.id),
    mentorAt: timestamp('mentor_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.cohortStageId, t.itemKey] })],
);

/** A mentor's final readiness sign-off for one candidate (in the ledger); an override of the readiness model keeps its reason. */
export const remedialWorkshopSignoffs = pgTable(
  'remedial_workshop_signoffs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    mentorId: uuid('mentor_id').notNull().references(() => users.id),
    note: text('note'),
    overrideReason: text('override_reason'),
    ledgerSeq: integer('ledger_seq'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('remedial_workshop_signoffs_unique_idx').on(t.cohortStageId, t.candidateId)],
);
