/** Certificates (associate trainer, for one client organisation) and the provider's credential-signing key. Every
 * state a certificate shows — issued, renewed, revoked — is written beside its ledger entry (`server/credentials`). */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { cohorts, organisations, users } from './core';

/** A competency as a certificate names it (fixed at issue). */
export type CertifiedCompetency = { code: string; title: string };

/**
 * One person's certificate as an associate trainer for one organisation (never transferable to another). `code` is the
 * public verification code; `valid_from`/`expires_at` move on each renewal (the history is in the ledger).
 */
export const certificates = pgTable(
  'certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: varchar('code', { length: 20 }).notNull(),
    holderId: uuid('holder_id').notNull().references(() => users.id),
    organisationId: uuid('organisation_id').notNull().references(() => organisations.id),
    cohortId: uuid('cohort_id').notNull().references(() => cohorts.id),
    programmeTemplateId: uuid('programme_template_id'),
    programmeName: varchar('programme_name', { length: 200 }).notNull(),
    role: varchar('role', { length: 60 }).notNull().default('Associate trainer'),
    competencies: jsonb('competencies').$type<CertifiedCompetency[]>().notNull().default([]),
    signedBy: uuid('signed_by').notNull().references(() => users.id),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    renewals: integer('renewals').notNull().default(0),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by').references(() => users.id),
    revocationReason: text('revocation_reason'),
    /** The latest ledger entry about this certificate (issue, renewal or revocation). */
    ledgerSeq: integer('ledger_seq'),
  },
  (t) => [
    uniqueIndex('certificates_code_idx').on(t.code),
    // At most one standing (unrevoked) certificate per person and organisation: a refresher renews it.
    uniqueIndex('certificates_one_standing_idx').on(t.holderId, t.organisationId).where(sql`${t.revokedAt} is null`),
    index('certificates_org_idx').on(t.organisationId),
  ],
);

/** The provider's keys for signing Open Badges credentials (ES256): one active (the partial unique index), the rest
 * retired by a rotation and published for good, so what they signed still verifies. The private JWK is stored encrypted
 * (AES-256-GCM under a key derived from SESSION_SECRET); only the signer decrypts it. */
export const credentialKeys = pgTable(
  'credential_keys',
  {
    kid: varchar('kid', { length: 64 }).primaryKey(),
    status: varchar('status', { length: 10 }).notNull().$type<'active' | 'retired'>(),
    publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
    privateJwkSealed: text('private_jwk_sealed').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When a rotation replaced it (null while active). */
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('credential_keys_one_active_idx').on(t.status).where(sql`${t.status} = 'active'`)],
);
