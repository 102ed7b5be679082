/** Reads for the remedial workshop: topics, the checklist with who ticked, sign-offs and standings. */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { cohorts, competencies, users, type Db, type Evaluation, type StageRow } from '../../server/modules/kit';
import { remedialWorkshopChecklist, remedialWorkshopSignoffs, remedialWorkshopTopics } from './schema';
import { checklistOf } from './checklist';
import { readinessSignedKind, topicsCoveredKind } from './kinds';

/** Requested topics (one candidate's or everyone's), oldest first. */
export async function listTopics(db: Db, stageId: string, candidateIds?: string[]) {
  return db
    .select()
    .from(remedialWorkshopTopics)
    .where(candidateIds ? and(eq(remedialWorkshopTopics.cohortStageId, stageId), inArray(remedialWorkshopTopics.candidateId, candidateIds.length ? candidateIds : ['00000000-0000-0000-0000-000000000000'])) : eq(remedialWorkshopTopics.cohortStageId, stageId))
    .orderBy(asc(remedialWorkshopTopics.createdAt));
}

/** The checklist items with each column's tick: who and when. */
export async function checklistRows(db: Db, stage: StageRow) {
  const rows = await db.select().from(remedialWorkshopChecklist).where(eq(remedialWorkshopChecklist.cohortStageId, stage.id));
  const ids = [...new Set(rows.flatMap((r) => [r.leadBy, r.mentorBy]).filter((x): x is string => !!x))];
  const names = ids.length ? await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids)) : [];
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  return checklistOf(stage).map((item) => {
    const r = rows.find((x) => x.itemKey === item.key);
    return {
      ...item,
      lead: r?.leadAt ? { by: r.leadBy, name: nameOf.get(r.leadBy ?? '') ?? '', at: r.leadAt } : null,
      mentor: r?.mentorAt ? { by: r.mentorBy, name: nameOf.get(r.mentorBy ?? '') ?? '', at: r.mentorAt } : null,
    };
  });
}

/** Readiness sign-offs of the stage, with the mentor's name and any override reason. */
export async function listSignoffs(db: Db, stageId: string) {
  return db
    .select({ candidateId: remedialWorkshopSignoffs.candidateId, mentorName: users.name, note: remedialWorkshopSignoffs.note, overrideReason: remedialWorkshopSignoffs.overrideReason, at: remedialWorkshopSignoffs.createdAt })
    .from(remedialWorkshopSignoffs)
    .innerJoin(users, eq(users.id, remedialWorkshopSignoffs.mentorId))
    .where(eq(remedialWorkshopSignoffs.cohortStageId, stageId));
}

/** The competencies a candidate may link a topic to (the cohort's framework). */
export async function competencyChoices(db: Db, cohortId: string) {
  const [cohort] = await db.select({ frameworkId: cohorts.frameworkId }).from(cohorts).where(eq(cohorts.id, cohortId));
  if (!cohort?.frameworkId) return [];
  return db.select({ code: competencies.code, name: competencies.name }).from(competencies).where(eq(competencies.frameworkId, cohort.frameworkId)).orderBy(asc(competencies.position));
}

/** Each candidate's two completion requirements, as the candidate reads them. */
export async function standings(db: Db, stage: StageRow, candidateIds: string[], now = new Date()) {
  const item = [{ stage, stages: [stage], candidateIds, params: {} }];
  const [topics, readiness] = await Promise.all([
    topicsCoveredKind.evaluate({ db, now, items: item, earlier: new Map() }),
    readinessSignedKind.evaluate({ db, now, items: item, earlier: new Map() }),
  ]);
  const out = new Map<string, { topics: Evaluation; readiness: Evaluation }>();
  for (const c of candidateIds) out.set(c, { topics: topics.get(stage.id)!.get(c)!, readiness: readiness.get(stage.id)!.get(c)! });
  return out;
}
