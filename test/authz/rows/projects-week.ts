/** Matrix rows for the projects-week stage module. */
import { projectsWeekAssignments, projectsWeekModules } from '../../../modules/projects-week/schema';
import type { AuthzRows, RowContext } from '../support';
import { adminMentor, alreadyThere, everyone, otherTenant, stageId } from './stage-support';

const P = '/cohorts/:cohortId/stages/projects-week';
const A = '/api/v1/cohorts/:cohortId/stages/projects-week';
const cohort = (c: RowContext) => ({ cohortId: c.tenant.cohort.id });

const freshModule = async (c: RowContext) =>
  (await c.db.insert(projectsWeekModules).values({ cohortStageId: await stageId(c, 'projects-week'), position: 100, title: `Module ${c.uniq()}` }).returning())[0];
const assignment = (c: RowContext) =>
  c.memo('pw-assignment', async () => {
    const mod = await freshModule(c);
    return (await c.db.insert(projectsWeekAssignments).values({ cohortStageId: mod.cohortStageId, moduleId: mod.id, candidateId: c.tenant.candidate.id, assignedBy: c.tenant.mentor.id }).returning())[0];
  });
const withAssignment = async (c: RowContext) => ({ ...cohort(c), assignmentId: (await assignment(c)).id });
const newAssignment = async (c: RowContext) => ({ candidateId: c.tenant.candidate.id, moduleId: (await freshModule(c)).id });

export const rows: AuthzRows = {
  [`GET ${P}`]: { params: cohort, own: everyone, other: otherTenant },
  [`POST ${P}/modules`]: { params: cohort, body: (c) => ({ title: `Module ${c.uniq()}` }), own: adminMentor, other: otherTenant },
  // The stage already has its knowledge modules: authorised, then exactly the 409 that says so.
  [`POST ${P}/modules/standard`]: { params: cohort, own: alreadyThere, other: { ...otherTenant, admin: 409 } },
  [`POST ${P}/assignments`]: { params: cohort, body: newAssignment, own: adminMentor, other: otherTenant },
  [`POST ${P}/assignments/:assignmentId/slot`]: { params: withAssignment, body: () => ({ slotAt: '2026-07-01T10:00', meetingUrl: 'https://meet.example.org/x' }), own: adminMentor, other: otherTenant },
  [`GET ${A}`]: { params: cohort, own: everyone, other: otherTenant },
  [`POST ${A}/modules`]: { params: cohort, body: (c) => ({ title: `Module ${c.uniq()}` }), own: adminMentor, other: otherTenant },
  [`POST ${A}/modules/standard`]: { params: cohort, body: () => ({}), own: alreadyThere, other: { ...otherTenant, admin: 409 } },
  [`POST ${A}/assignments`]: { params: cohort, body: newAssignment, own: adminMentor, other: otherTenant },
  [`PUT ${A}/assignments/:assignmentId/slot`]: { params: withAssignment, body: () => ({ slotAt: '2026-07-01T09:00:00Z' }), own: adminMentor, other: otherTenant },
};
