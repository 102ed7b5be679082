/** Co-delivery JSON API: sessions, outcomes, groups, learners, attainment and assessor agreement. Each route authorises
 * once (`rt.stage.on…`, `onGroup`), its body is parsed with the schema the OpenAPI document shows, and it answers
 * through a presenter. */
import { can, reply, type StageApi, type StageRuntime } from '../../server/modules/kit';
import { attainmentInput, groupInput, learnersInput, outcomeInput, sessionInput } from './inputs';
import { addGroup, addLearners, addOutcomes, addSession, addStandardOutcomes, getGroup, recordAttainment } from './commands';
import { agreement, attainmentGrid, candidatesOf, listGroups, listOutcomes, listSessions, standings } from './queries';
import { onGroup } from './access';
import { presentAgreement, presentCourse, presentGrid, presentGroup, presentLearners, presentOutcome, presentOutcomes, presentSaved, presentSession } from './present';

const tags = ['co-delivery'];

/** Mounts the co-delivery API. */
export function coDeliveryApi(r: StageApi, rt: StageRuntime): void {
  const { db } = rt;
  const view = rt.stage.on('co-delivery:view');
  const manage = rt.stage.on('co-delivery:manage');
  const group = onGroup(rt);
  const roster = rt.stage.onRow('co-delivery:roster', (stage, { params }: { params: { cohortId: string; groupId: string } }) => getGroup(rt, stage, params.groupId));

  r.get('/', { summary: 'Co-delivery: sessions, outcomes, groups with learners, standings and agreement (a candidate sees their own)', tags, authorize: view }, async ({ actor, subject: { cohort, stage } }) => {
    const seeAll = can(actor, 'co-delivery:see-all', { type: 'cohort', cohort });
    const ids = seeAll ? (await candidatesOf(db, cohort.id)).map((c) => c.id) : [actor.id];
    const [sessions, outcomes, groups, standing, agree] = await Promise.all([
      listSessions(db, stage.id),
      listOutcomes(db, stage.id),
      listGroups(db, stage.id, seeAll ? undefined : actor.id),
      standings(db, stage, ids),
      agreement(db, stage, ids),
    ]);
    return reply(presentCourse(actor, cohort, stage, { ids, sessions, outcomes, groups, standing, agreement: agree }));
  });

  r.post('/sessions', { summary: 'Add a dated session of the co-delivered course', tags, body: sessionInput, success: { status: 201, description: 'The session' }, authorize: manage }, async ({ body, actor, subject: { stage } }) =>
    reply(presentSession(await addSession(rt, actor.id, stage, body))),
  );

  r.post('/outcomes', { summary: 'Add a learning outcome', tags, body: outcomeInput, success: { status: 201, description: 'The outcome' }, authorize: manage }, async ({ body, actor, subject: { stage } }) => {
    const [outcome] = await addOutcomes(rt, actor.id, stage, [body.text]);
    return reply(presentOutcome(outcome));
  });

  r.post('/outcomes/standard', { summary: 'Add the standard learning outcomes (to a course with none)', tags, success: { status: 201, description: 'The outcomes' }, authorize: manage }, async ({ actor, subject: { stage } }) =>
    reply(presentOutcomes(await addStandardOutcomes(rt, actor.id, stage))),
  );

  r.post('/groups', { summary: 'Create a small group led by a candidate', tags, body: groupInput, success: { status: 201, description: 'The group' }, authorize: manage }, async ({ body, actor, subject: { stage } }) =>
    reply(presentGroup(await addGroup(rt, actor.id, stage, body))),
  );

  r.post(
    '/groups/:groupId/learners',
    { summary: 'Add learners (names or anonymous codes) to a group', tags, body: learnersInput, success: { status: 201, description: 'The learners' }, authorize: roster },
    async ({ body, actor, subject: { stage, row } }) => reply(presentLearners(await addLearners(rt, actor.id, stage, row.id, body.labels))),
  );

  r.get('/groups/:groupId/attainment', { summary: "A group's attainment: the leading candidate's levels and the mentors' shadow levels", tags, authorize: group }, async ({ subject: { stage, row } }) =>
    reply(presentGrid(await attainmentGrid(db, stage.id, row.id))),
  );

  r.put(
    '/groups/:groupId/attainment',
    { summary: 'Record attainment for learners of a group (leading candidate), or shadow-score them (mentor)', tags, body: attainmentInput, authorize: group },
    async ({ body, actor, subject: { cohort, stage, row, role } }) => {
      if (role === 'candidate') await rt.stage.assertOpenFor(cohort.id, actor.id);
      const saved = await recordAttainment(rt, actor.id, role, stage, row.id, body.entries.map((e, i) => ({ ...e, field: `entries.${i}` })));
      return reply(presentSaved(saved, role));
    },
  );

  r.get('/agreement', { summary: 'Assessing the assessor: each candidate’s agreement with mentor shadow scores, with the disagreements', tags, authorize: view }, async ({ actor, subject: { cohort, stage } }) => {
    const seeAll = can(actor, 'co-delivery:see-all', { type: 'cohort', cohort });
    const ids = seeAll ? (await candidatesOf(db, cohort.id)).map((c) => c.id) : [actor.id];
    return reply(presentAgreement(await agreement(db, stage, ids)));
  });
}
