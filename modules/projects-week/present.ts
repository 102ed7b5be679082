/** What projects week's JSON shows: modules and assignments field by field (never a raw row), with `can` flags. */
import { can, presenter, type Actor, type CohortRow, type Evaluation } from '../../server/modules/kit';
import type { listAssignments } from './queries';

type Module = { id: string; position: number; title: string; summary: string | null; rubricKey: string };
type Assignment = { id: string; candidateId: string; moduleId: string; slotAt: Date | null; meetingUrl: string | null };
type Listed = Awaited<ReturnType<typeof listAssignments>>[number];

const moduleView = (m: Module) => ({ id: m.id, position: m.position, title: m.title, summary: m.summary, rubricKey: m.rubricKey });
const assignmentView = (a: Assignment) => ({ id: a.id, candidateId: a.candidateId, moduleId: a.moduleId, slotAt: a.slotAt, meetingUrl: a.meetingUrl });

/** One knowledge module. */
export const presentModule = presenter((m: Module) => ({ module: moduleView(m) }));
/** The modules just added. */
export const presentModules = presenter((ms: Module[]) => ({ modules: ms.map(moduleView) }));
/** One assignment, after it was made or its slot booked. */
export const presentAssignment = presenter((a: Assignment) => ({ assignment: assignmentView(a) }));

/** The whole stage as the caller may see it. */
export const presentProjectsWeek = presenter(
  (actor: Actor, cohort: CohortRow, stage: { id: string; title: string; startsOn: string | null; endsOn: string | null }, modules: Module[], assignments: Listed[], standing: Map<string, Evaluation>) => {
    const subject = { type: 'cohort' as const, cohort };
    return {
      stage: { id: stage.id, title: stage.title, startsOn: stage.startsOn, endsOn: stage.endsOn },
      modules: modules.map(moduleView),
      assignments: assignments.map((a) => ({
        id: a.id,
        candidateId: a.candidateId,
        candidateName: a.candidateName,
        moduleId: a.moduleId,
        title: a.title,
        slotAt: a.slotAt,
        meetingUrl: a.meetingUrl,
        state: a.state,
        assessment: a.assessment,
        assessLink: a.assessLink,
      })),
      standings: [...standing].map(([candidateId, evaluation]) => ({ candidateId, ...evaluation })),
      can: { manage: can(actor, 'projects-week:manage', subject), assess: can(actor, 'projects-week:assess', subject) },
    };
  },
);
