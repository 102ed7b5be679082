/** Pre-load video tables: the video library, each person's watched intervals, and the knowledge check. */
import { boolean, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { files, users } from '../../server/modules/kit';

/** A pre-load video: an uploaded file with a title, an order and a completion threshold. */
export const preloadVideoVideos = pgTable('preload_video_videos', {
  id: uuid('id').primaryKey().defaultRandom(),
  fileId: uuid('file_id')
    .notNull()
    .references(() => files.id),
  title: varchar('title', { length: 200 }).notNull(),
  description: text('description'),
  position: integer('position').notNull(),
  /** Seconds; null until known (from the upload form, the file header, or the first player report). */
  durationSeconds: numeric('duration_seconds', { precision: 10, scale: 3, mode: 'number' }),
  /** Percent of the video that must be actually played. */
  threshold: integer('threshold').notNull().default(90),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  archivedAt: timestamp('archived_at', { withTimezone: true }),
});

/** A played interval in seconds, [from, to]. */
export type Interval = [number, number];

/** What one person has actually played of one video: merged intervals and their total length. */
export const preloadVideoProgress = pgTable(
  'preload_video_progress',
  {
    videoId: uuid('video_id')
      .notNull()
      .references(() => preloadVideoVideos.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    intervals: jsonb('intervals').$type<Interval[]>().notNull().default([]),
    watchedSeconds: numeric('watched_seconds', { precision: 10, scale: 3, mode: 'number' }).notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.userId] }), index('preload_video_progress_user_idx').on(t.userId)],
);

/** A multiple-choice question of the knowledge check. */
export const preloadVideoQuestions = pgTable('preload_video_questions', {
  id: uuid('id').primaryKey().defaultRandom(),
  position: integer('position').notNull(),
  prompt: text('prompt').notNull(),
  options: jsonb('options').$type<string[]>().notNull(),
  correctIndex: integer('correct_index').notNull(),
  /** Shown beside a wrong answer after an attempt: why the right answer is right. */
  explanation: text('explanation'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One attempt at the knowledge check in a cohort's pre-load stage. */
export const preloadVideoQuizAttempts = pgTable(
  'preload_video_quiz_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    score: integer('score').notNull(),
    outOf: integer('out_of').notNull(),
    percent: integer('percent').notNull(),
    passed: boolean('passed').notNull(),
    answers: jsonb('answers').$type<Record<string, number>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('preload_video_quiz_attempts_idx').on(t.cohortStageId, t.userId)],
);
