/** Co-delivery JSON API: sessions, outcomes, groups, learners, attainment and assessor agreement. */
import type { Request } from 'express';
import { can, parse, pathId, type CadreRouter, type CapabilityVerb, type StageRuntime } from '../../server/modules/kit';
import { attainmentInput, groupInput, learnersInput, outcomeInput, sessionInput } from './inputs';
import { addGroup, addLearners, addOutcomes, addSession, addStandardOutcomes, getGroup, recordAttainment } from './commands';
import { agreement, attainmentGrid, candidatesOf, listGroups, listOutcomes, listSessions, standings } from './queries';
import { attainmentRole } from './access';

const tags = ['co-delivery'];

/** Mounts the co-delivery API. */
export function coDeliveryApi(r: CadreRouter, rt: StageRuntime): void {
  const { db } = rt;

  const context = (req: Request, capability?: CapabilityVerb) => rt.stage.context(req, capability);

  r.get('/', { summary: 'Co-delivery: sessions, outcomes, groups with learners, standings and agreement (a candidate sees their own)', tags }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const seeAll = can(actor, 'co-delivery:see-all', { type: 'cohort', cohort });
    const ids = seeAll ? (await candidatesOf(db, cohort.id)).map((c) => c.id) : [actor.id];
    const [sessions, outcomes, groups, standing, agree] = await Promise.all([
      listSessions(db, stage.id),
      listOutcomes(db, stage.id),
      listGroups(db, stage.id, seeAll ? undefined : actor.id),
      standings(db, stage, ids),
      agreement(db, stage, ids),
    ]);
    res.json({
      stage: { id: stage.id, title: stage.title, startsOn: stage.startsOn, endsOn: stage.endsOn },
      sessions,
      outcomes: outcomes.map((o) => ({ id: o.id, position: o.position, text: o.text })),
      groups,
      standings: ids.map((candidateId) => ({ candidateId, ...standing.get(candidateId) })),
      agreement: agree,
    });
  });

  r.post('/sessions', { summary: 'Add a dated session of the co-delivered course', tags, body: sessionInput, success: { status: 201, description: 'The session' } }, async (req, res) => {
    const { actor, stage } = await context(req, 'manage');
    res.status(201).json({ session: await addSession(rt, actor.id, stage, parse(sessionInput, req.body, 'session')) });
  });

  r.post('/outcomes', { summary: 'Add a learning outcome', tags, body: outcomeInput, success: { status: 201, description: 'The outcome' } }, async (req, res) => {
    const { actor, stage } = await context(req, 'manage');
    const [outcome] = await addOutcomes(rt, actor.id, stage, [parse(outcomeInput, req.body, 'outcome').text]);
    res.status(201).json({ outcome });
  });

  r.post('/outcomes/standard', { summary: 'Add the standard learning outcomes (to a course with none)', tags, success: { status: 201, description: 'The outcomes' } }, async (req, res) => {
    const { actor, stage } = await context(req, 'manage');
    res.status(201).json({ outcomes: await addStandardOutcomes(rt, actor.id, stage) });
  });

  r.post('/groups', { summary: 'Create a small group led by a candidate', tags, body: groupInput, success: { status: 201, description: 'The group' } }, async (req, res) => {
    const { actor, stage } = await context(req, 'manage');
    res.status(201).json({ group: await addGroup(rt, actor.id, stage, parse(groupInput, req.body, 'group')) });
  });

  r.post('/groups/:groupId/learners', { summary: 'Add learners (names or anonymous codes) to a group', tags, body: learnersInput, success: { status: 201, description: 'The learners' } }, async (req, res) => {
    const { actor, stage } = await context(req, 'roster');
    const group = await getGroup(rt, stage, pathId(req.params.groupId, 'That group'));
    res.status(201).json({ learners: await addLearners(rt, actor.id, stage, group.id, parse(learnersInput, req.body, 'learners').labels) });
  });

  r.get('/groups/:groupId/attainment', { summary: "A group's attainment: the leading candidate's levels and the mentors' shadow levels", tags }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const group = await getGroup(rt, stage, pathId(req.params.groupId, 'That group'));
    attainmentRole(actor, cohort, group);
    const grid = await attainmentGrid(db, stage.id, group.id);
    res.json({
      candidate: [...grid.candidate].map(([k, level]) => ({ learnerId: k.split('|')[0], outcomeId: k.split('|')[1], level })),
      mentor: [...grid.mentor].map(([k, v]) => ({ learnerId: k.split('|')[0], outcomeId: k.split('|')[1], level: v.level, recorderId: v.recorderId })),
    });
  });

  r.put('/groups/:groupId/attainment', { summary: 'Record attainment for learners of a group (leading candidate), or shadow-score them (mentor)', tags, body: attainmentInput }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const group = await getGroup(rt, stage, pathId(req.params.groupId, 'That group'));
    const role = attainmentRole(actor, cohort, group);
    if (role === 'candidate') await rt.stage.assertOpenFor(cohort.id, actor.id);
    const { entries } = parse(attainmentInput, req.body, 'attainment');
    const saved = await recordAttainment(rt, actor.id, role, stage, group.id, entries.map((e, i) => ({ ...e, field: `entries.${i}` })));
    res.json({ saved, role });
  });

  r.get('/agreement', { summary: 'Assessing the assessor: each candidate’s agreement with mentor shadow scores, with the disagreements', tags }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const seeAll = can(actor, 'co-delivery:see-all', { type: 'cohort', cohort });
    const ids = seeAll ? (await candidatesOf(db, cohort.id)).map((c) => c.id) : [actor.id];
    res.json({ agreement: await agreement(db, stage, ids) });
  });
}
