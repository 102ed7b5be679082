/** Pre-load video tables: each programme's videos and knowledge check, each person's watched intervals, and who a
 * later change does not apply to. */
import { boolean, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, unique, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohortStages, files, programmeTemplates, users } from '../../server/modules/kit';

/** A pre-load video of one programme: an uploaded file with a title, an order, a completion threshold and captions. */
export const preloadVideoVideos = pgTable('preload_video_videos', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** The programme the video belongs to: only cohorts of that programme ever see or require it. */
  programmeTemplateId: uuid('programme_template_id')
    .notNull()
    .references(() => programmeTemplates.id),
  fileId: uuid('file_id')
    .notNull()
    .references(() => files.id),
  title: varchar('title', { length: 200 }).notNull(),
  description: text('description'),
  position: integer('position').notNull(),
  /** Seconds; from the file's own header on upload, or set by an admin — never from a player (a candidate). */
  durationSeconds: numeric('duration_seconds', { precision: 10, scale: 3, mode: 'number' }),
  /** Percent of the video that must be actually played. */
  threshold: integer('threshold').notNull().default(90),
  /** The WebVTT captions file (stored like the video), if uploaded. */
  captionsFileId: uuid('captions_file_id').references(() => files.id),
  /** The captions' text, read from the cues on upload (the transcript when the admin wrote none). */
  captionsText: text('captions_text'),
  /** A transcript the admin wrote; shown below the player in preference to the captions' text. */
  transcript: text('transcript'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** When it became part of the programme; null while a draft waits for the admin's choice of whom it applies to. */
  publishedAt: timestamp('published_at', { withTimezone: true }),
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
  /** The programme whose knowledge check this question is part of. */
  programmeTemplateId: uuid('programme_template_id')
    .notNull()
    .references(() => programmeTemplates.id),
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

/**
 * Content added or changed after a candidate had completed the stage, which the admin chose not to require of them
 * ("apply to new completions only"): this video (or, with no video, the knowledge check) does not count for them in
 * this cohort stage, so their completion stands.
 */
export const preloadVideoExemptions = pgTable(
  'preload_video_exemptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortStageId: uuid('cohort_stage_id')
      .notNull()
      .references(() => cohortStages.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** Null: the knowledge check. */
    videoId: uuid('video_id').references(() => preloadVideoVideos.id),
    decidedBy: uuid('decided_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('preload_video_exemptions_key').on(t.cohortStageId, t.userId, t.videoId).nullsNotDistinct()],
);
