/** Competency frameworks, sign-off requests and decisions, and the tamper-evident ledger. */
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { cohorts, files, users } from './core';

/** A rating scale: ordered level labels, lowest first (e.g. Not yet, Developing, Competent, Exemplary). */
export type RatingScale = { levels: string[]; competentFrom: number };

/** A framework of competencies, edited by admins. */
export const competencyFrameworks = pgTable('competency_frameworks', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: varchar('name', { length: 200 }).notNull(),
  description: text('description'),
  ratingScale: jsonb('rating_scale').$type<RatingScale>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A group of competencies within a framework (e.g. delivery, trainer). */
export const competencyAreas = pgTable('competency_areas', {
  id: uuid('id').primaryKey().defaultRandom(),
  frameworkId: uuid('framework_id').notNull().references(() => competencyFrameworks.id),
  position: integer('position').notNull(),
  name: varchar('name', { length: 200 }).notNull(),
  description: text('description'),
});

/** One competency; safety-critical ones need a second mentor's countersignature. */
export const competencies = pgTable(
  'competencies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    frameworkId: uuid('framework_id').notNull().references(() => competencyFrameworks.id),
    areaId: uuid('area_id').notNull().references(() => competencyAreas.id),
    code: varchar('code', { length: 40 }).notNull(),
    name: varchar('name', { length: 200 }).notNull(),
    description: text('description'),
    safetyCritical: boolean('safety_critical').notNull().default(false),
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('competencies_code_idx').on(t.frameworkId, t.code)],
);

/** Where a sign-off request stands. `signed` counts towards gates; `awaiting_countersign` does not yet. */
export type SignoffStatus = 'pending' | 'more_evidence' | 'declined' | 'awaiting_countersign' | 'signed' | 'revoked';

/** A candidate's request for a competency to be signed off, with a reflection and evidence. */
export const signoffRequests = pgTable(
  'signoff_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    competencyId: uuid('competency_id').notNull().references(() => competencies.id),
    reflection: text('reflection').notNull(),
    status: varchar('status', { length: 24 }).notNull().$type<SignoffStatus>(),
    rating: integer('rating'),
    signedBy: uuid('signed_by').references(() => users.id),
    countersignedBy: uuid('countersigned_by').references(() => users.id),
    signedAt: timestamp('signed_at', { withTimezone: true }),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('signoff_requests_candidate_idx').on(t.candidateId, t.competencyId),
    index('signoff_requests_cohort_status_idx').on(t.cohortId, t.status),
  ],
);

/** Evidence attached to a request: an uploaded file, or a reference such as a live note. */
export const signoffEvidence = pgTable(
  'signoff_evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: uuid('request_id').notNull().references(() => signoffRequests.id),
    fileId: uuid('file_id').references(() => files.id),
    refType: varchar('ref_type', { length: 40 }),
    refId: varchar('ref_id', { length: 80 }),
    caption: varchar('caption', { length: 500 }),
    addedBy: uuid('added_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('signoff_evidence_request_idx').on(t.requestId)],
);

/** What a decision does to a request. */
export type DecisionKind = 'submit' | 'resubmit' | 'sign_off' | 'decline' | 'more_evidence' | 'countersign' | 'revoke';

/** Every step in a request's life, append-only; each one is also a ledger entry. */
export const signoffDecisions = pgTable(
  'signoff_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: uuid('request_id').notNull().references(() => signoffRequests.id),
    kind: varchar('kind', { length: 20 }).notNull().$type<DecisionKind>(),
    actorId: uuid('actor_id').notNull().references(() => users.id),
    rating: integer('rating'),
    note: text('note'),
    ledgerSeq: bigint('ledger_seq', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('signoff_decisions_request_idx').on(t.requestId)],
);

/** The tamper-evident chain: each entry's hash covers its canonical JSON and the previous entry's hash. */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    kind: varchar('kind', { length: 40 }).notNull(),
    actorId: uuid('actor_id').notNull(),
    cohortId: uuid('cohort_id'),
    candidateId: uuid('candidate_id'),
    subjectType: varchar('subject_type', { length: 40 }).notNull(),
    subjectId: varchar('subject_id', { length: 80 }).notNull(),
    payload: text('payload').notNull(),
    recordedAt: varchar('recorded_at', { length: 40 }).notNull(),
    prevHash: varchar('prev_hash', { length: 64 }).notNull(),
    hash: varchar('hash', { length: 64 }).notNull(),
  },
  (t) => [index('ledger_candidate_idx').on(t.candidateId), index('ledger_cohort_idx').on(t.cohortId)],
);

/** Which competencies a cohort requires for "ready to deliver" (defaults to the whole framework when empty). */
export const cohortRequiredCompetencies = pgTable(
  'cohort_required_competencies',
  {
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    competencyId: uuid('competency_id').notNull().references(() => competencies.id),
  },
  (t) => [primaryKey({ columns: [t.cohortId, t.competencyId] })],
);
