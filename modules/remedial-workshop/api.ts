/** Remedial-workshop JSON API: topics, the pre-filled agenda, the readiness checklist and final sign-offs. */
import type { Request } from 'express';
import { authorize, can, cohortPeople, getCandidate, parse, pathId, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { coverInput, signoffInput, tickInput, topicInput } from './inputs';
import { getTopic, requestTopic, setCovered, signReadiness, tickItem } from './commands';
import { checklistRows, listSignoffs, listTopics, standings } from './queries';
import { agendaFor } from './agenda';
import { mayTick } from './checklist';

const tags = ['remedial-workshop'];

/** Mounts the remedial-workshop API. */
export function remedialWorkshopApi(r: CadreRouter, rt: StageRuntime): void {
  const { db } = rt;

  const context = (req: Request) => rt.stage.context(req);

  r.get('/', { summary: 'Remedial workshop: checklist, topics, sign-offs and standings (a candidate sees their own)', tags }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const seeAll = can(actor, 'remedial-workshop:see-all', { type: 'cohort', cohort });
    const ids = seeAll ? (await cohortPeople(db, cohort.id, 'candidate')).map((p) => p.userId) : [actor.id];
    const [checklist, topics, signoffs, standing] = await Promise.all([checklistRows(db, stage), listTopics(db, stage.id, seeAll ? undefined : ids), listSignoffs(db, stage.id), standings(db, stage, ids)]);
    res.json({
      stage: { id: stage.id, title: stage.title, startsOn: stage.startsOn, endsOn: stage.endsOn },
      checklist,
      topics,
      signoffs: signoffs.filter((s) => ids.includes(s.candidateId)),
      standings: ids.map((candidateId) => ({ candidateId, ...standing.get(candidateId) })),
    });
  });

  r.get('/agenda/:candidateId', { summary: "A candidate's pre-filled agenda: criteria below pass level, and self/mentor gaps of two levels or more", tags }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const candidateId = pathId(req.params.candidateId, 'That candidate');
    authorize(actor, 'remedial-workshop:view-agenda', { type: 'candidate', cohort, candidateId }, 'That candidate');
    await getCandidate(db, cohort.id, candidateId);
    const agenda = await agendaFor(db, cohort.id, [candidateId]);
    res.json({ agenda: agenda.get(candidateId) ?? [], topics: await listTopics(db, stage.id, [candidateId]) });
  });

  r.post('/topics', { summary: 'Request a deep-dive topic (optionally linked to a competency code or rubric criterion)', tags, body: topicInput, success: { status: 201, description: 'The topic' } }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'remedial-workshop:request-topic', { type: 'candidate', cohort, candidateId: actor.id });
    res.status(201).json({ topic: await requestTopic(rt, actor.id, stage, parse(topicInput, req.body, 'topic')) });
  });

  r.put('/topics/:topicId/covered', { summary: 'Mark a requested topic covered in the workshop, or not yet (mentor)', tags, body: coverInput }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const topic = await getTopic(rt, stage, pathId(req.params.topicId, 'That topic'));
    authorize(actor, 'remedial-workshop:cover', { type: 'candidate', cohort, candidateId: topic.candidateId });
    res.json({ topic: await setCovered(rt, actor.id, stage, topic.id, parse(coverInput, req.body, 'topic').covered) });
  });

  r.put('/checklist/:itemKey', { summary: "Tick or untick a rollout-readiness item in the lead's or the mentor's column", tags, body: tickInput }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    mayTick(actor, cohort);
    const input = parse(tickInput, req.body, 'checklist');
    authorize(actor, input.as === 'lead' ? 'remedial-workshop:tick-lead' : 'remedial-workshop:tick-mentor', { type: 'cohort', cohort });
    await tickItem(rt, actor.id, stage, String(req.params.itemKey), input.as, input.ticked);
    res.json({ checklist: await checklistRows(db, stage) });
  });

  r.post('/signoffs', { summary: "The mentor's final readiness sign-off for a candidate (needs the checklist complete)", tags, body: signoffInput, success: { status: 201, description: 'The sign-off' } }, async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'remedial-workshop:sign-readiness', { type: 'cohort', cohort });
    const input = parse(signoffInput, req.body, 'sign-off');
    res.status(201).json({ signoff: await signReadiness(rt, actor, stage, input) });
  });
}
