/** Reads for rubrics: a rubric with its grid, a candidate's assessments side by side, and the progression helper. */
import { and, asc, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { assessments, assessmentScores, rubricCriteria, rubricDescriptors, rubricLevels, rubrics, users, type AssessmentKind } from '../db/tables';
import { NotFoundError } from '../errors';
import { id as uuidSchema } from '../http/validate';
import { rows } from '../readiness/sql';
import { agreement, selfVersusMentors } from './score';

/** A rubric with its ordered levels and criteria; each criterion's descriptors follow the level order. */
export type RubricGrid = Awaited<ReturnType<typeof loadRubric>>;

/** Loads a rubric by key or id (archived ones too, so old assessments still show), or 404. */
export async function loadRubric(db: Db, keyOrId: string) {
  const byId = uuidSchema.safeParse(keyOrId).success;
  const [rubric] = await db
    .select()
    .from(rubrics)
    .where(byId ? or(eq(rubrics.id, keyOrId), eq(rubrics.key, keyOrId)) : eq(rubrics.key, keyOrId))
    .orderBy(desc(rubrics.createdAt))
    .limit(1);
  if (!rubric) throw new NotFoundError('That rubric');
  const [levels, criteria] = await Promise.all([
    db.select().from(rubricLevels).where(eq(rubricLevels.rubricId, rubric.id)).orderBy(asc(rubricLevels.position)),
    db.select().from(rubricCriteria).where(eq(rubricCriteria.rubricId, rubric.id)).orderBy(asc(rubricCriteria.position)),
  ]);
  const descriptors = criteria.length ? await db.select().from(rubricDescriptors).where(inArray(rubricDescriptors.criterionId, criteria.map((c) => c.id))) : [];
  const text = new Map(descriptors.map((d) => [`${d.criterionId}|${d.levelId}`, d.text]));
  return {
    ...rubric,
    levels,
    criteria: criteria.map((c) => ({ ...c, descriptors: levels.map((l) => ({ levelId: l.id, position: l.position, label: l.label, text: text.get(`${c.id}|${l.id}`) ?? '' })) })),
  };
}

/** Rubrics in use (not archived), each at its current version, by name. */
export async function listRubrics(db: Db) {
  return db.select().from(rubrics).where(and(isNull(rubrics.archivedAt), isNull(rubrics.supersededAt))).orderBy(asc(rubrics.name));
}

/** Whom a new version of `rubric` affects in each running cohort (not ended) that gates on its key or has been
 * assessed with it: candidates already assessed keep the version they were scored against; the rest will be
 * scored against the new version. Names only, by cohort. */
export async function rubricVersionImpact(db: Db, rubric: { key: string | null; id: string }) {
  const key = rubric.key;
  const gate = key ? JSON.stringify([{ kind: 'rubric-passed', params: { rubric: key } }]) : null;
  const list = await rows<{ cohort_id: string; cohort_name: string; candidate: string; versions: string | null }>(db, sql`
    with versions as (select id, version from rubrics where ${key ? sql`key = ${key}` : sql`id = ${rubric.id}::uuid`}),
    touched as (
      select distinct c.id, c.name from cohorts c
      where (c.ends_on is null or c.ends_on >= current_date) and (
        exists (select 1 from assessments a where a.cohort_id = c.id and a.rubric_id in (select id from versions))
        ${gate ? sql`or exists (select 1 from cohort_stages s where s.cohort_id = c.id and (s.complete_requirements @> ${gate}::jsonb or s.open_requirements @> ${gate}::jsonb))` : sql``}))
    select t.id as cohort_id, t.name as cohort_name, u.name as candidate,
      (select string_agg(distinct v.version::text, ',') from assessments a join versions v on v.id = a.rubric_id
        where a.cohort_id = t.id and a.candidate_id = u.id and a.kind = 'mentor') as versions
    from touched t join cohort_members m on m.cohort_id = t.id and m.role = 'candidate' join users u on u.id = m.user_id
    order by t.name, u.name`);
  const out = new Map<string, { cohortName: string; assessed: { name: string; versions: string }[]; notYet: string[] }>();
  for (const r of list) {
    const entry = out.get(r.cohort_id) ?? { cohortName: r.cohort_name, assessed: [], notYet: [] };
    if (r.versions) entry.assessed.push({ name: r.candidate, versions: r.versions.split(',').map((v) => `version ${v}`).join(' and ') });
    else entry.notYet.push(r.candidate);
    out.set(r.cohort_id, entry);
  }
  return [...out.values()];
}

/** A candidate's assessments grouped by (rubric, context), each group side by side with the assessors' agreement. */
export async function candidateAssessments(db: Db, cohortId: string, candidateId: string, rubricId?: string) {
  const rows = await db
    .select({ a: assessments, assessorName: users.name, rubricName: rubrics.name, rubricKey: rubrics.key })
    .from(assessments)
    .innerJoin(users, eq(users.id, assessments.assessorId))
    .innerJoin(rubrics, eq(rubrics.id, assessments.rubricId))
    .where(and(eq(assessments.cohortId, cohortId), eq(assessments.candidateId, candidateId), rubricId ? eq(assessments.rubricId, rubricId) : undefined))
    .orderBy(asc(assessments.createdAt));
  if (!rows.length) return [];
  const scores = await db.select().from(assessmentScores).where(inArray(assessmentScores.assessmentId, rows.map((r) => r.a.id)));
  const grids = new Map<string, RubricGrid>();
  for (const id of new Set(rows.map((r) => r.a.rubricId))) grids.set(id, await loadRubric(db, id));
  const groups = new Map<string, typeof rows>();
  for (const r of rows) {
    const k = `${r.a.rubricId}|${r.a.contextType}|${r.a.contextId}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((list) => {
    const grid = grids.get(list[0].a.rubricId)!;
    const levelsOf = (assessmentId: string) => Object.fromEntries(scores.filter((s) => s.assessmentId === assessmentId).map((s) => [s.criterionId, s.levelPosition]));
    const columns = list.map((r) => ({
      id: r.a.id,
      kind: r.a.kind,
      assessorId: r.a.assessorId,
      assessorName: r.assessorName,
      percent: r.a.percent,
      passed: r.a.passed,
      mustPassFailed: r.a.mustPassFailed,
      comment: r.a.comment,
      createdAt: r.a.createdAt,
      levels: levelsOf(r.a.id),
    }));
    const criterionIds = grid.criteria.map((c) => c.id);
    // Every mentor's view counts once (their latest), and the candidate's latest self-assessment is set against each.
    const latestBy = new Map<string, (typeof columns)[number]>();
    for (const c of columns) if (c.kind !== 'self') latestBy.set(c.assessorId, c);
    const staff = [...latestBy.values()];
    const self = columns.filter((c) => c.kind === 'self').at(-1);
    return {
      rubric: { id: grid.id, key: grid.key, name: grid.name, passThreshold: grid.passThreshold },
      contextType: list[0].a.contextType,
      contextId: list[0].a.contextId,
      cohortStageId: list[0].a.cohortStageId,
      assessments: columns,
      rows: grid.criteria.map((c) => ({
        criterionId: c.id,
        title: c.title,
        mustPass: c.mustPass,
        cells: columns.map((col) => {
          const pos = col.levels[c.id];
          const score = scores.find((s) => s.assessmentId === col.id && s.criterionId === c.id);
          return { level: pos, label: grid.levels.find((l) => l.position === pos)?.label ?? '—', comment: score?.comment ?? null, belowPass: c.mustPass && pos < c.passLevel };
        }),
      })),
      agreement: agreement(staff.map((c) => c.levels), criterionIds),
      selfAgreement: selfVersusMentors(self?.levels, staff.map((c) => ({ name: c.assessorName, levels: c.levels })), criterionIds),
    };
  });
}

/** A candidate's best assessment against one rubric. */
export type BestAssessment = { assessmentId: string; rubricId: string; percent: number; passed: boolean; mustPassFailed: boolean; passThreshold: number; createdAt: Date };

/**
 * For many (cohort, candidates) items at once: cohort id → candidate id → rubric (as asked: key or id) → the best
 * assessment (a pass first, then the highest percent). Only `kinds` count (default: mentors' assessments).
 * Two queries whatever the number of items. Candidates with no assessment have no entry for that rubric.
 */
export async function bestAssessments(
  db: Db,
  items: { cohortId: string; candidateIds: string[] }[],
  rubricKeysOrIds: string[],
  options: { kinds?: AssessmentKind[]; cohortStageIds?: string[] } = {},
): Promise<Map<string, Map<string, Map<string, BestAssessment>>>> {
  const out = new Map<string, Map<string, Map<string, BestAssessment>>>();
  for (const item of items) {
    const m = out.get(item.cohortId) ?? new Map<string, Map<string, BestAssessment>>();
    for (const c of item.candidateIds) if (!m.has(c)) m.set(c, new Map());
    out.set(item.cohortId, m);
  }
  const cohortIds = [...out.keys()];
  const candidateIds = [...new Set(items.flatMap((i) => i.candidateIds))];
  if (!cohortIds.length || !candidateIds.length || !rubricKeysOrIds.length) return out;
  const ids = rubricKeysOrIds.filter((x) => uuidSchema.safeParse(x).success);
  const found = await db
    .select({ id: rubrics.id, key: rubrics.key, passThreshold: rubrics.passThreshold })
    .from(rubrics)
    .where(ids.length ? or(inArray(rubrics.key, rubricKeysOrIds), inArray(rubrics.id, ids)) : inArray(rubrics.key, rubricKeysOrIds));
  const askedAs = new Map<string, string[]>();
  for (const r of found) askedAs.set(r.id, rubricKeysOrIds.filter((x) => x === r.id || x === r.key));
  if (!found.length) return out;
  const rows = await db
    .select({ id: assessments.id, cohortId: assessments.cohortId, candidateId: assessments.candidateId, rubricId: assessments.rubricId, percent: assessments.percent, passed: assessments.passed, mustPassFailed: assessments.mustPassFailed, createdAt: assessments.createdAt })
    .from(assessments)
    .where(
      and(
        inArray(assessments.rubricId, found.map((r) => r.id)),
        inArray(assessments.cohortId, cohortIds),
        inArray(assessments.candidateId, candidateIds),
        inArray(assessments.kind, options.kinds ?? ['mentor']),
        options.cohortStageIds ? inArray(assessments.cohortStageId, options.cohortStageIds.length ? options.cohortStageIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
      ),
    )
    .orderBy(desc(assessments.passed), desc(assessments.percent), asc(assessments.createdAt));
  const threshold = new Map(found.map((r) => [r.id, r.passThreshold]));
  for (const r of rows) {
    const perRubric = out.get(r.cohortId)?.get(r.candidateId);
    if (!perRubric) continue;
    for (const name of askedAs.get(r.rubricId) ?? []) {
      if (!perRubric.has(name)) perRubric.set(name, { assessmentId: r.id, rubricId: r.rubricId, percent: r.percent, passed: r.passed, mustPassFailed: r.mustPassFailed, passThreshold: threshold.get(r.rubricId) ?? 0, createdAt: r.createdAt });
    }
  }
  return out;
}
