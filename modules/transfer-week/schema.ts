/** Transfer week: in-person days, each day's register, and candidates' trainer-role moments. */
import { date, index, pgTable, primaryKey, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohortStages, users } from '../../server/modules/kit';

/** How a candidate was marked on a day's register. */
export type AttendanceMark = 'present' | 'late' | 'absent';

/** Where a trainer-role moment stands: waiting for a mentor, confirmed, or returned with a comment. */
export type MomentStatus = 'submitted' | 'confirmed' | 'returned';

/** An in-person transfer-week day, scheduled by a mentor. */
export const transferWeekDays = pgTable(
  'transfer_week_days',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    day: date('day', { mode: 'string' }).notNull(),
    venue: varchar('venue', { length: 200 }).notNull(),
    notes: text('notes'),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('transfer_week_days_stage_idx').on(t.cohortStageId, t.day)],
);

/** One candidate's mark on one day's register (saving the register again replaces the mark). */
export const transferWeekAttendance = pgTable(
  'transfer_week_attendance',
  {
    dayId: uuid('day_id').notNull().references(() => transferWeekDays.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    mark: varchar('mark', { length: 10 }).notNull().$type<AttendanceMark>(),
    recordedBy: uuid('recorded_by').notNull().references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.dayId, t.candidateId] }), index('transfer_week_attendance_candidate_idx').on(t.candidateId)],
);

/** A segment a candidate led in the trainer role, with their reflection and the mentor's decision. */
export const transferWeekMoments = pgTable(
  'transfer_week_moments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    dayId: uuid('day_id').references(() => transferWeekDays.id),
    segment: varchar('segment', { length: 300 }).notNull(),
    reflection: text('reflection').notNull(),
    status: varchar('status', { length: 12 }).notNull().$type<MomentStatus>(),
    mentorId: uuid('mentor_id').references(() => users.id),
    mentorComment: text('mentor_comment'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('transfer_week_moments_stage_idx').on(t.cohortStageId, t.candidateId)],
);
