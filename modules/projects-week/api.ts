/** Projects-week JSON API: modules, assignments and delivery slots. Each route authorises once (`rt.stage.on…`), its
 * body is parsed with the schema the OpenAPI document shows, and it answers through a presenter. */
import { can, cohortPeople, reply, type StageApi, type StageRuntime } from '../../server/modules/kit';
import { assignmentInput, moduleInput, slotInput } from './inputs';
import { addModule, addStandardModules, assignModule, getAssignment, scheduleSlot } from './commands';
import { presentAssignment, presentModule, presentModules, presentProjectsWeek } from './present';
import { listAssignments, listModules, standings } from './queries';

const tags = ['projects-week'];

/** Mounts the projects-week API. */
export function projectsWeekApi(r: StageApi, rt: StageRuntime): void {
  const { db } = rt;
  const manage = rt.stage.on('projects-week:manage');
  const assignment = rt.stage.onRow('projects-week:manage', (stage, { params }: { params: { cohortId: string; assignmentId: string } }) => getAssignment(rt, stage, params.assignmentId));

  r.get('/', { summary: 'Projects week: modules, assignments with their latest assessment, and standings (a candidate sees their own)', tags, authorize: rt.stage.on('projects-week:view') }, async ({ actor, subject: { cohort, stage } }) => {
    const seeAll = can(actor, 'projects-week:see-all', { type: 'cohort', cohort });
    const assignments = await listAssignments(db, stage, cohort.timeZone, seeAll ? undefined : [actor.id]);
    const ids = seeAll ? (await cohortPeople(db, cohort.id, 'candidate')).map((p) => p.userId) : [actor.id];
    return reply(presentProjectsWeek(actor, cohort, stage, await listModules(db, stage.id), assignments, await standings(db, stage, ids)));
  });

  r.post('/modules', { summary: 'Add a knowledge module to this projects week', tags, body: moduleInput, success: { status: 201, description: 'The module' }, authorize: manage }, async ({ body, actor, subject: { stage } }) =>
    reply(presentModule(await addModule(rt, actor.id, stage, body))),
  );

  r.post(
    '/modules/standard',
    { summary: 'Add the five standard knowledge modules (to a projects week with none)', tags, success: { status: 201, description: 'The modules' }, authorize: manage },
    async ({ actor, subject: { stage } }) => reply(presentModules(await addStandardModules(rt, actor.id, stage))),
  );

  r.post(
    '/assignments',
    { summary: 'Assign a knowledge module to a candidate, optionally with a slot and meeting link', tags, body: assignmentInput, success: { status: 201, description: 'The assignment' }, authorize: manage },
    async ({ body, actor, subject: { stage } }) => reply(presentAssignment(await assignModule(rt, actor.id, stage, body))),
  );

  r.put(
    '/assignments/:assignmentId/slot',
    {
      summary: 'Book or move the slot in which the candidate delivers the module',
      tags,
      body: slotInput,
      authorize: assignment,
    },
    async ({ body, actor, subject: { stage, row } }) => reply(presentAssignment(await scheduleSlot(rt, actor.id, stage, row, body))),
  );
}
