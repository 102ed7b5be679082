/** Reads for the projects-week pages and API. */
import { asc, eq } from 'drizzle-orm';
import { cohortPeople, type Db, type StageRow } from '../../server/modules/kit';
import { projectsWeekModules } from './schema';
import { assignmentResults, assignmentState, modulesPassedKind } from './kinds';
import { toLocalSlot } from './inputs';

/** The stage's knowledge modules in order. */
export async function listModules(db: Db, stageId: string) {
  return db.select().from(projectsWeekModules).where(eq(projectsWeekModules.cohortStageId, stageId)).orderBy(asc(projectsWeekModules.position));
}

/** The scoring page for an assignment (built by the rubrics feature). */
export function assessLink(cohortId: string, a: { id: string; stageId: string; candidateId: string; rubricKey: string }): string {
  return `/cohorts/${cohortId}/candidates/${a.candidateId}/assess/${a.rubricKey}?contextType=module&contextId=${a.id}&cohortStageId=${a.stageId}`;
}

/** Assignments for the given candidates (all of the cohort's when omitted), each with its state and links; `zone` is
 * the cohort's organisation's (a slot's form value is in it). */
export async function listAssignments(db: Db, stage: StageRow, zone: string, candidateIds?: string[]) {
  const people = await cohortPeople(db, stage.cohortId, 'candidate');
  const nameOf = new Map(people.map((p) => [p.userId, p.name]));
  const ids = candidateIds ?? people.map((p) => p.userId);
  const rows = await assignmentResults(db, [stage.id], ids);
  return rows.map((r) => ({
    ...r,
    candidateName: nameOf.get(r.candidateId) ?? '',
    slotLocal: toLocalSlot(r.slotAt, zone),
    ...assignmentState(r),
    assessLink: assessLink(stage.cohortId, r),
  }));
}

/** Each candidate's modules-passed requirement, as the candidate reads it. */
export async function standings(db: Db, stage: StageRow, candidateIds: string[], now = new Date()) {
  const result = await modulesPassedKind.evaluate({ db, now, items: [{ stage, stages: [stage], candidateIds, params: {} }], earlier: new Map() });
  return result.get(stage.id) ?? new Map();
}
