/** Programme templates, each cohort's own copy of its stages, waivers and mentor completion marks. */
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar, date } from 'drizzle-orm/pg-core';
import { cohorts, users } from './core';

/** A requirement as stored: its kind (a core or module evaluator) and that evaluator's parameters. */
export type RequirementSpec = { kind: string; params: Record<string, unknown> };

/** A programme: an ordered list of stages, each an instance of a stage module. */
export const programmeTemplates = pgTable('programme_templates', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: varchar('name', { length: 200 }).notNull(),
  description: text('description'),
  frameworkId: uuid('framework_id'),
  version: integer('version').notNull().default(1),
  /** How long a certificate this programme issues (or renews) stays valid, in months. */
  certificateMonths: integer('certificate_months').notNull().default(12),
  /** Set on a refresher: the programme whose certificate its final sign-off renews. */
  refresherOf: uuid('refresher_of'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One stage of a template. Day offsets are counted from the cohort's start date. */
export const templateStages = pgTable(
  'template_stages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    templateId: uuid('template_id').notNull().references(() => programmeTemplates.id),
    position: integer('position').notNull(),
    moduleKey: varchar('module_key', { length: 60 }).notNull(),
    title: varchar('title', { length: 200 }).notNull(),
    summary: text('summary'),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    openRequirements: jsonb('open_requirements').$type<RequirementSpec[]>().notNull().default([]),
    completeRequirements: jsonb('complete_requirements').$type<RequirementSpec[]>().notNull().default([]),
    startDay: integer('start_day'),
    endDay: integer('end_day'),
  },
  (t) => [uniqueIndex('template_stages_pos_idx').on(t.templateId, t.position)],
);

/** A cohort's own copy of a template stage: editing the template never silently changes a running cohort. */
export const cohortStages = pgTable(
  'cohort_stages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    position: integer('position').notNull(),
    moduleKey: varchar('module_key', { length: 60 }).notNull(),
    title: varchar('title', { length: 200 }).notNull(),
    summary: text('summary'),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    openRequirements: jsonb('open_requirements').$type<RequirementSpec[]>().notNull().default([]),
    completeRequirements: jsonb('complete_requirements').$type<RequirementSpec[]>().notNull().default([]),
    startsOn: date('starts_on', { mode: 'string' }),
    endsOn: date('ends_on', { mode: 'string' }),
  },
  (t) => [uniqueIndex('cohort_stages_pos_idx').on(t.cohortId, t.position), index('cohort_stages_module_idx').on(t.moduleKey)],
);

/** A mentor's waiver of one requirement (by index and kind) or of a whole stage, for one candidate. */
export const stageWaivers = pgTable(
  'stage_waivers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    scope: varchar('scope', { length: 12 }).notNull().$type<'stage' | 'requirement'>(),
    requirementKey: varchar('requirement_key', { length: 120 }),
    reason: text('reason').notNull(),
    mentorId: uuid('mentor_id').notNull().references(() => users.id),
    ledgerSeq: integer('ledger_seq'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** A withdrawn waiver no longer counts; who withdrew it, when and why stay on the record (and in the ledger). */
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    withdrawnBy: uuid('withdrawn_by').references(() => users.id),
    withdrawalReason: text('withdrawal_reason'),
    withdrawalLedgerSeq: integer('withdrawal_ledger_seq'),
  },
  (t) => [index('stage_waivers_candidate_idx').on(t.candidateId, t.cohortStageId)],
);

/** A mentor's mark that a candidate has completed a stage (the "mentor marked complete" requirement). */
export const stageCompletionMarks = pgTable(
  'stage_completion_marks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    mentorId: uuid('mentor_id').notNull().references(() => users.id),
    note: text('note'),
    ledgerSeq: integer('ledger_seq'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('stage_completion_marks_idx').on(t.cohortStageId, t.candidateId)],
);
