/** Impact: courses the new trainers deliver, learners' anonymous before/after answers, and the client's monthly
 * incident counts by service (versioned: a correction is a new version; the old one stays as history). */
import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohorts, organisations, users } from './core';

/** How a course register records frontline staff: pseudonymous codes (the default) or names. */
export type RegisterMode = 'codes' | 'names';

/** A client organisation's impact settings. */
export const impactSettings = pgTable('impact_settings', {
  organisationId: uuid('organisation_id').primaryKey().references(() => organisations.id),
  registerMode: varchar('register_mode', { length: 8 }).notNull().default('codes').$type<RegisterMode>(),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A course a new trainer delivered to frontline staff. `modules` and `outcomes` hold names (as taught), not ids.
 * `observed`/`observationId` are for the trainer register's observation sampling. */
export const impactCourses = pgTable(
  'impact_courses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    trainerId: uuid('trainer_id').notNull().references(() => users.id),
    coTrainerId: uuid('co_trainer_id').references(() => users.id),
    deliveredOn: date('delivered_on', { mode: 'string' }).notNull(),
    venue: varchar('venue', { length: 200 }).notNull(),
    modules: jsonb('modules').$type<string[]>().notNull().default([]),
    /** The learning outcomes the questionnaire asks about, fixed once the first answer arrives. */
    outcomes: jsonb('outcomes').$type<string[]>().notNull().default([]),
    attendees: integer('attendees').notNull(),
    register: jsonb('register').$type<string[]>().notNull().default([]),
    registerMode: varchar('register_mode', { length: 8 }).notNull().$type<RegisterMode>(),
    durationMinutes: integer('duration_minutes').notNull(),
    observed: boolean('observed').notNull().default(false),
    observationId: uuid('observation_id'),
    /** The unguessable code in the questionnaire's address (and QR code). */
    questionnaireCode: varchar('questionnaire_code', { length: 32 }).notNull(),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('impact_courses_code_idx').on(t.questionnaireCode),
    index('impact_courses_org_idx').on(t.organisationId, t.deliveredOn),
    index('impact_courses_trainer_idx').on(t.trainerId),
    index('impact_courses_cotrainer_idx').on(t.coTrainerId),
  ],
);

/** One learner's anonymous questionnaire answer. `deviceHash` (SHA-256 of the device cookie and the course) allows
 * one answer per device per course without identifying anyone; no address, name or browser detail is kept. */
export const impactResponses = pgTable(
  'impact_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id').notNull().references(() => impactCourses.id),
    deviceHash: varchar('device_hash', { length: 64 }).notNull(),
    safetyAnswer: varchar('safety_answer', { length: 16 }).notNull(),
    changeText: text('change_text'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('impact_responses_device_idx').on(t.courseId, t.deviceHash)],
);

/** Confidence on one learning outcome (by its position in the course's list), before and after, 1–5. */
export const impactResponseRatings = pgTable(
  'impact_response_ratings',
  {
    responseId: uuid('response_id').notNull().references(() => impactResponses.id),
    position: integer('position').notNull(),
    before: integer('before').notNull(),
    after: integer('after').notNull(),
  },
  (t) => [primaryKey({ columns: [t.responseId, t.position] })],
);

/** A service (a home, ward or team) of a client organisation that reports incident counts. */
export const impactServices = pgTable(
  'impact_services',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    name: varchar('name', { length: 120 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('impact_services_name_idx').on(t.organisationId, sql`lower(${t.name})`)],
);

/** One version of a service's counts for one month (numbers only). The highest version is current; every earlier
 * one is kept as the history of corrections. Rows are only ever inserted. */
export const impactIncidentCounts = pgTable(
  'impact_incident_counts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    serviceId: uuid('service_id').notNull().references(() => impactServices.id),
    /** The first day of the month. */
    month: date('month', { mode: 'string' }).notNull(),
    version: integer('version').notNull(),
    aggression: integer('aggression').notNull(),
    restraints: integer('restraints').notNull(),
    proneRestraints: integer('prone_restraints').notNull(),
    seclusions: integer('seclusions').notNull(),
    staffInjuries: integer('staff_injuries').notNull(),
    personInjuries: integer('person_injuries').notNull(),
    /** The denominator, when the lead gives it. */
    occupiedBedDays: integer('occupied_bed_days'),
    source: varchar('source', { length: 8 }).notNull().$type<'form' | 'import'>(),
    note: varchar('note', { length: 300 }),
    recordedBy: uuid('recorded_by').notNull().references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('impact_incident_counts_version_idx').on(t.serviceId, t.month, t.version), index('impact_incident_counts_org_idx').on(t.organisationId, t.month)],
);
