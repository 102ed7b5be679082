/** Co-delivery: the course for frontline staff — sessions, outcomes, small groups, learners and attainment — and the
 * live feedback rooms mentors run while a candidate teaches (rooms, notes with a gap-free per-room sequence, releases). */
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohorts, cohortStages, rubricCriteria, users } from '../../server/modules/kit';

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

/** A live feedback room: one mentor team watching one candidate teach, optionally tied to a co-delivery session. */
export const coDeliveryLiveRooms = pgTable(
  'co_delivery_live_rooms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    /** The co-delivery module's session, by id only (that module owns its table). */
    coDeliverySessionId: uuid('co_delivery_session_id'),
    title: varchar('title', { length: 200 }).notNull(),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    quietMode: boolean('quiet_mode').notNull().default(true),
    /** The teaching segment in progress (1-based); "end segment" releases held notes and moves on. */
    segment: integer('segment').notNull().default(1),
    segmentStartedAt: timestamp('segment_started_at', { withTimezone: true }).notNull().defaultNow(),
    /** Counter row: the next note seq (assigned with UPDATE … RETURNING inside the inserting transaction). */
    nextSeq: integer('next_seq').notNull().default(1),
    /** The next candidate-stream sequence, assigned when a note is released to the candidate. */
    nextReleaseSeq: integer('next_release_seq').notNull().default(1),
    leadMayObserve: boolean('lead_may_observe').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('co_delivery_live_rooms_cohort_idx').on(t.cohortId), index('co_delivery_live_rooms_candidate_idx').on(t.candidateId)],
);

/** What a note is about. */
export type LiveNoteKind = 'strength' | 'to_work_on';

/** One note from a mentor to the candidate; stored once per (room, client id). */
export const coDeliveryLiveNotes = pgTable(
  'co_delivery_live_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id').notNull().references(() => coDeliveryLiveRooms.id),
    seq: integer('seq').notNull(),
    /** Position in the candidate's stream; null while held in quiet mode. */
    releaseSeq: integer('release_seq'),
    clientId: uuid('client_id').notNull(),
    authorId: uuid('author_id').notNull().references(() => users.id),
    candidateId: uuid('candidate_id').notNull().references(() => users.id),
    body: text('body').notNull(),
    criterionId: uuid('criterion_id').references(() => rubricCriteria.id),
    kind: varchar('kind', { length: 16 }).notNull().$type<LiveNoteKind>(),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    atOffsetMs: integer('at_offset_ms').notNull(),
    segment: integer('segment').notNull().default(1),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    seenAt: timestamp('seen_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('co_delivery_live_notes_seq_idx').on(t.roomId, t.seq),
    uniqueIndex('co_delivery_live_notes_client_idx').on(t.roomId, t.clientId),
    uniqueIndex('co_delivery_live_notes_release_idx').on(t.roomId, t.releaseSeq),
    index('co_delivery_live_notes_candidate_idx').on(t.candidateId),
  ],
);

/** Why held notes were released. */
export type LiveReleaseReason = 'immediate' | 'end_segment' | 'candidate_done' | 'quiet_off' | 'session_ended';

/** The release log: each release of held notes is an event covering a run of the candidate's stream. */
export const coDeliveryLiveReleases = pgTable(
  'co_delivery_live_releases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id').notNull().references(() => coDeliveryLiveRooms.id),
    fromReleaseSeq: integer('from_release_seq').notNull(),
    toReleaseSeq: integer('to_release_seq').notNull(),
    noteCount: integer('note_count').notNull(),
    reason: varchar('reason', { length: 20 }).notNull().$type<LiveReleaseReason>(),
    releasedBy: uuid('released_by').notNull().references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('co_delivery_live_releases_room_idx').on(t.roomId)],
);
