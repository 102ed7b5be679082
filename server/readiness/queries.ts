/** Loads readiness for many cohorts with a fixed number of set-based queries (never one per candidate). */
import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import type { ProgressContext } from '../progression/engine';
import {
  ukDate,
  candidateReadiness,
  readinessChangesAt,
  countStates,
  DEFAULT_DECLINED_AFTER_DAYS,
  type CandidateFacts,
  type CohortReadiness,
  type CompetencyColumn,
  type SignoffFact,
  type StageColumn,
} from './model';
import { engineStageStatuses, loadStageRecords, statusesFromRecords, type StageRecords, type StageSource } from './stages';
import { epochMs, rows, uuidArray } from './sql';
import { freeze, GLOBAL_SCOPE, readVersions, registerVersionedCache, VersionedCache } from '../db/versions';

/** What to compute. */
export type ReadinessQuery = { cohortIds: string[]; now?: Date; stageSource?: StageSource | 'auto' };

/** The answer: each cohort's readiness, in the order asked, and where stage statuses came from. */
/** `until`: the instant (epoch ms) the clock alone would change these answers (the next UK day at the latest). */
export type ReadinessResult = { cohorts: CohortReadiness[]; stageSource: StageSource; until: number };

type CohortRow = {
  id: string;
  name: string;
  organisation_id: string;
  organisation_name: string;
  programme_name: string | null;
  starts_on: string | null;
  ends_on: string | null;
  settings: { stalledAfterDays?: number; declinedAfterDays?: number } | null;
};

/** A cohort's computed readiness, the data it came from (versions, UK day) and the span of time it holds for. */
type ModelEntry = { stamp: string; from: number; until: number; value: CohortReadiness };
let models = new WeakMap<ProgressContext['registry'], Map<string, ModelEntry>>();
const MAX_MODELS = 2000;
registerVersionedCache({
  clear() {
    models = new WeakMap();
  },
});

/**
 * Computes readiness for every candidate of the given cohorts. A cohort's answer is kept while its data version and
 * the UK date stay the same and until the clock alone would change it (days idle, days since a decline): then it is
 * worked out again from the rows in memory, without a statement.
 */
export async function computeReadiness(ctx: ProgressContext, query: ReadinessQuery): Promise<ReadinessResult> {
  const now = query.now ?? new Date();
  const ids = [...new Set(query.cohortIds)];
  if (!ids.length) return { cohorts: [], stageSource: 'sql', until: Infinity };
  const stageSource: StageSource = query.stageSource === 'sql' ? 'sql' : 'engine';
  const versions = await readVersions(ctx.db, ids);
  const today = ukDate(now);
  const t = now.getTime();
  const stampOf = (id: string) => `${versions.get(id)}:${versions.get(GLOBAL_SCOPE)}:${today}:${stageSource}`;
  let cache = models.get(ctx.registry);
  if (!cache) models.set(ctx.registry, (cache = new Map()));
  const kept = cache;
  const stale = ids.filter((id) => {
    const e = kept.get(id);
    return !(e && e.stamp === stampOf(id) && e.from <= t && t < e.until);
  });
  if (stale.length) {
    const until = nextUkDay(now);
    for (const [id, { value, changesAt }] of await computeModels(ctx, stale, now, query.stageSource)) {
      kept.delete(id);
      if (kept.size >= MAX_MODELS) kept.delete(kept.keys().next().value as string);
      kept.set(id, { stamp: stampOf(id), from: t, until: Math.min(until, changesAt), value: freeze(value) });
    }
  }
  const entries = ids.map((id) => kept.get(id)).filter((e): e is ModelEntry => !!e);
  return { cohorts: entries.map((e) => e.value), stageSource, until: Math.min(...entries.map((e) => e.until)) };
}

/** The first instant of the next UK calendar day after `now`. */
function nextUkDay(now: Date): number {
  const today = ukDate(now);
  const parts = Object.fromEntries(londonClock.formatToParts(now).map((p) => [p.type, p.value]));
  const sinceMidnight = ((Number(parts.hour) % 24) * 3600 + Number(parts.minute) * 60 + Number(parts.second)) * 1000 + (now.getTime() % 1000);
  const guess = now.getTime() - sinceMidnight + 86_400_000;
  // On the two days a year the clocks change, the day is 23 or 25 hours long: take the candidate that starts it.
  for (const at of [guess - 3_600_000, guess, guess + 3_600_000]) if (at > now.getTime() && ukDate(new Date(at)) !== today && ukDate(new Date(at - 1)) === today) return at;
  return now.getTime() + 3_600_000;
}

const londonClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Works readiness out for these cohorts, with when the clock would next change each cohort's answer. */
async function computeModels(ctx: ProgressContext, ids: string[], now: Date, source: ReadinessQuery['stageSource']): Promise<Map<string, { value: CohortReadiness; changesAt: number }>> {
  const { db } = ctx;
  const [loaded, engineStatuses] = await Promise.all([loadCached(db, ids), engineStageStatuses(ctx, ids, now, source)]);
  const { cohortRows, candidates, stageRows, compRows, signoffRows, activityRows, mustPassRows, stageRecords } = loaded;
  // Everything per candidate is keyed once by "cohortId:candidateId"; inner maps by stage or competency id.
  const ck = (cohortId: string, candidateId: string) => `${cohortId}:${candidateId}`;
  const stagesBy = group(stageRows, (r) => r.cohort_id);
  const compsBy = group(compRows, (r) => r.cohort_id);
  const candidatesBy = group(candidates, (r) => r.cohort_id);
  const signoffs = latestSignoffs(signoffRows);
  const activity = new Map<string, number>();
  const touch = (k: string, at: number | null) => {
    if (at !== null && !Number.isNaN(at) && at > (activity.get(k) ?? -Infinity)) activity.set(k, at);
  };
  for (const r of activityRows) touch(ck(r.cohort_id, r.candidate_id), r.at === null ? null : Number(r.at));
  for (const r of signoffRows) touch(ck(r.cohort_id, r.candidate_id), Number(r.last_at));
  const mustPass = group(mustPassRows, (r) => ck(r.cohort_id, r.candidate_id));
  const waivers = new Map<string, number>();
  const doneAt = new Map<string, Map<string, number>>();
  for (const [k, recs] of stageRecords) {
    const done = new Map<string, number>();
    let waived = 0;
    for (const r of recs) {
      touch(k, r.at);
      if (r.kind !== 'mark') waived += 1;
      if (r.kind !== 'requirement_waiver' && r.at < (done.get(r.stageId) ?? Infinity)) done.set(r.stageId, r.at);
    }
    doneAt.set(k, done);
    if (waived) waivers.set(k, waived);
  }
  const statuses =
    engineStatuses ??
    statusesFromRecords(
      new Map([...stagesBy].map(([c, list]) => [c, list.map((s) => ({ id: s.id, startsOn: s.starts_on }))])),
      new Map([...candidatesBy].map(([c, list]) => [c, list.map((p) => p.id)])),
      stageRecords,
      ukDate(now),
    );
  const today = ukDate(now);
  const byId = new Map(cohortRows.map((c) => [c.id, c]));

  const out = new Map<string, { value: CohortReadiness; changesAt: number }>();
  for (const id of ids) {
    const c = byId.get(id);
    if (!c) continue;
    const stages: StageColumn[] = (stagesBy.get(id) ?? []).map((s) => ({ id: s.id, title: s.title, position: s.position, startsOn: s.starts_on, endsOn: s.ends_on }));
    const comps: CompetencyColumn[] = (compsBy.get(id) ?? []).map((k) => ({ id: k.id, code: k.code, name: k.name, safetyCritical: k.safety_critical }));
    const stalledAfterDays = Number(c.settings?.stalledAfterDays ?? 14);
    const opts = { now, stalledAfterDays, declinedAfterDays: Number(c.settings?.declinedAfterDays ?? DEFAULT_DECLINED_AFTER_DAYS), cohortStartsOn: c.starts_on, today };
    const cohortStatuses = statuses.get(id);
    let changesAt = Infinity;
    const list = (candidatesBy.get(id) ?? []).map((p) => {
      const k = ck(id, p.id);
      const mine = cohortStatuses?.get(p.id);
      const done = doneAt.get(k);
      const signed = signoffs.get(k);
      const facts: CandidateFacts = {
        candidateId: p.id,
        name: p.name,
        email: p.email,
        joinedAt: Number(p.joined),
        stageStatus: stages.map((s) => mine?.get(s.id) ?? null),
        stageDoneAt: stages.map((s) => done?.get(s.id) ?? null),
        signoffs: comps.map((c): SignoffFact => signed?.get(c.id) ?? null),
        lastActivityAt: activity.get(k) ?? null,
        mustPassFailed: (mustPass.get(k) ?? []).map((m) => `${m.assessor}’s latest ${m.rubric}`),
        waiverCount: waivers.get(k) ?? 0,
      };
      changesAt = Math.min(changesAt, readinessChangesAt(facts, opts));
      return candidateReadiness(facts, stages, comps, opts);
    });
    out.set(id, {
      changesAt,
      value: {
        id,
        name: c.name,
        organisationId: c.organisation_id,
        organisationName: c.organisation_name,
        programmeName: c.programme_name,
        startsOn: c.starts_on,
        endsOn: c.ends_on,
        stalledAfterDays,
        stages,
        competencies: comps,
        candidates: list,
        counts: countStates(list),
      },
    });
  }
  return out;
}

