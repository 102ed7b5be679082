/** Projects-week pages: candidates see their modules and slots; mentors add modules, assign, book slots and assess. */
import type { Request, Response } from 'express';
import { authorize, can, cohortPeople, formAction, formBody, parse, pathId, type AppError, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { assignmentForm, moduleInput, slotForm } from './inputs';
import { addModule, addStandardModules, assignModule, scheduleSlot } from './commands';
import { listAssignments, listModules, standings } from './queries';

/** Mounts the projects-week pages. */
export function projectsWeekPages(r: CadreRouter, rt: StageRuntime): void {
  const { db } = rt;
  const KEY = rt.stage.key;
  const base = (cohortId: string) => `/cohorts/${cohortId}/stages/${KEY}`;

  const context = (req: Request) => rt.stage.context(req);

  async function render(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const { actor, cohort, stage } = await context(req);
    const subject = { type: 'cohort' as const, cohort };
    const flags = {
      manage: can(actor, 'projects-week:manage', subject),
      assess: can(actor, 'projects-week:assess', subject),
      seeAll: can(actor, 'projects-week:see-all', subject),
      mine: can(actor, 'projects-week:deliver', { type: 'candidate', cohort, candidateId: actor.id }),
    };
    const modules = await listModules(db, stage.id);
    let mine: Record<string, unknown> | undefined;
    if (flags.mine) {
      mine = { lock: await rt.stage.lockReason(cohort.id, actor.id), assignments: await listAssignments(db, stage, [actor.id]), standing: (await standings(db, stage, [actor.id])).get(actor.id) };
    }
    let staff: Record<string, unknown> | undefined;
    if (flags.seeAll) {
      const people = await cohortPeople(db, cohort.id, 'candidate');
      const standing = await standings(db, stage, people.map((p) => p.userId));
      staff = { assignments: await listAssignments(db, stage), candidates: people.map((p) => ({ id: p.userId, name: p.name, standing: standing.get(p.userId) })) };
    }
    res.render(rt.view('stage'), { title: stage.title, cohort, stage, modules, mine, staff, can: flags, saved: req.query.saved, ...extra });
  }

  r.get('/', (req, res) => render(req, res));

  r.post('/modules', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'projects-week:manage', { type: 'cohort', cohort });
    await formAction(
      res,
      async () => {
        await addModule(rt, actor.id, stage, parse(moduleInput, formBody(req), 'module form'));
        return `${base(cohort.id)}?saved=module`;
      },
      (error: AppError) => render(req, res, { moduleError: error, moduleForm: req.body }),
    );
  });

  r.post('/modules/standard', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'projects-week:manage', { type: 'cohort', cohort });
    await formAction(
      res,
      async () => {
        await addStandardModules(rt, actor.id, stage);
        return `${base(cohort.id)}?saved=module`;
      },
      (error: AppError) => render(req, res, { moduleError: error }),
    );
  });

  r.post('/assignments', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'projects-week:manage', { type: 'cohort', cohort });
    await formAction(
      res,
      async () => {
        await assignModule(rt, actor.id, stage, parse(assignmentForm, formBody(req), 'assignment form'));
        return `${base(cohort.id)}?saved=assignment`;
      },
      (error: AppError) => render(req, res, { assignError: error, assignForm: req.body }),
    );
  });

  r.post('/assignments/:assignmentId/slot', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'projects-week:manage', { type: 'cohort', cohort });
    const assignmentId = pathId(req.params.assignmentId, 'That module assignment');
    await formAction(
      res,
      async () => {
        await scheduleSlot(rt, actor.id, stage, assignmentId, parse(slotForm, formBody(req), 'slot form'));
        return `${base(cohort.id)}?saved=slot`;
      },
      (error: AppError) => render(req, res, { slotError: error, slotId: assignmentId }),
    );
  });
}
