/** Co-delivery: the course for frontline staff — sessions, outcomes, small groups, learners and attainment. */
import { index, integer, pgTable, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohortStages, users } from '../../server/db/tables';

/** A learner's attainment of an outcome. */
export type AttainmentLevel = 'not_yet' | 'partly' | 'achieved';

/** A dated session of the co-delivered course (live feedback rooms link to these ids). */
export const coDeliverySessions = pgTable(
  'co_delivery_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    title: varchar('title', { length: 200 }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    location: varchar('location', { length: 200 }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('co_delivery_sessions_stage_idx').on(t.cohortStageId, t.startsAt)],
);

/** A learning outcome of the course. */
export const coDeliveryOutcomes = pgTable(
  'co_delivery_outcomes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    position: integer('position').notNull(),
    text: varchar('text', { length: 300 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('co_delivery_outcomes_stage_idx').on(t.cohortStageId, t.position)],
);

/** A small group of learners led by one candidate. */
export const coDeliveryGroups = pgTable(
  'co_delivery_groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    name: varchar('name', { length: 120 }).notNull(),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    sessionId: uuid('session_id').references(() => coDeliverySessions.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('co_delivery_groups_stage_idx').on(t.cohortStageId, t.candidateId)],
);

/** A member of frontline staff on the course: a name or an anonymous code, in one small group. */
export const coDeliveryLearners = pgTable(
  'co_delivery_learners',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    groupId: uuid('group_id').notNull().references(() => coDeliveryGroups.id),
    label: varchar('label', { length: 120 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('co_delivery_learners_group_idx').on(t.groupId)],
);

/** One person's judgement of one learner on one outcome: the leading candidate's, or a mentor's shadow score. */
export const coDeliveryAttainment = pgTable(
  'co_delivery_attainment',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    learnerId: uuid('learner_id').notNull().references(() => coDeliveryLearners.id),
    outcomeId: uuid('outcome_id').notNull().references(() => coDeliveryOutcomes.id),
    recorderId: uuid('recorder_id').notNull().references(() => users.id),
    role: varchar('role', { length: 10 }).notNull().$type<'candidate' | 'mentor'>(),
    level: varchar('level', { length: 10 }).notNull().$type<AttainmentLevel>(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('co_delivery_attainment_unique_idx').on(t.learnerId, t.outcomeId, t.recorderId),
    index('co_delivery_attainment_outcome_idx').on(t.outcomeId),
  ],
);
