/** Factories for tests: people, organisations, cohorts, and a two-tenant "world" for authorisation tests. */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../server/db';
import { cohortMembers, cohorts, memberships, organisations, users, type CohortRole, type Role } from '../../server/db/tables';
import { hashPassword } from '../../server/auth/passwords';

/** Every test user's password. */
export const TEST_PASSWORD = 'correct horse battery staple';
let hash: Promise<string> | undefined;

/** A short unique suffix. */
export const uniq = () => randomBytes(4).toString('hex');

/** Creates an organisation. */
export async function buildOrganisation(db: Db, overrides: Partial<typeof organisations.$inferInsert> = {}) {
  const [org] = await db.insert(organisations).values({ name: `Org ${uniq()}`, kind: 'client', ...overrides }).returning();
  return org;
}

/** Creates an active user with TEST_PASSWORD and, optionally, a role in an organisation. */
export async function buildUser(db: Db, options: { email?: string; name?: string; organisationId?: string; role?: Role; status?: 'active' | 'invited' | 'disabled' } = {}) {
  hash ??= hashPassword(TEST_PASSWORD);
  const [user] = await db
    .insert(users)
    .values({
      email: options.email ?? `user-${uniq()}@example.test`,
      name: options.name ?? `Person ${uniq()}`,
      passwordHash: options.status === 'invited' ? null : await hash,
      status: options.status ?? 'active',
    })
    .returning();
  if (options.organisationId && options.role) await db.insert(memberships).values({ userId: user.id, organisationId: options.organisationId, role: options.role });
  return user;
}

/** Creates a cohort (without stages unless `programmeTemplateId` copies are done by the caller). */
export async function buildCohort(db: Db, organisationId: string, overrides: Partial<typeof cohorts.$inferInsert> = {}) {
  const [cohort] = await db.insert(cohorts).values({ organisationId, name: `Cohort ${uniq()}`, ...overrides }).returning();
  return cohort;
}

/** Adds a user to a cohort. */
export async function addToCohort(db: Db, cohortId: string, userId: string, role: CohortRole) {
  await db.insert(cohortMembers).values({ cohortId, userId, role });
}

/** One client organisation with its cohort and people. */
export type Tenant = {
  org: typeof organisations.$inferSelect;
  cohort: typeof cohorts.$inferSelect;
  lead: typeof users.$inferSelect;
  mentor: typeof users.$inferSelect;
  candidate: typeof users.$inferSelect;
  otherCandidate: typeof users.$inferSelect;
};

/** Two tenants served by one provider: "own" (A) and "other" (B), plus the provider's admin. */
export type World = { provider: typeof organisations.$inferSelect; admin: typeof users.$inferSelect; a: Tenant; b: Tenant };

/** Builds a world. Optionally copies a programme template into each cohort via `withCohort`. */
export async function buildWorld(db: Db, withCohort?: (cohortId: string) => Promise<void>): Promise<World> {
  const provider = await buildOrganisation(db, { name: 'Provider', kind: 'provider' });
  const admin = await buildUser(db, { name: 'Admin', organisationId: provider.id, role: 'admin' });
  const tenant = async (label: string): Promise<Tenant> => {
    const org = await buildOrganisation(db, { name: `Client ${label}` });
    const cohort = await buildCohort(db, org.id, { name: `Cohort ${label}` });
    const lead = await buildUser(db, { name: `Lead ${label}`, organisationId: org.id, role: 'lead' });
    const mentor = await buildUser(db, { name: `Mentor ${label}`, organisationId: provider.id, role: 'mentor' });
    const candidate = await buildUser(db, { name: `Candidate ${label}`, organisationId: org.id, role: 'candidate' });
    const otherCandidate = await buildUser(db, { name: `Candidate ${label}2`, organisationId: org.id, role: 'candidate' });
    await addToCohort(db, cohort.id, lead.id, 'lead');
    await addToCohort(db, cohort.id, mentor.id, 'mentor');
    await addToCohort(db, cohort.id, candidate.id, 'candidate');
    await addToCohort(db, cohort.id, otherCandidate.id, 'candidate');
    if (withCohort) await withCohort(cohort.id);
    return { org, cohort, lead, mentor, candidate, otherCandidate };
  };
  return { provider, admin, a: await tenant('A'), b: await tenant('B') };
}
