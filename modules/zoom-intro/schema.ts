/** Zoom introduction tables: the scheduled meeting of a cohort's stage, and each candidate's attendance. */
import { boolean, integer, pgTable, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { users } from '../../server/modules/kit';

/** The introduction meeting of one cohort stage (one per stage). */
export const zoomIntroMeetings = pgTable(
  'zoom_intro_meetings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    durationMinutes: integer('duration_minutes').notNull().default(60),
    /** The IANA time zone the mentor scheduled in (times are shown in it). */
    timezone: varchar('timezone', { length: 64 }).notNull(),
    joinUrl: varchar('join_url', { length: 500 }).notNull(),
    /** Zoom's meeting id, to match webhook events to this meeting. */
    zoomMeetingId: varchar('zoom_meeting_id', { length: 40 }),
    /** Incremented on every change, as the ICS SEQUENCE. */
    sequence: integer('sequence').notNull().default(0),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('zoom_intro_meetings_stage_idx').on(t.cohortStageId)],
);

/** Whether a candidate attended, from the mentor's register or Zoom's participant events. */
export const zoomIntroAttendance = pgTable(
  'zoom_intro_attendance',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull(),
    candidateId: uuid('candidate_id')
      .notNull()
      .references(() => users.id),
    present: boolean('present').notNull(),
    source: varchar('source', { length: 10 }).notNull().$type<'register' | 'zoom'>(),
    joinedAt: timestamp('joined_at', { withTimezone: true }),
    leftAt: timestamp('left_at', { withTimezone: true }),
    recordedBy: uuid('recorded_by').references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('zoom_intro_attendance_idx').on(t.cohortStageId, t.candidateId)],
);

/** Webhook deliveries already accepted (SHA-256 of the signed body), so a replay is refused; pruned after two days. */
export const zoomIntroWebhookEvents = pgTable('zoom_intro_webhook_events', {
  bodyHash: varchar('body_hash', { length: 64 }).primaryKey(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});
