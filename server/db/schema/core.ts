/** Core tables: organisations, people, cohorts, sessions, audit trail and notifications. */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  customType,
  date,
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

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** The training provider or a client organisation. */
export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: varchar('name', { length: 200 }).notNull(),
  kind: varchar('kind', { length: 16 }).notNull().$type<'provider' | 'client'>(),
  sector: varchar('sector', { length: 200 }),
  staffCount: integer('staff_count'),
  /** The organisation's logo in storage (`logos/<random>.<ext>`), its type checked from the bytes. */
  logoKey: varchar('logo_key', { length: 80 }),
  logoType: varchar('logo_type', { length: 40 }),
  /** The IANA time zone every date and time shown to the organisation's people is in (pages, CSVs, reports) and typed
   * times in its forms are read in. */
  timeZone: varchar('time_zone', { length: 64 }).notNull().default('Europe/London'),
  createdAt: createdAt(),
});

/** A person who can log in (or has been invited to). */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: varchar('email', { length: 254 }).notNull(),
    name: varchar('name', { length: 200 }).notNull(),
    passwordHash: text('password_hash'),
    status: varchar('status', { length: 16 }).notNull().default('invited').$type<'invited' | 'active' | 'disabled'>(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`)],
);

/** The roles a person holds in an organisation. */
export type Role = 'admin' | 'mentor' | 'lead' | 'candidate';

/** A user's role in an organisation. */
export const memberships = pgTable(
  'memberships',
  {
    userId: uuid('user_id').notNull().references(() => users.id),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    role: varchar('role', { length: 16 }).notNull().$type<Role>(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.organisationId, t.role] }), index('memberships_org_idx').on(t.organisationId)],
);

/** Per-cohort settings an admin can change. */
export type CohortSettings = { stalledAfterDays: number; leadMayObserveLive: boolean };

/** A client organisation's run of a programme. */
export const cohorts = pgTable(
  'cohorts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    programmeTemplateId: uuid('programme_template_id'),
    templateVersion: integer('template_version'),
    frameworkId: uuid('framework_id'),
    name: varchar('name', { length: 200 }).notNull(),
    startsOn: date('starts_on', { mode: 'string' }),
    endsOn: date('ends_on', { mode: 'string' }),
    settings: jsonb('settings').$type<CohortSettings>().notNull().default({ stalledAfterDays: 14, leadMayObserveLive: true }),
    createdAt: createdAt(),
  },
  (t) => [index('cohorts_org_idx').on(t.organisationId)],
);

/** How a person takes part in a cohort. */
export type CohortRole = 'candidate' | 'mentor' | 'lead' | 'observer';

/** Candidates, mentors, leads and observers of a cohort. */
export const cohortMembers = pgTable(
  'cohort_members',
  {
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    userId: uuid('user_id').notNull().references(() => users.id),
    role: varchar('role', { length: 16 }).notNull().$type<CohortRole>(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.cohortId, t.userId, t.role] }), index('cohort_members_user_idx').on(t.userId)],
);

/** One-time links for invitations and password resets; only the SHA-256 of the token is stored. */
export const userTokens = pgTable(
  'user_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id),
    kind: varchar('kind', { length: 16 }).notNull().$type<'invite' | 'reset'>(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('user_tokens_hash_idx').on(t.tokenHash)],
);

/**
 * An invitation into an organisation (and optionally a cohort). Nothing is granted until the invitee accepts: by
 * setting their password from the link (a new account) or, logged in as themselves, by accepting it (an existing one).
 */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id),
    /** The name the inviter typed (shown in their lists until the invitee joins). */
    name: varchar('name', { length: 200 }).notNull(),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    role: varchar('role', { length: 16 }).notNull().$type<Role>(),
    cohortId: uuid('cohort_id').references(() => cohorts.id),
    cohortRole: varchar('cohort_role', { length: 16 }).$type<CohortRole>(),
    invitedBy: uuid('invited_by').references(() => users.id),
    createdAt: createdAt(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    /** Set when an admin or lead withdrew the invitation: it grants nothing, and its link stops working. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('invitations_user_idx').on(t.userId), index('invitations_cohort_idx').on(t.cohortId)],
);

/** Login sessions (connect-pg-simple's layout), so they survive restarts and are shared by app nodes. */
export const sessions = pgTable(
  'session',
  {
    sid: varchar('sid').primaryKey(),
    sess: jsonb('sess').notNull(),
    expire: timestamp('expire', { precision: 6 }).notNull(),
  },
  (t) => [index('IDX_session_expire').on(t.expire)],
);

/**
 * Throttle counters shared by every node (rate-limiter-flexible's PostgreSQL layout): login failures, reset
 * requests. `expire` is epoch milliseconds.
 */
export const rateLimits = pgTable('rate_limits', {
  key: varchar('key', { length: 255 }).primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});

/** Append-only record of every change that is not a ledger decision; each row hashes the previous one. */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    actorId: uuid('actor_id'),
    action: varchar('action', { length: 80 }).notNull(),
    subjectType: varchar('subject_type', { length: 60 }).notNull(),
    subjectId: varchar('subject_id', { length: 80 }),
    before: jsonb('before'),
    after: jsonb('after'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    prevHash: varchar('prev_hash', { length: 64 }).notNull(),
    hash: varchar('hash', { length: 64 }).notNull(),
  },
  (t) => [index('audit_subject_idx').on(t.subjectType, t.subjectId)],
);

/** In-app notifications (also pushed over the socket and, with SMTP, e-mailed). */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id),
    kind: varchar('kind', { length: 60 }).notNull(),
    title: varchar('title', { length: 300 }).notNull(),
    body: text('body'),
    link: varchar('link', { length: 500 }),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.createdAt)],
);

/** Files uploaded as evidence or media; stored under UPLOAD_DIR by random key, never by the client's name. */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id').notNull().references(() => users.id),
    storageKey: varchar('storage_key', { length: 80 }).notNull(),
    displayName: varchar('display_name', { length: 255 }).notNull(),
    mimeType: varchar('mime_type', { length: 100 }).notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: varchar('sha256', { length: 64 }).notNull(),
    purpose: varchar('purpose', { length: 30 }).notNull().$type<'evidence' | 'video' | 'captions'>(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('files_storage_key_idx').on(t.storageKey)],
);

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** @socket.io/postgres-adapter's table for large packets (created by migration so two nodes never race to create it). */
export const socketIoAttachments = pgTable('socket_io_attachments', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).defaultNow(),
  payload: bytea('payload'),
});
