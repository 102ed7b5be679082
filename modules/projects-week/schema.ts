/** Projects week: the knowledge modules of a cohort stage and each candidate's assigned, scheduled deliveries. */
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohortStages, users } from '../../server/modules/kit';

/** A knowledge module candidates deliver remotely, assessed with the rubric named by `rubricKey`. */
export const projectsWeekModules = pgTable(
  'projects_week_modules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    position: integer('position').notNull(),
    title: varchar('title', { length: 200 }).notNull(),
    summary: text('summary'),
    rubricKey: varchar('rubric_key', { length: 80 }).notNull().default('knowledge-module'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('projects_week_modules_stage_idx').on(t.cohortStageId, t.position)],
);

/** A module assigned to a candidate, with the slot in which they deliver it and the meeting link. */
export const projectsWeekAssignments = pgTable(
  'projects_week_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    moduleId: uuid('module_id').notNull().references(() => projectsWeekModules.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    slotAt: timestamp('slot_at', { withTimezone: true }),
    meetingUrl: varchar('meeting_url', { length: 500 }),
    assignedBy: uuid('assigned_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('projects_week_assignments_unique_idx').on(t.moduleId, t.candidateId),
    index('projects_week_assignments_stage_idx').on(t.cohortStageId, t.candidateId),
  ],
);
