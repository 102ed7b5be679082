/** Rubrics (criteria × ordered levels) and assessments against them, kept side by side and never overwritten. */
import { boolean, index, integer, numeric, pgTable, primaryKey, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohorts, users } from './core';
import { competencies } from './competency';

/** A rubric: criteria scored on ordered levels; pass = weighted % ≥ threshold and every must-pass criterion passed. */
export const rubrics = pgTable('rubrics', {
  id: uuid('id').primaryKey().defaultRandom(),
  key: varchar('key', { length: 80 }),
  name: varchar('name', { length: 200 }).notNull(),
  description: text('description'),
  passThreshold: numeric('pass_threshold', { precision: 5, scale: 2, mode: 'number' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  archivedAt: timestamp('archived_at', { withTimezone: true }),
  /** Versions share a key: an edit saves version n + 1 and marks this one superseded; assessments keep theirs. */
  version: integer('version').notNull().default(1),
  supersededAt: timestamp('superseded_at', { withTimezone: true }),
});

/** The ordered levels of a rubric, lowest first; `points` feed the weighted score. */
export const rubricLevels = pgTable('rubric_levels', {
  id: uuid('id').primaryKey().defaultRandom(),
  rubricId: uuid('rubric_id').notNull().references(() => rubrics.id),
  position: integer('position').notNull(),
  label: varchar('label', { length: 100 }).notNull(),
  points: integer('points').notNull(),
});

/** One criterion; a must-pass criterion fails the whole assessment when scored below `passLevel`. */
export const rubricCriteria = pgTable('rubric_criteria', {
  id: uuid('id').primaryKey().defaultRandom(),
  rubricId: uuid('rubric_id').notNull().references(() => rubrics.id),
  position: integer('position').notNull(),
  title: varchar('title', { length: 200 }).notNull(),
  description: text('description'),
  weight: numeric('weight', { precision: 6, scale: 2, mode: 'number' }).notNull(),
  mustPass: boolean('must_pass').notNull().default(false),
  passLevel: integer('pass_level').notNull(),
  competencyId: uuid('competency_id').references(() => competencies.id),
});

/** What a level means for a criterion. */
export const rubricDescriptors = pgTable(
  'rubric_descriptors',
  {
    criterionId: uuid('criterion_id').notNull().references(() => rubricCriteria.id),
    levelId: uuid('level_id').notNull().references(() => rubricLevels.id),
    text: text('text').notNull(),
  },
  (t) => [primaryKey({ columns: [t.criterionId, t.levelId] })],
);

/** Who is scoring: a mentor, the candidate themself, or a mentor shadow-scoring the same work. */
export type AssessmentKind = 'mentor' | 'self' | 'shadow';

/** One assessment of a candidate against a rubric in a context (stage, session or module). */
export const assessments = pgTable(
  'assessments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    rubricId: uuid('rubric_id').notNull().references(() => rubrics.id),
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    assessorId: uuid('assessor_id').notNull().references(() => users.id),
    kind: varchar('kind', { length: 10 }).notNull().$type<AssessmentKind>(),
    contextType: varchar('context_type', { length: 20 }).notNull().$type<'stage' | 'session' | 'module'>(),
    contextId: varchar('context_id', { length: 80 }).notNull(),
    cohortStageId: uuid('cohort_stage_id'),
    comment: text('comment'),
    percent: numeric('percent', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    passed: boolean('passed').notNull(),
    mustPassFailed: boolean('must_pass_failed').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('assessments_candidate_idx').on(t.candidateId, t.rubricId),
    index('assessments_context_idx').on(t.contextType, t.contextId),
    index('assessments_cohort_idx').on(t.cohortId),
  ],
);

/** The level given for each criterion, with the assessor's comment. */
export const assessmentScores = pgTable(
  'assessment_scores',
  {
    assessmentId: uuid('assessment_id').notNull().references(() => assessments.id),
    criterionId: uuid('criterion_id').notNull().references(() => rubricCriteria.id),
    levelPosition: integer('level_position').notNull(),
    comment: text('comment'),
  },
  (t) => [primaryKey({ columns: [t.assessmentId, t.criterionId] })],
);
