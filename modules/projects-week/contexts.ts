/** The knowledge modules a candidate can be assessed on: their assignments in the cohort's projects-week stages. */
import { and, asc, eq } from 'drizzle-orm';
import { cohortStages, dateFormat, getCohort, type AssessmentContextsHook } from '../../server/modules/kit';
import { projectsWeekAssignments, projectsWeekModules } from './schema';

const slotFormat = (zone: string) => dateFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone });

/** Each assignment as "Knowledge module: Duty of care — 18 Nov, 10:00" (the assessment's context id is the assignment's). */
export const projectsWeekContexts: AssessmentContextsHook = async (db, { cohortId, candidateId }) => {
  const rows = await db
    .select({ id: projectsWeekAssignments.id, stageId: projectsWeekAssignments.cohortStageId, title: projectsWeekModules.title, slotAt: projectsWeekAssignments.slotAt })
    .from(projectsWeekAssignments)
    .innerJoin(projectsWeekModules, eq(projectsWeekModules.id, projectsWeekAssignments.moduleId))
    .innerJoin(cohortStages, eq(cohortStages.id, projectsWeekAssignments.cohortStageId))
    .where(and(eq(cohortStages.cohortId, cohortId), eq(projectsWeekAssignments.candidateId, candidateId)))
    .orderBy(asc(projectsWeekModules.position));
  // In the cohort's organisation's time zone (the cohort row is cached while its version holds).
  const zone = (await getCohort(db, cohortId)).timeZone;
  return rows.map((r) => ({ type: 'module' as const, id: r.id, cohortStageId: r.stageId, label: `Knowledge module: ${r.title}${r.slotAt ? ` — ${slotFormat(zone).format(r.slotAt)}` : ''}` }));
};
