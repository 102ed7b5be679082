/** LTI 1.3: the tool's signing keys, platform registrations, launches, people's LMS identities, course links, line
 * items, every score posted with its answer, and roster syncs. */
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohorts, organisations, users } from './core';
import { cohortStages } from './programme';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** A JSON Web Key as stored (RSA: kty, n, e, and the private parts on the private key). */
export type StoredJwk = { kty: string; [name: string]: unknown };

/**
 * The tool's own RSA keys. Exactly one is `active` (it signs); a retired key stays published at
 * /.well-known/jwks.json until `expires_at`, so tokens it signed still verify. The private key never leaves the
 * database except into the signing function.
 */
export const ltiKeys = pgTable(
  'lti_keys',
  {
    kid: varchar('kid', { length: 64 }).primaryKey(),
    status: varchar('status', { length: 10 }).notNull().$type<'active' | 'retired'>(),
    publicJwk: jsonb('public_jwk').$type<StoredJwk>().notNull(),
    privateJwk: jsonb('private_jwk').$type<StoredJwk>().notNull(),
    createdAt: createdAt(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('lti_keys_one_active_idx').on(t.status).where(sql`${t.status} = 'active'`)],
);

/** One LMS (platform) registered for one client organisation. */
export const ltiRegistrations = pgTable(
  'lti_registrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    name: varchar('name', { length: 200 }).notNull(),
    issuer: varchar('issuer', { length: 500 }).notNull(),
    clientId: varchar('client_id', { length: 255 }).notNull(),
    authLoginUrl: varchar('auth_login_url', { length: 1000 }).notNull(),
    accessTokenUrl: varchar('access_token_url', { length: 1000 }).notNull(),
    jwksUrl: varchar('jwks_url', { length: 1000 }).notNull(),
    /** Learners who launch from a linked course join its cohort as candidates. */
    learnersJoin: boolean('learners_join').notNull().default(true),
    /** The platform's institution administrators become L&D leads of the organisation. */
    adminsLead: boolean('admins_lead').notNull().default(false),
    /** The platform checks its users' e-mail addresses, so a launch may link to an account by e-mail. */
    trustEmail: boolean('trust_email').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('lti_registrations_issuer_client_idx').on(t.issuer, t.clientId), index('lti_registrations_org_idx').on(t.organisationId)],
);

/** The deployment ids a registration accepts (a platform may install the tool more than once). */
export const ltiDeployments = pgTable(
  'lti_deployments',
  {
    registrationId: uuid('registration_id').notNull().references(() => ltiRegistrations.id),
    deploymentId: varchar('deployment_id', { length: 255 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.registrationId, t.deploymentId] })],
);

/** A login in flight: the `state` (stored as its SHA-256) and the `nonce` the id_token must carry; used once. */
export const ltiLoginStates = pgTable(
  'lti_login_states',
  {
    stateHash: varchar('state_hash', { length: 64 }).primaryKey(),
    nonce: varchar('nonce', { length: 64 }).notNull(),
    registrationId: uuid('registration_id').notNull().references(() => ltiRegistrations.id),
    targetLinkUri: varchar('target_link_uri', { length: 1000 }).notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('lti_login_states_expires_idx').on(t.expiresAt)],
);