/** The request that counts per competency, for each "cohortId:candidateId": a signed one if any, else the latest created. */
function latestSignoffs(list: { cohort_id: string; candidate_id: string; items: string }[]): Map<string, Map<string, { status: string; updatedAt: number }>> {
  const out = new Map<string, Map<string, { status: string; updatedAt: number; createdAt: number }>>();
  for (const r of list) {
    const byCompetency = new Map<string, { status: string; updatedAt: number; createdAt: number }>();
    for (const item of r.items.split(',')) {
      const [competencyId, status, updated, created] = item.split(':');
      const next = { status, updatedAt: Number(updated), createdAt: Number(created) };
      const prev = byCompetency.get(competencyId);
      const signed = status === 'signed';
      const prevSigned = prev?.status === 'signed';
      if (!prev || (signed && !prevSigned) || (signed === prevSigned && next.createdAt > prev.createdAt)) byCompetency.set(competencyId, next);
    }
    out.set(`${r.cohort_id}:${r.candidate_id}`, byCompetency);
  }
  return out;
}

function group<T>(list: T[], by: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of list) {
    const k = by(item);
    const arr = out.get(k);
    if (arr) arr.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** The rows readiness is computed from (the model adds the clock: stalled and overdue depend on the time). */
type Loaded = {
  cohortRows: CohortRow[];
  candidates: { cohort_id: string; id: string; name: string; email: string; joined: number }[];
  stageRows: { cohort_id: string; id: string; title: string; position: number; starts_on: string | null; ends_on: string | null }[];
  compRows: { cohort_id: string; id: string; code: string; name: string; safety_critical: boolean }[];
  signoffRows: { cohort_id: string; candidate_id: string; items: string; last_at: number }[];
  activityRows: { cohort_id: string; candidate_id: string; at: number }[];
  mustPassRows: { cohort_id: string; candidate_id: string; rubric: string; assessor: string }[];
  stageRecords: StageRecords;
};

/** Each cohort's rows, while its data version stays the same (server/db/versions.ts). */
const loadedCache = new VersionedCache<Loaded>(2000);

/** The rows of many cohorts: from memory for those unchanged since they were read, one batch of queries for the rest. */
async function loadCached(db: Db, ids: string[]): Promise<Loaded> {
  const byCohort = await loadedCache.get(db, ids, (id) => id, '', async (missing) => splitByCohort(missing, await loadRows(db, missing)));
  const parts = ids.map((id) => byCohort.get(id)).filter((p): p is Loaded => !!p);
  return {
    cohortRows: parts.flatMap((p) => p.cohortRows),
    candidates: parts.flatMap((p) => p.candidates),
    stageRows: parts.flatMap((p) => p.stageRows),
    compRows: parts.flatMap((p) => p.compRows),
    signoffRows: parts.flatMap((p) => p.signoffRows),
    activityRows: parts.flatMap((p) => p.activityRows),
    mustPassRows: parts.flatMap((p) => p.mustPassRows),
    stageRecords: new Map(parts.flatMap((p) => [...p.stageRecords])),
  };
}

/** One cohort's share of each list (every cohort asked gets an entry, empty when it has no rows). */
function splitByCohort(ids: string[], all: Loaded): Map<string, Loaded> {
  const out = new Map<string, Loaded>(ids.map((id) => [id, { cohortRows: [], candidates: [], stageRows: [], compRows: [], signoffRows: [], activityRows: [], mustPassRows: [], stageRecords: new Map() }]));
  for (const r of all.cohortRows) out.get(r.id)?.cohortRows.push(r);
  for (const r of all.candidates) out.get(r.cohort_id)?.candidates.push(r);
  for (const r of all.stageRows) out.get(r.cohort_id)?.stageRows.push(r);
  for (const r of all.compRows) out.get(r.cohort_id)?.compRows.push(r);
  for (const r of all.signoffRows) out.get(r.cohort_id)?.signoffRows.push(r);
  for (const r of all.activityRows) out.get(r.cohort_id)?.activityRows.push(r);
  for (const r of all.mustPassRows) out.get(r.cohort_id)?.mustPassRows.push(r);
  // Stage records are keyed "cohortId:candidateId".
  for (const [k, v] of all.stageRecords) out.get(k.slice(0, k.indexOf(':')))?.stageRecords.set(k, v);
  return out;
}

/** Reads the rows of these cohorts: a fixed number of set-based queries, however many cohorts and candidates. */
async function loadRows(db: Db, ids: string[]): Promise<Loaded> {
  const arr = uuidArray(ids);
  const [cohortRows, candidates, stageRows, compRows, signoffRows, activityRows, mustPassRows, stageRecords] = await Promise.all([
    rows<CohortRow>(
      db,
      sql`select c.id, c.name, c.organisation_id, o.name as organisation_name, p.name as programme_name,
            c.starts_on::text as starts_on, c.ends_on::text as ends_on, c.settings
          from cohorts c join organisations o on o.id = c.organisation_id
          left join programme_templates p on p.id = c.programme_template_id
          where c.id = any(${arr})`,
    ),
    rows<{ cohort_id: string; id: string; name: string; email: string; joined: number }>(
      db,
      sql`select cm.cohort_id, u.id, u.name, u.email, ${epochMs(sql`cm.created_at`)} as joined
          from cohort_members cm join users u on u.id = cm.user_id
          where cm.role = 'candidate' and cm.cohort_id = any(${arr}) order by u.name, u.id`,
    ),
    rows<{ cohort_id: string; id: string; title: string; position: number; starts_on: string | null; ends_on: string | null }>(
      db,
      sql`select cohort_id, id, title, position, starts_on::text as starts_on, ends_on::text as ends_on
          from cohort_stages where cohort_id = any(${arr}) and position > 0 order by position`,
    ),
    rows<{ cohort_id: string; id: string; code: string; name: string; safety_critical: boolean }>(
      db,
      sql`select * from (
            select r.cohort_id, k.id, k.code, k.name, k.safety_critical, k.position from cohort_required_competencies r
              join competencies k on k.id = r.competency_id where r.cohort_id = any(${arr})
            union all
            select c.id, k.id, k.code, k.name, k.safety_critical, k.position from cohorts c join competencies k on k.framework_id = c.framework_id
              where c.id = any(${arr}) and not exists (select 1 from cohort_required_competencies r where r.cohort_id = c.id)
          ) x order by position, code`,
    ),
    // Every request, one row per candidate ("competencyId:status:updatedMs:createdMs,…"): moving one short string per
    // candidate instead of a row per request is several times faster on PGlite. Also the latest sign-off activity.
    rows<{ cohort_id: string; candidate_id: string; items: string; last_at: number }>(
      db,
      sql`select cohort_id, candidate_id,
            string_agg(competency_id::text || ':' || status || ':' || (extract(epoch from coalesce(signed_at, updated_at)) * 1000)::bigint
                       || ':' || (extract(epoch from created_at) * 1000)::bigint, ',') as items,
            ${epochMs(sql`max(greatest(updated_at, submitted_at))`)} as last_at
          from signoff_requests where cohort_id = any(${arr}) group by cohort_id, candidate_id`,
    ),
    // Activity beyond sign-offs, marks and waivers (read above and below): assessments, ledger entries, the candidate's own audit events.
    rows<{ cohort_id: string; candidate_id: string; at: number }>(
      db,
      sql`select cohort_id, candidate_id, ${epochMs(sql`max(at)`)} as at from (
            select cohort_id, candidate_id, created_at as at from assessments where cohort_id = any(${arr})
            union all select cohort_id, candidate_id, recorded_at::timestamptz from ledger_entries where cohort_id = any(${arr}) and candidate_id is not null
            union all select cm.cohort_id, cm.user_id, e.at from (select actor_id, max(at) as at from audit_events group by actor_id) e
              join cohort_members cm on cm.user_id = e.actor_id and cm.role = 'candidate' where cm.cohort_id = any(${arr})
          ) x group by cohort_id, candidate_id`,
    ),
    rows<{ cohort_id: string; candidate_id: string; rubric: string; assessor: string }>(
      db,
      // Each mentor's latest assessment per rubric: one mentor's later pass never hides another mentor's fail.
      sql`select x.cohort_id, x.candidate_id, r.name as rubric, u.name as assessor from (
            select distinct on (cohort_id, candidate_id, rubric_id, assessor_id) cohort_id, candidate_id, rubric_id, assessor_id, must_pass_failed
            from assessments where kind = 'mentor' and cohort_id = any(${arr})
            order by cohort_id, candidate_id, rubric_id, assessor_id, created_at desc) x
          join rubrics r on r.id = x.rubric_id join users u on u.id = x.assessor_id where x.must_pass_failed
          order by r.name, u.name`,
    ),
    loadStageRecords(db, ids),
  ]);
  return { cohortRows, candidates, stageRows, compRows, signoffRows, activityRows, mustPassRows, stageRecords };
}
