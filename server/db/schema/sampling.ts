/** Observation sampling (issue 17.6): the provider's sampling rates, courses a provider picked by hand, and mentors'
 * observations of delivered courses scored against a rubric. Which courses are due is computed on read
 * (server/sampling/model.ts); only people's decisions are stored. */
import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organisations, users } from './core';
import { impactCourses } from './impact';
import { programmeTemplates } from './programme';
import { rubrics } from './rubric';

/** A sampling rate set for a client organisation or for a programme (an organisation's rate wins). */
export const samplingRates = pgTable(
  'sampling_rates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').references(() => organisations.id),
    programmeTemplateId: uuid('programme_template_id').references(() => programmeTemplates.id),
    percent: integer('percent').notNull(),
    updatedBy: uuid('updated_by').notNull().references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sampling_rates_org_idx').on(t.organisationId).where(sql`${t.organisationId} is not null`),
    uniqueIndex('sampling_rates_programme_idx').on(t.programmeTemplateId).where(sql`${t.programmeTemplateId} is not null`),
    check('sampling_rates_one_scope', sql`(${t.organisationId} is null) <> (${t.programmeTemplateId} is null)`),
    check('sampling_rates_percent', sql`${t.percent} between 1 and 100`),
  ],
);

/** A course a provider admin picked for observation by hand, with the reason (ledgered). */
export const observationPicks = pgTable('observation_picks', {
  courseId: uuid('course_id').primaryKey().references(() => impactCourses.id),
  pickedBy: uuid('picked_by').notNull().references(() => users.id),
  reason: text('reason').notNull(),
  ledgerSeq: integer('ledger_seq'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A mentor's observation of a delivered course, scored against a rubric (ledgered). `levels`: criterion id → level
 * position, as the rubric's scoring reads them. */
export const courseObservations = pgTable(
  'course_observations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id').notNull().references(() => impactCourses.id),
    observerId: uuid('observer_id').notNull().references(() => users.id),
    rubricId: uuid('rubric_id').notNull().references(() => rubrics.id),
    observedOn: date('observed_on', { mode: 'string' }).notNull(),
    levels: jsonb('levels').$type<Record<string, number>>().notNull(),
    percent: numeric('percent', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    passed: boolean('passed').notNull(),
    mustPassFailed: boolean('must_pass_failed').notNull(),
    notes: text('notes').notNull(),
    ledgerSeq: integer('ledger_seq'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('course_observations_course_idx').on(t.courseId)],
);
