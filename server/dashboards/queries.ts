/** What the lead, mentor and admin dashboards read, scoped to the actor (set-based, a fixed number of queries). */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { cohorts, competencies, organisations, signoffRequests, users } from '../db/tables';
import { waitingForMentor } from '../signoffs/queries';
import type { Actor } from '../auth/actor';
import type { Db } from '../db';
import { ukDate } from '../readiness/model';
import { rows, uuidArray } from '../readiness/sql';

/** The cohorts an actor sees as a lead: those running today for an admin, their organisations' cohorts, or cohorts they lead. */
export async function leadCohortIds(db: Db, actor: Actor): Promise<string[]> {
  const orgs = actor.orgRoles.filter((m) => m.role === 'lead').map((m) => m.organisationId);
  const led = actor.cohortRoles.filter((c) => c.role === 'lead').map((c) => c.cohortId);
  if (!actor.isAdmin && !orgs.length && !led.length) return [];
  const list = await rows<{ id: string }>(
    db,
    actor.isAdmin
      ? // An admin sees every organisation: only the cohorts running today, or the page would hold hundreds.
        sql`select c.id from cohorts c join organisations o on o.id = c.organisation_id
            where (c.starts_on is null or c.starts_on <= ${ukDate(new Date())}::date) and (c.ends_on is null or c.ends_on >= ${ukDate(new Date())}::date)
            order by o.name, c.starts_on desc nulls last, c.name`
      : sql`select c.id from cohorts c where c.organisation_id = any(${uuidArray(orgs)}) or c.id = any(${uuidArray(led)}) order by c.starts_on desc nulls last, c.name`,
  );
  return list.map((r) => r.id);
}

/** The cohorts the actor mentors. */
export function mentorCohortIds(actor: Actor): string[] {
  return actor.cohortRoles.filter((c) => c.role === 'mentor').map((c) => c.cohortId);
}

/** A sign-off request waiting for a mentor. */
export type WaitingRequest = {
  id: string;
  cohortId: string;
  cohortName: string;
  organisationName: string;
  candidateName: string;
  competency: string;
  status: string;
  submittedAt: number;
  waitingDays: number;
  /** The request to review (for its cohort's mentors). */
  link: string;
  /** The candidate's competencies, where anyone who may see the record finds the request. */
  recordLink: string;
};

/** Requests waiting for `mentorId`'s decision (`waitingForMentor`, the queue's own rule), or every waiting request
 * when no mentor is given (the admin overview), oldest first. */
export async function waitingRequests(db: Db, options: { cohortIds?: string[]; mentorId?: string; limit?: number; now?: Date }): Promise<WaitingRequest[]> {
  const now = options.now ?? new Date();
  const list = await db
    .select({ id: signoffRequests.id, cohortId: signoffRequests.cohortId, cohort: cohorts.name, org: organisations.name, candidate: users.name, candidateId: signoffRequests.candidateId, code: competencies.code, name: competencies.name, status: signoffRequests.status, submitted: signoffRequests.submittedAt })
    .from(signoffRequests)
    .innerJoin(cohorts, eq(cohorts.id, signoffRequests.cohortId))
    .innerJoin(organisations, eq(organisations.id, cohorts.organisationId))
    .innerJoin(users, eq(users.id, signoffRequests.candidateId))
    .innerJoin(competencies, eq(competencies.id, signoffRequests.competencyId))
    .where(waitingWhere(options))
    .orderBy(asc(signoffRequests.submittedAt), asc(signoffRequests.id))
    .limit(options.limit ?? 50);
  return list.map((r) => ({
    id: r.id,
    cohortId: r.cohortId,
    cohortName: r.cohort,
    organisationName: r.org,
    candidateName: r.candidate,
    competency: `${r.code} ${r.name}`,
    status: r.status,
    submittedAt: r.submitted.getTime(),
    waitingDays: Math.max(0, Math.floor((now.getTime() - r.submitted.getTime()) / 86_400_000)),
    // Review opens this one request, not the whole queue.
    link: `/cohorts/${r.cohortId}/signoffs/${r.id}`,
    recordLink: `/cohorts/${r.cohortId}/candidates/${r.candidateId}/competencies`,
  }));
}

function waitingWhere(options: { cohortIds?: string[]; mentorId?: string }) {
  return and(
    inArray(signoffRequests.status, ['pending', 'awaiting_countersign']),
    options.cohortIds ? inArray(signoffRequests.cohortId, options.cohortIds) : undefined,
    options.mentorId ? waitingForMentor(options.mentorId) : undefined,
  );
}

/** How many requests are waiting (the same rule as `waitingRequests` and the queue, without the limit), by cohort. */
export async function countWaiting(db: Db, options: { cohortIds?: string[]; mentorId?: string }): Promise<{ total: number; byCohort: Map<string, number> }> {
  const list = await db.select({ cohortId: signoffRequests.cohortId, n: count() }).from(signoffRequests).where(waitingWhere(options)).groupBy(signoffRequests.cohortId);
  const byCohort = new Map(list.map((r) => [r.cohortId, Number(r.n)]));
  return { total: [...byCohort.values()].reduce((a, b) => a + b, 0), byCohort };
}

/** A stage window that is open now or opens soon. */
export type UpcomingStage = { cohortId: string; cohortName: string; title: string; startsOn: string | null; endsOn: string | null; openNow: boolean; href: string };

/** Stage windows in the actor's cohorts that are running now or start within `days` days, soonest first. */
export async function upcomingStages(db: Db, cohortIds: string[], now = new Date(), days = 30): Promise<UpcomingStage[]> {
  if (!cohortIds.length) return [];
  const today = ukDate(now);
  const list = await rows<{ cohort_id: string; cohort: string; title: string; module_key: string; starts_on: string | null; ends_on: string | null }>(
    db,
    sql`select s.cohort_id, c.name as cohort, s.title, s.module_key, s.starts_on::text as starts_on, s.ends_on::text as ends_on
        from cohort_stages s join cohorts c on c.id = s.cohort_id
        where s.cohort_id = any(${uuidArray(cohortIds)}) and s.starts_on is not null
          and coalesce(s.ends_on, s.starts_on) >= ${today}::date and s.starts_on <= ${today}::date + ${days}::int
        order by s.starts_on, c.name limit 50`,
  );
  return list.map((r) => ({ cohortId: r.cohort_id, cohortName: r.cohort, title: r.title, startsOn: r.starts_on, endsOn: r.ends_on, openNow: !!r.starts_on && r.starts_on <= today, href: `/cohorts/${r.cohort_id}/stages/${r.module_key}` }));
}

/** Cohorts running on `now` (started, not yet ended), grouped by organisation, for the admin overview. */
export async function runningCohorts(db: Db, now = new Date()): Promise<{ id: string; name: string; organisationId: string; organisationName: string }[]> {
  const today = ukDate(now);
  return (
    await rows<{ id: string; name: string; organisation_id: string; organisation_name: string }>(
      db,
      sql`select c.id, c.name, c.organisation_id, o.name as organisation_name from cohorts c join organisations o on o.id = c.organisation_id
          where (c.starts_on is null or c.starts_on <= ${today}::date) and (c.ends_on is null or c.ends_on >= ${today}::date)
          order by o.name, c.name`,
    )
  ).map((r) => ({ id: r.id, name: r.name, organisationId: r.organisation_id, organisationName: r.organisation_name }));
}
