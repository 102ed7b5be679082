/** Remedial-workshop JSON API: topics, the pre-filled agenda, the readiness checklist and final sign-offs. Each route
 * authorises once (`rt.stage.on…`), its body is parsed with the schema the OpenAPI document shows, and it answers
 * through a presenter. */
import type { Request } from 'express';
import { actorOf, can, cohortPeople, getCandidate, grant, reply, type StageApi, type StageCandidateSubject, type StageRuntime, type StageSubject } from '../../server/modules/kit';
import { coverInput, signoffInput, tickInput, topicInput } from './inputs';
import { getTopic, requestTopic, setCovered, signReadiness, tickItem } from './commands';
import { checklistRows, listSignoffs, listTopics, standings } from './queries';
import { agendaFor } from './agenda';
import { tickAction } from './checklist';
import { presentAgenda, presentChecklist, presentSignoff, presentTopic, presentWorkshop } from './present';

const tags = ['remedial-workshop'];

/** Mounts the remedial-workshop API. */
export function remedialWorkshopApi(r: StageApi, rt: StageRuntime): void {
  const { db } = rt;
  const topic = rt.stage.onRecordOf('remedial-workshop:cover', (stage, { params }: { params: { cohortId: string; topicId: string } }) => getTopic(rt, stage, params.topicId));
  const subjectOf = (cohort: StageSubject['cohort'], stage: StageSubject['stage']): StageSubject => ({ type: 'cohort', cohort, stage });

  r.get('/', { summary: 'Remedial workshop: checklist, topics, sign-offs and standings (a candidate sees their own)', tags, authorize: rt.stage.on('remedial-workshop:view') }, async ({ actor, subject: { cohort, stage } }) => {
    const seeAll = can(actor, 'remedial-workshop:see-all', { type: 'cohort', cohort });
    const ids = seeAll ? (await cohortPeople(db, cohort.id, 'candidate')).map((p) => p.userId) : [actor.id];
    const [checklist, topics, signoffs, standing] = await Promise.all([checklistRows(db, stage), listTopics(db, stage.id, seeAll ? undefined : ids), listSignoffs(db, stage.id), standings(db, stage, ids)]);
    return reply(presentWorkshop(actor, cohort, stage, { ids, checklist, topics, signoffs, standing }));
  });

  r.get(
    '/agenda/:candidateId',
    {
      summary: "A candidate's pre-filled agenda: criteria below pass level, and self/mentor gaps of two levels or more",
      tags,
      authorize: async (_req: Request, { params }: { params: { cohortId: string; candidateId: string } }) => {
        const { cohort, stage } = await rt.stage.load(params.cohortId);
        const subject: StageCandidateSubject = { type: 'candidate', cohort, candidateId: params.candidateId, stage };
        return grant('remedial-workshop:view-agenda', subject, 'That candidate');
      },
    },
    async ({ actor, subject: { cohort, stage, candidateId } }) => {
      await getCandidate(db, cohort.id, candidateId);
      const agenda = await agendaFor(db, cohort.id, [candidateId]);
      return reply(presentAgenda(actor, cohort, agenda.get(candidateId), await listTopics(db, stage.id, [candidateId])));
    },
  );

  r.post(
    '/topics',
    {
      summary: 'Request a deep-dive topic (optionally linked to a competency code or rubric criterion)',
      tags,
      body: topicInput,
      success: { status: 201, description: 'The topic' },
      authorize: rt.stage.onSelf('remedial-workshop:request-topic'),
    },
    async ({ body, actor, subject: { cohort, stage } }) => reply(presentTopic(actor, cohort, await requestTopic(rt, actor.id, stage, body))),
  );

  r.put(
    '/topics/:topicId/covered',
    {
      summary: 'Mark a requested topic covered in the workshop, or not yet (mentor)',
      tags,
      body: coverInput,
      authorize: topic,
    },
    async ({ body, actor, subject: { cohort, stage, row } }) => reply(presentTopic(actor, cohort, await setCovered(rt, actor.id, stage, row.id, body.covered))),
  );

  r.put(
    '/checklist/:itemKey',
    {
      summary: "Tick or untick a rollout-readiness item in the lead's or the mentor's column",
      tags,
      body: tickInput,
      authorize: async (req: Request, { params, body }: { params: { cohortId: string }; body: { as: 'lead' | 'mentor' } }) => {
        const { cohort, stage } = await rt.stage.load(params.cohortId);
        return grant(tickAction(actorOf(req), cohort, body.as), subjectOf(cohort, stage), 'That cohort');
      },
    },
    async ({ body, params, actor, subject: { stage } }) => {
      await tickItem(rt, actor.id, stage, params.itemKey, body.as, body.ticked);
      return reply(presentChecklist(await checklistRows(db, stage)));
    },
  );

  r.post(
    '/signoffs',
    {
      summary: "The mentor's final readiness sign-off for a candidate (needs the checklist complete)",
      tags,
      body: signoffInput,
      success: { status: 201, description: 'The sign-off' },
      authorize: rt.stage.on('remedial-workshop:sign-readiness'),
    },
    async ({ body, actor, subject: { stage } }) => reply(presentSignoff(await signReadiness(rt, actor, stage, body))),
  );
}
