/** Remedial-workshop pages: candidates request topics and see their agenda; the lead and mentor tick the checklist;
 * mentors mark topics covered and give the final readiness sign-off. */
import type { Request, Response } from 'express';
import { authorize, can, cohortPeople, finalSignoffGaps, formAction, formBody, parse, pathId, type AppError, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { coverInput, signoffInput, tickInput, topicInput } from './inputs';
import { getTopic, requestTopic, setCovered, SIGNED_KIND, signReadiness, tickItem } from './commands';
import { checklistRows, competencyChoices, listSignoffs, listTopics, standings } from './queries';
import { agendaFor } from './agenda';
import { mayTick } from './checklist';

/** Mounts the remedial-workshop pages. */
export function remedialWorkshopPages(r: CadreRouter, rt: StageRuntime): void {
  const { db } = rt;
  const KEY = rt.stage.key;
  const base = (cohortId: string) => `/cohorts/${cohortId}/stages/${KEY}`;

  const context = (req: Request) => rt.stage.context(req);

  async function render(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const { actor, cohort, stage } = await context(req);
    const subject = { type: 'cohort' as const, cohort };
    const flags = {
      seeAll: can(actor, 'remedial-workshop:see-all', subject),
      cover: can(actor, 'remedial-workshop:cover', subject),
      tickLead: can(actor, 'remedial-workshop:tick-lead', subject),
      tickMentor: can(actor, 'remedial-workshop:tick-mentor', subject),
      sign: can(actor, 'remedial-workshop:sign-readiness', subject),
      request: can(actor, 'remedial-workshop:request-topic', { type: 'candidate', cohort, candidateId: actor.id }),
    };
    const [checklist, signoffs] = await Promise.all([checklistRows(db, stage), listSignoffs(db, stage.id)]);
    let mine: Record<string, unknown> | undefined;
    if (flags.request) {
      const [agenda, topics, standing, choices] = await Promise.all([agendaFor(db, cohort.id, [actor.id]), listTopics(db, stage.id, [actor.id]), standings(db, stage, [actor.id]), competencyChoices(db, cohort.id)]);
      mine = { lock: await rt.stage.lockReason(cohort.id, actor.id), agenda: agenda.get(actor.id), topics, standing: standing.get(actor.id), competencies: choices, signoff: signoffs.find((s) => s.candidateId === actor.id) };
    }
    let staff: Record<string, unknown> | undefined;
    if (flags.seeAll) {
      const people = await cohortPeople(db, cohort.id, 'candidate');
      const ids = people.map((p) => p.userId);
      const unsigned = ids.filter((id) => !signoffs.some((s) => s.candidateId === id));
      const [agenda, topics, standing, gaps] = await Promise.all([
        agendaFor(db, cohort.id, ids),
        listTopics(db, stage.id),
        standings(db, stage, ids),
        flags.sign ? finalSignoffGaps(rt, cohort.id, unsigned, { stageId: stage.id, requirementKind: SIGNED_KIND }) : new Map<string, { text: string }[]>(),
      ]);
      const checklistComplete = checklist.every((i) => i.lead && i.mentor);
      staff = {
        checklistComplete,
        candidates: people.map((p) => ({
          // The sign-off form appears only when it can be used now: never for oneself, only once the checklist is done.
          maySign: flags.sign && checklistComplete && p.userId !== actor.id,
          gaps: (gaps.get(p.userId) ?? []).map((g) => g.text),
          id: p.userId,
          name: p.name,
          agenda: agenda.get(p.userId),
          topics: topics.filter((t) => t.candidateId === p.userId),
          standing: standing.get(p.userId),
          signoff: signoffs.find((s) => s.candidateId === p.userId),
        })),
      };
    }
    const ticked = checklist.filter((i) => i.lead && i.mentor).length;
    res.render(rt.view('stage'), { title: stage.title, cohort, stage, checklist, checklistDone: ticked, mine, staff, can: flags, saved: req.query.saved, ...extra });
  }

  r.get('/', (req, res) => render(req, res));

  r.post('/topics', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'remedial-workshop:request-topic', { type: 'candidate', cohort, candidateId: actor.id });
    await formAction(
      res,
      async () => {
        await requestTopic(rt, actor.id, stage, parse(topicInput, formBody(req), 'topic form'));
        return `${base(cohort.id)}?saved=topic`;
      },
      (error: AppError) => render(req, res, { topicError: error, topicForm: req.body }),
    );
  });

  r.post('/topics/:topicId/cover', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const topic = await getTopic(rt, stage, pathId(req.params.topicId, 'That topic'));
    authorize(actor, 'remedial-workshop:cover', { type: 'candidate', cohort, candidateId: topic.candidateId });
    await formAction(
      res,
      async () => {
        await setCovered(rt, actor.id, stage, topic.id, parse(coverInput, formBody(req), 'topic').covered);
        return `${base(cohort.id)}?saved=covered`;
      },
      (error: AppError) => render(req, res, { coverError: error }),
    );
  });

  r.post('/checklist/:itemKey', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    mayTick(actor, cohort);
    await formAction(
      res,
      async () => {
        const input = parse(tickInput, formBody(req), 'checklist');
        authorize(actor, input.as === 'lead' ? 'remedial-workshop:tick-lead' : 'remedial-workshop:tick-mentor', { type: 'cohort', cohort });
        await tickItem(rt, actor.id, stage, String(req.params.itemKey), input.as, input.ticked);
        return `${base(cohort.id)}?saved=checklist#checklist`;
      },
      (error: AppError) => render(req, res, { checklistError: error }),
    );
  });

  r.post('/signoffs', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    authorize(actor, 'remedial-workshop:sign-readiness', { type: 'cohort', cohort });
    await formAction(
      res,
      async () => {
        const input = parse(signoffInput, formBody(req), 'sign-off');
        await signReadiness(rt, actor, stage, input);
        return `${base(cohort.id)}?saved=signoff`;
      },
      (error: AppError) => render(req, res, { signoffError: error, signoffPrefix: `rw-${String((req.body as Record<string, unknown>).candidateId ?? '')}-` }),
    );
  });
}
