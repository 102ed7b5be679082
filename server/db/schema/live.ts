/** Live co-delivery feedback: rooms, notes with a gap-free per-room sequence, and the release log. */
import { bigserial, boolean, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohorts, users } from './core';
import { rubricCriteria } from './rubric';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

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

/** @socket.io/postgres-adapter's table for large packets (created by migration so two nodes never race to create it). */
export const socketIoAttachments = pgTable('socket_io_attachments', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).defaultNow(),
  payload: bytea('payload'),
});
