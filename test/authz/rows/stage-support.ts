/** Shared helpers for the four later stage modules' matrix rows (not a rows file: it exports `rows = {}`). */
import { and, asc, eq } from 'drizzle-orm';
import { cohortStages } from '../../../server/db/tables';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

/** This file holds no rows; the loader requires the export. */
export const rows: AuthzRows = {};

/** Everyone related to the cohort may. */
export const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
/** Another tenant's cohort: only the provider's admin sees it. */
export const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
/** Admins and mentors manage. */
export const adminMentor: RoleExpectations = { admin: 'allow', lead: 403, mentor: 'allow', candidate: 403 };
/** Only the cohort's mentor. */
export const mentorOnly: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 403 };
/** Only the cohort's mentor, in another tenant: the admin is related (403), the rest are not (404). */
export const mentorOnlyOther: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
/** Admins and mentors manage, but the thing is already there: authorised, then exactly a 409 saying so. */
export const alreadyThere: RoleExpectations = { admin: 409, lead: 403, mentor: 409, candidate: 403 };
/** Only the candidate themself. */
export const candidateOnly: RoleExpectations = { admin: 403, lead: 403, mentor: 403, candidate: 'allow' };

/** The tenant cohort's stage of a module. */
export async function stageId(c: RowContext, key: string): Promise<string> {
  const [row] = await c.db
    .select({ id: cohortStages.id })
    .from(cohortStages)
    .where(and(eq(cohortStages.cohortId, c.tenant.cohort.id), eq(cohortStages.moduleKey, key)))
    .orderBy(asc(cohortStages.position))
    .limit(1);
  if (!row) throw new Error(`the tenant's cohort has no ${key} stage`);
  return row.id;
}
