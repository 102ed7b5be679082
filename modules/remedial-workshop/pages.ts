/** Remedial-workshop pages: candidates request topics and see their agenda; the lead and mentor tick the checklist;
 * mentors mark topics covered and give the final readiness sign-off. */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { actorOf, can, cohortPeople, computeProgress, finalSignoffGaps, formOf, grant, seeOther, type Actor, type StageCandidateSubject, type StagePages, type StageRuntime, type StageSubject } from '../../server/modules/kit';
import { coverInput, signoffInput, tickInput, topicInput } from './inputs';
import { getTopic, readinessRefusal, requestTopic, setCovered, SIGNED_KIND, signReadiness, tickItem } from './commands';
import { checklistRows, competencyChoices, listSignoffs, listTopics, standings } from './queries';
import { agendaFor } from './agenda';
import { tickAction } from './checklist';

const pageQuery = z.object({ saved: z.string().max(40).optional() });

/** Mounts the remedial-workshop pages. */
export function remedialWorkshopPages(r: StagePages, rt: StageRuntime): void {
  const { db } = rt;
  const topic = rt.stage.onRecordOf('remedial-workshop:cover', (stage, { params }: { params: { cohortId: string; topicId: string } }) => getTopic(rt, stage, params.topicId));
  const subjectOf = (cohort: StageSubject['cohort'], stage: StageSubject['stage']): StageSubject => ({ type: 'cohort', cohort, stage });
  const KEY = rt.stage.key;
  const base = (cohortId: string) => `/cohorts/${cohortId}/stages/${KEY}`;

  /** The stage page; the route authorised the actor on the cohort (or on a record in it). */
  async function render(res: Response, actor: Actor, { cohort, stage }: StageSubject | StageCandidateSubject, extra: Record<string, unknown> = {}) {
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
      const [agenda, topics, standing, gaps, progress] = await Promise.all([
        agendaFor(db, cohort.id, ids),
        listTopics(db, stage.id),
        standings(db, stage, ids),
        flags.sign ? finalSignoffGaps(rt, cohort.id, unsigned, { stageId: stage.id, requirementKind: SIGNED_KIND }) : new Map<string, { text: string }[]>(),
        flags.sign ? computeProgress(rt, { cohortIds: [cohort.id] }).then((m) => m.get(cohort.id)) : undefined,
      ]);
      const checklistComplete = checklist.every((i) => i.lead && i.mentor);
      const ticks = { done: checklist.filter((i) => i.lead && i.mentor).length, of: checklist.length };
      // The command's own rule: the form appears only when the sign-off would be accepted now; otherwise the page says why.
      const refusalOf = (candidateId: string) =>
        flags.sign ? readinessRefusal({ mentorId: actor.id, candidateId, progress: progress?.get(candidateId)?.find((s) => s.key === KEY), checklist: ticks }) : null;
      staff = {
        checklistComplete,
        candidates: people.map((p) => ({
          maySign: flags.sign && !refusalOf(p.userId),
          refusal: refusalOf(p.userId)?.message,
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
    res.render(rt.view('stage'), { title: stage.title, cohort, stage, checklist, checklistDone: ticked, mine, staff, can: flags, ...extra });
  }

  r.get('/', { summary: 'Remedial workshop: your agenda and topics; the checklist, topics and final sign-offs for staff', query: pageQuery, authorize: rt.stage.on('remedial-workshop:view') }, ({ actor, subject, query }, _req, res) =>
    render(res, actor, subject, { saved: query.saved }),
  );

  r.form(
    '/topics',
    {
      summary: 'Request a deep-dive topic (form)',
      body: formOf(topicInput),
      authorize: rt.stage.onSelf('remedial-workshop:request-topic'),
      rerender: (_req, res, { error, values, actor, subject }) => render(res, actor, subject, { topicError: error, topicForm: values }),
    },
    async ({ body, actor, subject: { cohort, stage } }) => {
      await requestTopic(rt, actor.id, stage, body);
      return seeOther(`${base(cohort.id)}?saved=topic`);
    },
  );

  r.form(
    '/topics/:topicId/cover',
    {
      summary: 'Mark a topic covered, or not yet (form)',
      body: formOf(coverInput),
      authorize: topic,
      rerender: (_req, res, { error, actor, subject }) => render(res, actor, subject, { coverError: error }),
    },
    async ({ body, actor, subject: { cohort, stage, row } }) => {
      await setCovered(rt, actor.id, stage, row.id, body.covered);
      return seeOther(`${base(cohort.id)}?saved=covered`);
    },
  );

  r.form(
    '/checklist/:itemKey',
    {
      summary: "Tick or untick a checklist item in the lead's or the mentor's column (form)",
      body: formOf(tickInput),
      // The raw form's `as` only picks the column to authorise; the body is parsed after.
      authorize: async (req: Request, { params, form }: { params: { cohortId: string }; form: Record<string, unknown> }) => {
        const { cohort, stage } = await rt.stage.load(params.cohortId);
        return grant(tickAction(actorOf(req), cohort, form.as), subjectOf(cohort, stage), 'That cohort');
      },
      rerender: (_req, res, { error, actor, subject }) => render(res, actor, subject, { checklistError: error }),
    },
    async ({ body, params, actor, subject: { cohort, stage } }) => {
      await tickItem(rt, actor.id, stage, params.itemKey, body.as, body.ticked);
      return seeOther(`${base(cohort.id)}?saved=checklist#checklist`);
    },
  );

  r.form(
    '/signoffs',
    {
      summary: 'Give a candidate the final readiness sign-off (form)',
      body: formOf(signoffInput),
      authorize: rt.stage.on('remedial-workshop:sign-readiness'),
      rerender: (_req, res, { error, values, actor, subject }) => render(res, actor, subject, { signoffError: error, signoffForm: values, signoffPrefix: `rw-${typeof values.candidateId === 'string' ? values.candidateId : ''}-` }),
    },
    async ({ body, actor, subject: { cohort, stage } }) => {
      await signReadiness(rt, actor, stage, body);
      return seeOther(`${base(cohort.id)}?saved=signoff`);
    },
  );
}
