/** The records behind the exports and charts: every sign-off with its evidence, waivers, and chart series. */
import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { epochMs, rows } from './sql';

/** One piece of evidence cited by a sign-off request, as stored: a file, or a reference into a module's record. */
export type EvidenceItem = { fileName: string | null; mimeType: string | null; refType: string | null; refId: string | null; caption: string | null };

/** One sign-off request as an inspector reads it. */
export type SignoffRecord = {
  id: string;
  candidateId: string;
  candidateName: string;
  competencyCode: string;
  competencyName: string;
  safetyCritical: boolean;
  status: string;
  rating: number | null;
  /** The framework's rating scale, lowest first (a rating is an index into it). */
  ratingLevels: string[];
  submittedAt: number;
  signedAt: number | null;
  signedBy: string | null;
  countersignedBy: string | null;
  /** Every decision on the request, oldest first, with who took it (names) and when. */
  steps: SignoffStep[];
  evidence: EvidenceItem[];
};

/** One decision on a sign-off request as the report names it. */
export type SignoffStep = { kind: string; by: string; at: number };

/** Every sign-off request of a cohort, oldest first, with mentor names and the evidence each cites. */
export async function cohortSignoffs(db: Db, cohortId: string): Promise<SignoffRecord[]> {
  const list = await rows<{
    id: string; candidate_id: string; candidate_name: string; code: string; name: string; safety_critical: boolean; status: string; rating: number | null;
    levels: string[] | null; submitted: number; signed: number | null; signed_by: string | null; countersigned_by: string | null; steps: SignoffStep[] | null; evidence: EvidenceItem[] | null;
  }>(
    db,
    sql`select r.id, r.candidate_id, c.name as candidate_name, k.code, k.name, k.safety_critical, r.status, r.rating, fw.rating_scale -> 'levels' as levels,
          ${epochMs(sql`r.submitted_at`)} as submitted, ${epochMs(sql`r.signed_at`)} as signed,
          s.name as signed_by, cs.name as countersigned_by,
          (select json_agg(json_build_object('kind', d.kind, 'by', du.name, 'at', ${epochMs(sql`d.created_at`)}) order by d.created_at, d.id)
             from signoff_decisions d join users du on du.id = d.actor_id where d.request_id = r.id) as steps,
          (select json_agg(json_build_object('fileName', f.display_name, 'mimeType', f.mime_type, 'refType', e.ref_type, 'refId', e.ref_id, 'caption', nullif(e.caption, '')) order by e.created_at, e.id)
             from signoff_evidence e left join files f on f.id = e.file_id where e.request_id = r.id) as evidence
        from signoff_requests r
        join users c on c.id = r.candidate_id
        join competencies k on k.id = r.competency_id
        join competency_frameworks fw on fw.id = k.framework_id
        left join users s on s.id = r.signed_by
        left join users cs on cs.id = r.countersigned_by
        where r.cohort_id = ${cohortId}::uuid
        order by r.submitted_at, r.id`,
  );
  return list.map((r) => ({
    id: r.id,
    candidateId: r.candidate_id,
    candidateName: r.candidate_name,
    competencyCode: r.code,
    competencyName: r.name,
    safetyCritical: r.safety_critical,
    status: r.status,
    rating: r.rating,
    ratingLevels: Array.isArray(r.levels) ? r.levels.map(String) : [],
    submittedAt: Number(r.submitted),
    signedAt: r.signed === null ? null : Number(r.signed),
    signedBy: r.signed_by,
    countersignedBy: r.countersigned_by,
    steps: (r.steps ?? []).map((d) => ({ kind: d.kind, by: d.by, at: Number(d.at) })),
    evidence: r.evidence ?? [],
  }));
}

/** One waiver, with the mentor's reason, and the withdrawal when it was withdrawn. */
export type WaiverRecord = {
  candidateId: string;
  candidateName: string;
  stageTitle: string;
  scope: string;
  requirementKey: string | null;
  reason: string;
  mentorName: string;
  at: number;
  withdrawal: { by: string; at: number; reason: string } | null;
};

/** Every waiver granted in a cohort, oldest first (withdrawn ones too, with who withdrew them and why). */
export async function cohortWaivers(db: Db, cohortId: string): Promise<WaiverRecord[]> {
  const list = await rows<{ candidate_id: string; candidate: string; stage: string; scope: string; requirement_key: string | null; reason: string; mentor: string; at: number; withdrawn_by: string | null; withdrawn_at: number | null; withdrawal_reason: string | null }>(
    db,
    sql`select w.candidate_id, c.name as candidate, s.title as stage, w.scope, w.requirement_key, w.reason, m.name as mentor, ${epochMs(sql`w.created_at`)} as at,
          x.name as withdrawn_by, ${epochMs(sql`w.withdrawn_at`)} as withdrawn_at, w.withdrawal_reason
        from stage_waivers w join cohort_stages s on s.id = w.cohort_stage_id
        join users c on c.id = w.candidate_id join users m on m.id = w.mentor_id left join users x on x.id = w.withdrawn_by
        where s.cohort_id = ${cohortId}::uuid order by w.created_at`,
  );
  return list.map((r) => ({
    candidateId: r.candidate_id,
    candidateName: r.candidate,
    stageTitle: r.stage,
    scope: r.scope,
    requirementKey: r.requirement_key,
    reason: r.reason,
    mentorName: r.mentor,
    at: Number(r.at),
    withdrawal: r.withdrawn_at === null ? null : { by: r.withdrawn_by ?? 'a mentor', at: Number(r.withdrawn_at), reason: r.withdrawal_reason ?? '' },
  }));
}

/** The cohort's average level per rubric criterion (latest mentor assessment of each candidate), 1 = lowest level. */
export type CriterionScore = { rubric: string; criterion: string; mustPass: boolean; average: number; levels: number; assessed: number };

/** Rubric scores per criterion across the cohort. */
export async function scoresPerCriterion(db: Db, cohortId: string): Promise<CriterionScore[]> {
  const list = await rows<{ rubric: string; criterion: string; must_pass: boolean; average: number; levels: number; assessed: number }>(
    db,
    sql`with latest as (
          select distinct on (candidate_id, rubric_id) id, rubric_id from assessments
          where cohort_id = ${cohortId}::uuid and kind = 'mentor' order by candidate_id, rubric_id, created_at desc)
        select r.name as rubric, c.title as criterion, c.must_pass, round(avg(s.level_position - coalesce((select min(l.position) from rubric_levels l where l.rubric_id = r.id), 0) + 1)::numeric, 2)::float8 as average,
          (select count(*)::int from rubric_levels l where l.rubric_id = r.id) as levels, count(*)::int as assessed
        from latest a join assessment_scores s on s.assessment_id = a.id
        join rubric_criteria c on c.id = s.criterion_id join rubrics r on r.id = a.rubric_id
        group by r.id, r.name, c.id, c.title, c.must_pass, c.position order by r.name, c.position`,
  );
  return list.map((r) => ({ rubric: r.rubric, criterion: r.criterion, mustPass: r.must_pass, average: Number(r.average), levels: Number(r.levels), assessed: Number(r.assessed) }));
}
