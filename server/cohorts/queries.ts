/** Reads about organisations and cohorts, scoped to what an actor may see. */
import { and, asc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import type { Db } from '../db';
import { cohortMembers, cohorts, organisations, users, type CohortRole } from '../db/tables';
import { prepared } from '../db/prepared';
import { VersionedCache } from '../db/versions';
import { NotFoundError, ValidationError } from '../errors';
import { id as uuidSchema, invalid } from '../http/validate';

/** A cohort row, with its organisation's time zone (every date and time its people see is in it). */
export type CohortRow = typeof cohorts.$inferSelect & { timeZone: string };

/** Cohort rows by id, kept while the cohort's data version stays the same (a write to `cohorts`, or to its
 * organisation's row, bumps it). */
const cohortRows = new VersionedCache<CohortRow>(5000);

/**
 * Loads a cohort or throws 404; an id that is not a UUID is a 400 naming `cohortId` (bad ids never reach SQL). The row
 * comes from the cache while the cohort's version is unchanged, so a page costs only the request's one versions read.
 * The row is shared and frozen: read it, never change it.
 */
export async function getCohort(db: Db, cohortId: string): Promise<CohortRow> {
  if (!uuidSchema.safeParse(cohortId).success) throw badId('cohortId');
  const found = await cohortRows.get(db, [cohortId], (k) => k, '', async () => {
    const [row] = await prepared(db, 'cadre_get_cohort', (d) =>
      d
        .select({ ...getTableColumns(cohorts), timeZone: organisations.timeZone })
        .from(cohorts)
        .innerJoin(organisations, eq(organisations.id, cohorts.organisationId))
        .where(eq(cohorts.id, sql.placeholder('id')))
        .prepare('cadre_get_cohort'),
    ).execute({ id: cohortId });
    return new Map(row ? [[cohortId, row]] : []);
  });
  const row = found.get(cohortId);
  if (!row) throw new NotFoundError('That cohort');
  return row;
}

/** The 400 for an address id that is not an id at all. */
function badId(field: string): ValidationError {
  const message = 'must be an id like 3f2b…, as given by Cadre';
  return invalid([{ field, message }]);
}

/** Loads an organisation or throws 404 (400 naming `organisationId` for an id that is not a UUID). */
export async function getOrganisation(db: Db, organisationId: string) {
  if (!uuidSchema.safeParse(organisationId).success) throw badId('organisationId');
  const [row] = await db.select().from(organisations).where(eq(organisations.id, organisationId));
  if (!row) throw new NotFoundError('That organisation');
  return row;
}

/** The organisations an actor may see: all for an admin, otherwise their own. */
export async function visibleOrganisations(db: Db, actor: Actor) {
  const q = db.select().from(organisations).orderBy(asc(organisations.name));
  if (actor.isAdmin) return q;
  const ids = actor.orgRoles.map((m) => m.organisationId);
  if (!ids.length) return [];
  return db.select().from(organisations).where(inArray(organisations.id, ids)).orderBy(asc(organisations.name));
}

/** The cohorts an actor may see: all (admin), their organisation's (lead), or the ones they belong to. */
export async function visibleCohorts(db: Db, actor: Actor) {
  const cols = { id: cohorts.id, name: cohorts.name, organisationId: cohorts.organisationId, organisationName: organisations.name, startsOn: cohorts.startsOn, endsOn: cohorts.endsOn };
  const base = db.select(cols).from(cohorts).innerJoin(organisations, eq(organisations.id, cohorts.organisationId));
  if (actor.isAdmin) return base.orderBy(asc(organisations.name), asc(cohorts.name));
  const leadOrgs = actor.orgRoles.filter((m) => m.role === 'lead').map((m) => m.organisationId);
  const memberOf = actor.cohortRoles.map((c) => c.cohortId);
  if (!leadOrgs.length && !memberOf.length) return [];
  const conditions = [];
  if (leadOrgs.length) conditions.push(inArray(cohorts.organisationId, leadOrgs));
  if (memberOf.length) conditions.push(inArray(cohorts.id, memberOf));
  return base.where(sql.join(conditions, sql` or `)).orderBy(asc(organisations.name), asc(cohorts.name));
}

/** The members of a cohort with their roles, by name. */
export async function cohortPeople(db: Db, cohortId: string, role?: CohortRole) {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, status: users.status, role: cohortMembers.role })
    .from(cohortMembers)
    .innerJoin(users, eq(users.id, cohortMembers.userId))
    .where(role ? and(eq(cohortMembers.cohortId, cohortId), eq(cohortMembers.role, role)) : eq(cohortMembers.cohortId, cohortId))
    .orderBy(asc(users.name));
}

/** True when `userId` is a candidate of the cohort. */
export async function isCandidate(db: Db, cohortId: string, userId: string): Promise<boolean> {
  if (!uuidSchema.safeParse(userId).success) return false;
  const rows = await db
    .select({ u: cohortMembers.userId })
    .from(cohortMembers)
    .where(and(eq(cohortMembers.cohortId, cohortId), eq(cohortMembers.userId, userId), eq(cohortMembers.role, 'candidate')));
  return rows.length > 0;
}

/** A candidate's name and email, as their pages show them. */
export type CandidateRow = { id: string; name: string; email: string };

/** Candidates by cohort and id, kept while the cohort's version stays the same (membership and people bump it). */
const candidateRows = new VersionedCache<CandidateRow>(20_000);

/** Loads a candidate of a cohort or throws 404 (from the cache while the cohort's version is unchanged). */
export async function getCandidate(db: Db, cohortId: string, userId: string): Promise<CandidateRow> {
  if (!uuidSchema.safeParse(userId).success || !uuidSchema.safeParse(cohortId).success) throw new NotFoundError('That candidate');
  const key = `${cohortId}/${userId}`;
  const found = await candidateRows.get(db, [key], () => cohortId, '', async () => {
    // One statement: the person, only when they are a candidate of this cohort.
    const [user] = await prepared(db, 'cadre_get_candidate', (d) =>
      d
        .select({ id: users.id, name: users.name, email: users.email })
        .from(users)
        .innerJoin(cohortMembers, and(eq(cohortMembers.userId, users.id), eq(cohortMembers.cohortId, sql.placeholder('cohortId')), eq(cohortMembers.role, 'candidate')))
        .where(eq(users.id, sql.placeholder('userId')))
        .prepare('cadre_get_candidate'),
    ).execute({ cohortId, userId });
    return new Map(user ? [[key, user]] : []);
  });
  const user = found.get(key);
  if (!user) throw new NotFoundError('That candidate');
  return user;
}
