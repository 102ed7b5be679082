/** Projects-week pages: candidates see their modules and slots; mentors add modules, assign, book slots and assess.
 * Each route authorises once (`rt.stage.on…`); a form's fixable problem re-renders the page with what was typed. */
import type { Response } from 'express';
import { z } from 'zod';
import { can, cohortPeople, formOf, seeOther, type Actor, type StagePages, type StageRuntime, type StageSubject, zonedToUtc } from '../../server/modules/kit';
import { assignmentForm, moduleInput, slotForm } from './inputs';
import { addModule, addStandardModules, assignModule, getAssignment, scheduleSlot } from './commands';
import { listAssignments, listModules, standings } from './queries';

const pageQuery = z.object({ saved: z.string().max(40).optional() });

/** Mounts the projects-week pages. */
export function projectsWeekPages(r: StagePages, rt: StageRuntime): void {
  const { db } = rt;
  const KEY = rt.stage.key;
  const base = (cohortId: string) => `/cohorts/${cohortId}/stages/${KEY}`;
  const manage = rt.stage.on('projects-week:manage');
  const assignment = rt.stage.onRow('projects-week:manage', (stage, { params }: { params: { cohortId: string; assignmentId: string } }) => getAssignment(rt, stage, params.assignmentId));

  /** The stage page; the route authorised the actor on the cohort. */
  async function render(res: Response, actor: Actor, { cohort, stage }: StageSubject, extra: Record<string, unknown> = {}) {
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
      mine = { lock: await rt.stage.lockReason(cohort.id, actor.id), assignments: await listAssignments(db, stage, cohort.timeZone, [actor.id]), standing: (await standings(db, stage, [actor.id])).get(actor.id) };
    }
    let staff: Record<string, unknown> | undefined;
    if (flags.seeAll) {
      const people = await cohortPeople(db, cohort.id, 'candidate');
      const standing = await standings(db, stage, people.map((p) => p.userId));
      staff = { assignments: await listAssignments(db, stage, cohort.timeZone), candidates: people.map((p) => ({ id: p.userId, name: p.name, standing: standing.get(p.userId) })) };
    }
    // assignModule refuses a module or candidate the form cannot offer: with none to choose there is no form.
    const assign = flags.manage && modules.length > 0 && ((staff?.candidates as unknown[] | undefined)?.length ?? 0) > 0;
    res.render(rt.view('stage'), { title: stage.title, cohort, stage, modules, mine, staff, can: { ...flags, assign }, ...extra });
  }

  r.get('/', { summary: 'Projects week: your modules and slots; modules, assignments and slots for mentors', query: pageQuery, authorize: rt.stage.on('projects-week:view') }, ({ actor, subject, query }, _req, res) =>
    render(res, actor, subject, { saved: query.saved }),
  );

  r.form(
    '/modules',
    {
      summary: 'Add a knowledge module (form)',
      body: formOf(moduleInput),
      authorize: manage,
      rerender: (_req, res, { error, values, actor, subject }) => render(res, actor, subject, { moduleError: error, moduleForm: values }),
    },
    async ({ body, actor, subject: { cohort, stage } }) => {
      await addModule(rt, actor.id, stage, body);
      return seeOther(`${base(cohort.id)}?saved=module`);
    },
  );

  r.form(
    '/modules/standard',
    { summary: 'Add the five standard knowledge modules (form)', authorize: manage, rerender: (_req, res, { error, actor, subject }) => render(res, actor, subject, { moduleError: error }) },
    async ({ actor, subject: { cohort, stage } }) => {
      await addStandardModules(rt, actor.id, stage);
      return seeOther(`${base(cohort.id)}?saved=module`);
    },
  );

  r.form(
    '/assignments',
    {
      summary: 'Assign a knowledge module to a candidate (form)',
      body: formOf(assignmentForm),
      authorize: manage,
      rerender: (_req, res, { error, values, actor, subject }) => render(res, actor, subject, { assignError: error, assignForm: values }),
    },
    async ({ body, actor, subject: { cohort, stage } }) => {
      await assignModule(rt, actor.id, stage, { ...body, slotAt: body.slotAt ? zonedToUtc(body.slotAt, cohort.timeZone) : undefined });
      return seeOther(`${base(cohort.id)}?saved=assignment`);
    },
  );

  r.form(
    '/assignments/:assignmentId/slot',
    {
      summary: 'Book or move a delivery slot (form)',
      body: formOf(slotForm),
      authorize: assignment,
      rerender: (_req, res, { error, values, actor, subject }) => render(res, actor, subject, { slotError: error, slotId: subject.row.id, slotForm: values }),
    },
    async ({ body, actor, subject: { cohort, stage, row } }) => {
      await scheduleSlot(rt, actor.id, stage, row, { ...body, slotAt: zonedToUtc(body.slotAt, cohort.timeZone) });
      return seeOther(`${base(cohort.id)}?saved=slot`);
    },
  );
}
