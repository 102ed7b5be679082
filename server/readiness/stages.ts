/** Each candidate's stage statuses for many cohorts at once: from the progression engine, or (while the engine
 * is not available) from one set-based query over completion marks, waivers and stage windows. */
import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { computeProgress } from '../progression/engine';
import type { StageStatus } from '../progression/types';
import { epochMs, rows, uuidArray } from './sql';

/** cohort id → candidate id → stage id → status. */
export type StageStatusMap = Map<string, Map<string, Map<string, StageStatus>>>;

/** Where the statuses came from (the PDF and the bench say so). */
export type StageSource = 'engine' | 'sql';

/** When a stage was completed or waived, where a record says so: `${stageId}:${candidateId}` → ms. */
export type StageDoneAt = Map<string, number>;

/** Statuses from the engine's `computeProgress`, or from `sqlStageStatuses` when the engine is not implemented. */
export async function loadStageStatuses(db: Db, cohortIds: string[], now: Date, source: StageSource | 'auto' = 'auto'): Promise<{ statuses: StageStatusMap; source: StageSource }> {
  if (source !== 'sql') {
    try {
      const progress = await computeProgress(db, { cohortIds, now });
      const statuses: StageStatusMap = new Map();
      for (const [cohortId, byCandidate] of progress) {
        const c = new Map<string, Map<string, StageStatus>>();
        for (const [candidateId, stages] of byCandidate) c.set(candidateId, new Map(stages.map((s) => [s.stageId, s.status])));
        statuses.set(cohortId, c);
      }
      return { statuses, source: 'engine' };
    } catch (err) {
      if (source === 'engine' || !/not implemented/i.test((err as Error).message)) throw err;
    }
  }
  return { statuses: await sqlStageStatuses(db, cohortIds, ukToday(now)), source: 'sql' };
}

function ukToday(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * One query: waived (a whole-stage waiver) › complete (a mentor's completion mark) › locked (window not yet
 * started, or an earlier stage not done) › in_progress (a mark-free stage with activity is not knowable here) › open.
 */
export async function sqlStageStatuses(db: Db, cohortIds: string[], today: string): Promise<StageStatusMap> {
  const list = await rows<{ cohort_id: string; candidate_id: string; stage_id: string; status: StageStatus }>(
    db,
    sql`
      with base as (
        select cm.cohort_id, cm.user_id as candidate_id, cs.id as stage_id, cs.position, cs.starts_on,
          (exists (select 1 from stage_waivers w where w.cohort_stage_id = cs.id and w.candidate_id = cm.user_id and w.scope = 'stage')) as waived,
          (exists (select 1 from stage_completion_marks m where m.cohort_stage_id = cs.id and m.candidate_id = cm.user_id)) as marked
        from cohort_members cm
        join cohort_stages cs on cs.cohort_id = cm.cohort_id
        where cm.role = 'candidate' and cm.cohort_id = any(${uuidArray(cohortIds)})
      ), ordered as (
        select *, bool_and(waived or marked) over (partition by cohort_id, candidate_id order by position rows between unbounded preceding and 1 preceding) as earlier_done
        from base
      )
      select cohort_id, candidate_id, stage_id,
        case when waived then 'waived'
             when marked then 'complete'
             when (starts_on is not null and starts_on > ${today}::date) or earlier_done = false then 'locked'
             else 'open' end as status
      from ordered`,
  );
  const out: StageStatusMap = new Map();
  for (const r of list) {
    let c = out.get(r.cohort_id);
    if (!c) out.set(r.cohort_id, (c = new Map()));
    let s = c.get(r.candidate_id);
    if (!s) c.set(r.candidate_id, (s = new Map()));
    s.set(r.stage_id, r.status);
  }
  return out;
}

/** When each stage was completed (mentor's mark) or waived, for the candidates of these cohorts. */
export async function loadStageDoneAt(db: Db, cohortIds: string[]): Promise<StageDoneAt> {
  const list = await rows<{ k: string; at: number }>(
    db,
    sql`
      select cs.id || ':' || x.candidate_id as k, ${epochMs(sql`min(x.at)`)} as at
      from cohort_stages cs
      join (
        select cohort_stage_id, candidate_id, created_at as at from stage_completion_marks
        union all
        select cohort_stage_id, candidate_id, created_at from stage_waivers where scope = 'stage'
      ) x on x.cohort_stage_id = cs.id
      where cs.cohort_id = any(${uuidArray(cohortIds)})
      group by cs.id, x.candidate_id`,
  );
  return new Map(list.map((r) => [r.k, Number(r.at)]));
}
