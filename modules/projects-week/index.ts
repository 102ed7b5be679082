/** Projects week: candidates deliver assigned knowledge modules remotely and are assessed by a mentor with a rubric. */
import path from 'node:path';
import { projectsWeekContexts } from './contexts';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { assessments, batchActivity, defineCapabilities, defineStage } from '../../server/modules/kit';
import { projectsWeekAssignments, projectsWeekModules } from './schema';
import * as schema from './schema';
import { modulesPassedKind } from './kinds';
import { projectsWeekPages } from './pages';
import { projectsWeekApi } from './api';
import { seedProjectsWeek } from './seed';

/** Who in a cohort holds each of this module's capabilities. */
const capabilities = defineCapabilities('projects-week', {
    'projects-week:view': ['admin', 'lead', 'mentor', 'candidate', 'observer'],
    'projects-week:see-all': ['admin', 'lead', 'mentor'],
    'projects-week:manage': ['admin', 'mentor'],
    'projects-week:assess': ['mentor'],
    'projects-week:deliver': ['candidate'],
});

declare module '../../server/modules/kit' {
  /** This module's capabilities, for the type-check of every `authorize`/`can`. */
  interface ModuleCapabilities extends Record<keyof typeof capabilities, true> {}
}

export default defineStage({
  key: 'projects-week',
  title: 'Projects week',
  summary: 'Candidates deliver the knowledge modules (law, duty of care, guidance, risks of restraint, post-incident support) remotely and are assessed by a mentor.',
  requires: [],
  capabilities,
  requirementKinds: { 'projects-week:modules-passed': modulesPassedKind },
  defaults: {
    config: {},
    open: [{ kind: 'previous-stage-complete', params: {} }],
    complete: [{ kind: 'projects-week:modules-passed', params: {} }],
  },
  routes: projectsWeekPages,
  api: projectsWeekApi,
  views: path.join(__dirname, 'views'),
  programme: { order: 4, startDay: 42, endDay: 46 },
  schema,
  assessmentContexts: projectsWeekContexts,
  migrations: path.join(__dirname, 'migrations'),
  // Anyone with an assessed assignment in the stage (every stage asked in one query).
  activity: batchActivity((db, stageIds, candidateIds) =>
    db
      .selectDistinct({ stageId: projectsWeekAssignments.cohortStageId, candidateId: projectsWeekAssignments.candidateId })
      .from(projectsWeekAssignments)
      .innerJoin(assessments, and(eq(assessments.contextType, 'module'), sql`${assessments.contextId} = ${projectsWeekAssignments.id}::text`))
      .where(and(inArray(projectsWeekAssignments.cohortStageId, stageIds), inArray(projectsWeekAssignments.candidateId, candidateIds))),
  ),
  // The knowledge modules, as the trainers taught them in projects week.
  async curriculum(db, stages) {
    const rows = await db.select({ title: projectsWeekModules.title }).from(projectsWeekModules).where(inArray(projectsWeekModules.cohortStageId, stages.map((s) => s.id))).orderBy(asc(projectsWeekModules.position));
    return rows.map((r) => ({ kind: 'knowledge' as const, title: r.title }));
  },
  seed: seedProjectsWeek,
});
