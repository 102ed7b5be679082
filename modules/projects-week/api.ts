/** Projects-week JSON API: modules, assignments and delivery slots. */
import type { Request } from 'express';
import { authorize, can, cohortPeople, parse, pathId, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { assignmentInput, moduleInput, slotInput } from './inputs';
import { addModule, addStandardModules, assignModule, scheduleSlot } from './commands';
import { listAssignments, listModules, standings } from './queries';

const tags = ['projects-week'];

/** Mounts the projects-week API. */
export function projectsWeekApi(r: CadreRouter, rt: StageRuntime): void {
  const { db } = rt;

  const context = (req: Request) => rt.stage.context(req);

  r.get('/', { summary: 'Projects week: modules, assignments with their latest assessment, and standings (a candidate sees their own)', tags }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const seeAll = can(actor, 'projects-week:see-all', { type: 'cohort', cohort });
    const assignments = await listAssignments(db, stage, seeAll ? undefined : [actor.id]);
    const ids = seeAll ? (await cohortPeople(db, cohort.id, 'candidate')).map((p) => p.userId) : [actor.id];
    const standing = await standings(db, stage, ids);
    res.json({
      stage: { id: stage.id, title: stage.title, startsOn: stage.startsOn, endsOn: stage.endsOn },
      modules: await listModules(db, stage.id),
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
    });
  });

  r.post('/modules', { summary: 'Add a knowledge module to this projects week', tags, body: moduleInput, success: { status: 201, description: 'The module' } }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'projects-week:manage', { type: 'cohort', cohort });
    res.status(201).json({ module: await addModule(rt, actor.id, stage, parse(moduleInput, req.body, 'module')) });
  });

  r.post('/modules/standard', { summary: 'Add the five standard knowledge modules (to a projects week with none)', tags, success: { status: 201, description: 'The modules' } }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'projects-week:manage', { type: 'cohort', cohort });
    res.status(201).json({ modules: await addStandardModules(rt, actor.id, stage) });
  });

  r.post('/assignments', { summary: 'Assign a knowledge module to a candidate, optionally with a slot and meeting link', tags, body: assignmentInput, success: { status: 201, description: 'The assignment' } }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'projects-week:manage', { type: 'cohort', cohort });
    res.status(201).json({ assignment: await assignModule(rt, actor.id, stage, parse(assignmentInput, req.body, 'assignment')) });
  });

  r.put('/assignments/:assignmentId/slot', { summary: 'Book or move the slot in which the candidate delivers the module', tags, body: slotInput }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'projects-week:manage', { type: 'cohort', cohort });
    const assignmentId = pathId(req.params.assignmentId, 'That module assignment');
    res.json({ assignment: await scheduleSlot(rt, actor.id, stage, assignmentId, parse(slotInput, req.body, 'slot')) });
  });
}
