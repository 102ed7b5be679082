/** Each candidate's stage statuses for many cohorts at once: from the progression engine; the bench can compare a
 * records-only approximation (completion marks, waivers and stage windows, one set-based query). */
import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { computeProgress, type ProgressContext } from '../progression/engine';
import type { StageStatus } from '../progression/types';
import { rows, uuidArray } from './sql';

/** cohort id → candidate id → stage id → status. */
export type StageStatusMap = Map<string, Map<string, Map<string, StageStatus>>>;

/** Where the statuses came from (the bench says so). */
export type StageSource = 'engine' | 'sql';

/** A completion mark or waiver of one stage for one candidate. */
export type StageRecord = { stageId: string; kind: 'mark' | 'waiver' | 'requirement_waiver'; at: number };

/** Each candidate's marks and waivers, keyed by "cohortId:candidateId". */
export type StageRecords = Map<string, StageRecord[]>;

/** Statuses from the engine's `computeProgress` (the one source of the rules); null only when asked for 'sql' (the bench's comparison). */
export async function engineStageStatuses(ctx: ProgressContext, cohortIds: string[], now: Date, source: StageSource | 'auto' = 'auto'): Promise<StageStatusMap | null> {
  if (source === 'sql') return null;
  const progress = await computeProgress(ctx, { cohortIds, now });
  const statuses: StageStatusMap = new Map();
  for (const [cohortId, byCandidate] of progress) {
    const c = new Map<string, Map<string, StageStatus>>();
    for (const [candidateId, stages] of byCandidate) c.set(candidateId, new Map(stages.map((s) => [s.stageId, s.status])));
    statuses.set(cohortId, c);
  }
  return statuses;
}

/** Every completion mark and waiver in these cohorts (one query, one row per candidate: moving fewer rows is far faster on PGlite). */
export async function loadStageRecords(db: Db, cohortIds: string[]): Promise<StageRecords> {
  const list = await rows<{ cohort_id: string; candidate_id: string; items: string }>(
    db,
    sql`select s.cohort_id, x.candidate_id, string_agg(s.id::text || ':' || x.kind || ':' || (extract(epoch from x.at) * 1000)::bigint, ',') as items
        from cohort_stages s join (
          select cohort_stage_id, candidate_id, 'mark' as kind, created_at as at from stage_completion_marks
          union all
          select cohort_stage_id, candidate_id, case when scope = 'stage' then 'waiver' else 'requirement_waiver' end, created_at from stage_waivers where withdrawn_at is null
        ) x on x.cohort_stage_id = s.id
        where s.cohort_id = any(${uuidArray(cohortIds)})
        group by s.cohort_id, x.candidate_id`,
  );
  const out: StageRecords = new Map();
  for (const r of list) {
    out.set(
      `${r.cohort_id}:${r.candidate_id}`,
      r.items.split(',').map((item) => {
        const [stageId, kind, at] = item.split(':');
        return { stageId, kind: kind as StageRecord['kind'], at: Number(at) };
      }),
    );
  }
  return out;
}

/**
 * Statuses without the engine: waived (a whole-stage waiver) › complete (a mentor's completion mark) › locked
 * (window not yet started, or an earlier stage not done) › open. Pure: from the records already loaded.
 */
export function statusesFromRecords(
  stagesByCohort: Map<string, { id: string; startsOn: string | null }[]>,
  candidatesByCohort: Map<string, string[]>,
  records: StageRecords,
  today: string,
): StageStatusMap {
  const out: StageStatusMap = new Map();
  for (const [cohortId, candidates] of candidatesByCohort) {
    const stages = stagesByCohort.get(cohortId) ?? [];
    const byCandidate = new Map<string, Map<string, StageStatus>>();
    for (const candidateId of candidates) {
      const done = new Map<string, 'waived' | 'complete'>();
      for (const r of records.get(`${cohortId}:${candidateId}`) ?? []) {
        if (r.kind === 'waiver') done.set(r.stageId, 'waived');
        else if (r.kind === 'mark' && !done.has(r.stageId)) done.set(r.stageId, 'complete');
      }
      const m = new Map<string, StageStatus>();
      let earlierDone = true;
      for (const s of stages) {
        const d = done.get(s.id);
        m.set(s.id, d ?? ((s.startsOn && s.startsOn > today) || !earlierDone ? 'locked' : 'open'));
        if (!d) earlierDone = false;
      }
      byCandidate.set(candidateId, m);
    }
    out.set(cohortId, byCandidate);
  }
  return out;
}
