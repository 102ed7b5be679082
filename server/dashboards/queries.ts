/** What the lead, mentor and admin dashboards read, scoped to the actor (set-based, a fixed number of queries). */
import { sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import type { Db } from '../db';
import { ukDate } from '../readiness/model';
import { epochMs, rows, uuidArray } from '../readiness/sql';

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
  link: string;
};

/** Requests waiting (pending, or awaiting a countersignature from someone other than the first signer), oldest first. */
export async function waitingRequests(db: Db, options: { cohortIds?: string[]; excludeSignedBy?: string; limit?: number; now?: Date }): Promise<WaitingRequest[]> {
  const now = options.now ?? new Date();
  const scope = options.cohortIds ? sql`and r.cohort_id = any(${uuidArray(options.cohortIds)})` : sql``;
  const notMine = options.excludeSignedBy ? sql`and (r.status <> 'awaiting_countersign' or r.signed_by is distinct from ${options.excludeSignedBy}::uuid)` : sql``;
  const list = await rows<{ id: string; cohort_id: string; cohort: string; org: string; candidate: string; code: string; name: string; status: string; submitted: number }>(
    db,
    sql`select r.id, r.cohort_id, c.name as cohort, o.name as org, u.name as candidate, k.code, k.name, r.status, ${epochMs(sql`r.submitted_at`)} as submitted
        from signoff_requests r join cohorts c on c.id = r.cohort_id join organisations o on o.id = c.organisation_id
        join users u on u.id = r.candidate_id join competencies k on k.id = r.competency_id
        where r.status in ('pending', 'awaiting_countersign') ${scope} ${notMine}
        order by r.submitted_at, r.id limit ${options.limit ?? 50}`,
  );
  return list.map((r) => ({
    id: r.id,
    cohortId: r.cohort_id,
    cohortName: r.cohort,
    organisationName: r.org,
    candidateName: r.candidate,
    competency: `${r.code} ${r.name}`,
    status: r.status,
    submittedAt: Number(r.submitted),
    waitingDays: Math.max(0, Math.floor((now.getTime() - Number(r.submitted)) / 86_400_000)),
    link: `/cohorts/${r.cohort_id}/signoffs`,
  }));
}

/** How many requests are waiting (the same filter as `waitingRequests`, without the limit). */
export async function countWaiting(db: Db, options: { cohortIds?: string[]; excludeSignedBy?: string }): Promise<number> {
  const scope = options.cohortIds ? sql`and r.cohort_id = any(${uuidArray(options.cohortIds)})` : sql``;
  const notMine = options.excludeSignedBy ? sql`and (r.status <> 'awaiting_countersign' or r.signed_by is distinct from ${options.excludeSignedBy}::uuid)` : sql``;
  const [row] = await rows<{ n: number }>(db, sql`select count(*)::int as n from signoff_requests r where r.status in ('pending', 'awaiting_countersign') ${scope} ${notMine}`);
  return Number(row?.n ?? 0);
}

/** A stage window that is open now or opens soon. */
export type UpcomingStage = { cohortId: string; cohortName: string; title: string; startsOn: string | null; endsOn: string | null; openNow: boolean };

/** Stage windows in the actor's cohorts that are running now or start within `days` days, soonest first. */
export async function upcomingStages(db: Db, cohortIds: string[], now = new Date(), days = 30): Promise<UpcomingStage[]> {
  if (!cohortIds.length) return [];
  const today = ukDate(now);
  const list = await rows<{ cohort_id: string; cohort: string; title: string; starts_on: string | null; ends_on: string | null }>(
    db,
    sql`select s.cohort_id, c.name as cohort, s.title, s.starts_on::text as starts_on, s.ends_on::text as ends_on
        from cohort_stages s join cohorts c on c.id = s.cohort_id
        where s.cohort_id = any(${uuidArray(cohortIds)}) and s.starts_on is not null
          and coalesce(s.ends_on, s.starts_on) >= ${today}::date and s.starts_on <= ${today}::date + ${days}::int
        order by s.starts_on, c.name limit 50`,
  );
  return list.map((r) => ({ cohortId: r.cohort_id, cohortName: r.cohort, title: r.title, startsOn: r.starts_on, endsOn: r.ends_on, openNow: !!r.starts_on && r.starts_on <= today }));
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