/** A person as one platform knows them: (registration, sub) → a Cadre account. */
export const ltiIdentities = pgTable(
  'lti_identities',
  {
    registrationId: uuid('registration_id').notNull().references(() => ltiRegistrations.id),
    sub: varchar('sub', { length: 255 }).notNull(),
    userId: uuid('user_id').notNull().references(() => users.id),
    /** How the link was made: by verified e-mail, a new account, the person signing in, or a roster sync. */
    linkedBy: varchar('linked_by', { length: 12 }).notNull().$type<'email' | 'created' | 'sign-in' | 'roster'>(),
    createdAt: createdAt(),
    lastLaunchAt: timestamp('last_launch_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.registrationId, t.sub] }), index('lti_identities_user_idx').on(t.userId)],
);

/** A course (LTI context) of a platform, with the service addresses its launches gave. */
export const ltiContexts = pgTable(
  'lti_contexts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    registrationId: uuid('registration_id').notNull().references(() => ltiRegistrations.id),
    contextId: varchar('context_id', { length: 255 }).notNull(),
    title: varchar('title', { length: 300 }),
    membershipsUrl: varchar('memberships_url', { length: 1000 }),
    lineItemsUrl: varchar('line_items_url', { length: 1000 }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('lti_contexts_key_idx').on(t.registrationId, t.contextId)],
);

/** A placement of Cadre in a course (resource link), bound to a cohort or to one stage of it. */
export const ltiResourceLinks = pgTable(
  'lti_resource_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    registrationId: uuid('registration_id').notNull().references(() => ltiRegistrations.id),
    deploymentId: varchar('deployment_id', { length: 255 }).notNull(),
    resourceLinkId: varchar('resource_link_id', { length: 255 }).notNull(),
    contextRowId: uuid('context_row_id').references(() => ltiContexts.id),
    title: varchar('title', { length: 300 }),
    /** The line item the platform made for this link (AGS `lineitem`), used for a stage's completion. */
    lineItemUrl: varchar('line_item_url', { length: 1000 }),
    cohortId: uuid('cohort_id').references(() => cohorts.id),
    cohortStageId: uuid('cohort_stage_id').references(() => cohortStages.id),
    boundBy: uuid('bound_by').references(() => users.id),
    boundAt: timestamp('bound_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('lti_resource_links_key_idx').on(t.registrationId, t.deploymentId, t.resourceLinkId), index('lti_resource_links_cohort_idx').on(t.cohortId)],
);

/** What a launch message asked for, as Cadre keeps it for the signed-in tab. */
export type LaunchRecord = {
  messageType: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  roles: string[];
  name: string;
  email?: string;
  /** Origins allowed to frame Cadre for this launch (the platform's and its return address's). */
  frameOrigins: string[];
  returnUrl?: string;
  deepLink?: { returnUrl: string; data?: string; acceptTypes: string[]; acceptLineItem: boolean };
};

/** One verified launch; its one-time entry token (SHA-256 stored) turns into a first-party session. */
export const ltiLaunches = pgTable(
  'lti_launches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    registrationId: uuid('registration_id').notNull().references(() => ltiRegistrations.id),
    deploymentId: varchar('deployment_id', { length: 255 }).notNull(),
    sub: varchar('sub', { length: 255 }).notNull(),
    /** The account, once known (null: the person must sign in once to connect their account). */
    userId: uuid('user_id').references(() => users.id),
    resourceLinkRowId: uuid('resource_link_row_id').references(() => ltiResourceLinks.id),
    contextRowId: uuid('context_row_id').references(() => ltiContexts.id),
    record: jsonb('record').$type<LaunchRecord>().notNull(),
    entryTokenHash: varchar('entry_token_hash', { length: 64 }).notNull(),
    entryExpiresAt: timestamp('entry_expires_at', { withTimezone: true }).notNull(),
    enteredAt: timestamp('entered_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('lti_launches_entry_idx').on(t.entryTokenHash)],
);

/** A gradebook column Cadre posts to: a stage's completion (0–1) or a rubric gate's weighted score (0–100). */
export const ltiLineItems = pgTable(
  'lti_line_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    resourceLinkRowId: uuid('resource_link_row_id').notNull().references(() => ltiResourceLinks.id),
    kind: varchar('kind', { length: 12 }).notNull().$type<'completion' | 'rubric'>(),
    cohortStageId: uuid('cohort_stage_id').notNull().references(() => cohortStages.id),
    rubricKey: varchar('rubric_key', { length: 80 }).notNull().default(''),
    url: varchar('url', { length: 1000 }).notNull(),
    label: varchar('label', { length: 300 }).notNull(),
    scoreMaximum: integer('score_maximum').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('lti_line_items_key_idx').on(t.resourceLinkRowId, t.kind, t.cohortStageId, t.rubricKey)],
);

/** Every score Cadre posted (or tried to), with the platform's answer. Append-only. */
export const ltiScorePosts = pgTable(
  'lti_score_posts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    lineItemId: uuid('line_item_id').notNull().references(() => ltiLineItems.id),
    userId: uuid('user_id').notNull().references(() => users.id),
    /** What was sent: scoreGiven (absent while not graded), activityProgress, gradingProgress. */
    scoreGiven: numeric('score_given', { precision: 7, scale: 2, mode: 'number' }),
    scoreMaximum: integer('score_maximum').notNull(),
    activityProgress: varchar('activity_progress', { length: 20 }).notNull(),
    gradingProgress: varchar('grading_progress', { length: 20 }).notNull(),
    /** A digest of the state sent; a state is posted again only when it changes. */
    fingerprint: varchar('fingerprint', { length: 64 }).notNull(),
    outcome: varchar('outcome', { length: 10 }).notNull().$type<'accepted' | 'refused' | 'failed'>(),
    httpStatus: integer('http_status'),
    answer: text('answer'),
    attempt: integer('attempt').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index('lti_score_posts_item_user_idx').on(t.lineItemId, t.userId, t.createdAt)],
);

/** One roster sync's outcome: who joined, who was invited, who is no longer in the course (for a decision). */
export type RosterSummary = {
  joined: { userId: string; name: string }[];
  invited: { userId: string; name: string }[];
  noEmail: { name: string }[];
  missing: { userId: string; name: string }[];
  staff: number;
};

/** Roster syncs (NRPS), newest last. */
export const ltiRosterSyncs = pgTable(
  'lti_roster_syncs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    resourceLinkRowId: uuid('resource_link_row_id').notNull().references(() => ltiResourceLinks.id),
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    syncedBy: uuid('synced_by').notNull().references(() => users.id),
    summary: jsonb('summary').$type<RosterSummary>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('lti_roster_syncs_link_idx').on(t.resourceLinkRowId, t.createdAt)],
);
