/** Progress pages and API: the cohort overview, a candidate's timeline, waivers and completion marks. */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { cohortPeople, getCandidate, type CohortRow } from '../cohorts/queries';
import type { AppContext } from '../context';
import { ForbiddenError } from '../errors';
import { onCandidate, onCohort } from '../http/grants';
import { plain, reply, seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { can } from '../policies';
import { computeReadiness } from '../readiness/queries';
import { computeProgress } from './engine';
import { aboutCandidate, currentStage, nextStep, presentProgressJson, presentTimeline } from './present';
import { candidateStanding } from '../readiness/standing';
import { candidateProgress, unmetReasons } from './queries';
import { markComplete, recordOf, waive, withdrawWaiver } from './waivers';
import { VersionedCache } from '../db/versions';
import { renderKept } from '../http/views';
import { londonDate } from './kinds/answers';

/** Timelines as their pages show them (see `timelineModel`): a repeat view is a lookup, not a computation. */
const timelines = new VersionedCache<{ model: Record<string, unknown>; until: number }>(5000);

const waiverBody = z.object({
  stageId: z.uuid({ message: 'must be a stage id' }),
  requirementKey: z.string().max(120).optional().nullable(),
  reason: z.string({ message: 'is required' }).trim().min(5, 'is required (at least 5 characters)').max(1000, 'must be at most 1000 characters'),
});
const markBody = z.object({ note: z.string().trim().max(1000).optional() });
const withdrawBody = z.object({
  reason: z.string({ message: 'is required' }).trim().min(5, 'is required (at least 5 characters)').max(1000, 'must be at most 1000 characters'),
});

/** Where a candidate lands: their timeline in their (most recent) cohort. */
export const CANDIDATE_HOME = '/me/progress';

/** Registers the progression pages and API. */
export function progressionRoutes(registry: RouteRegistry, ctx: AppContext) {
  /** The candidate's record as staff reach it: core's pages, then the modules' candidate menu entries (live notes). */
  const recordLinks = (cohortId: string, candidateId: string, firstName: string) => [
    { label: `${firstName}’s competencies and evidence`, href: `/cohorts/${cohortId}/candidates/${candidateId}/competencies` },
    { label: `${firstName}’s assessments`, href: `/cohorts/${cohortId}/candidates/${candidateId}/assessments` },
    ...ctx.registry.modules.flatMap((m) =>
      m.nav
        .filter((e) => e.for.includes('candidate') && e.href.includes(':cohortId'))
        .map((e) => ({ label: `${firstName}’s ${e.label.replace(/^My /, '').replace(/^./, (c) => c.toLowerCase())}`, href: e.href.replaceAll(':cohortId', cohortId).replaceAll(':userId', candidateId) })),
    ),
  ];

  const pages = registry.router('');
  const api = registry.router('/api/v1');
  const tags = ['progress'];

  const mentor = onCandidate(ctx.db, 'candidate:mentor');
  const viewCandidate = onCandidate(ctx.db, 'candidate:view');

  pages.get(CANDIDATE_HOME, { summary: 'A candidate’s home', authorize: 'signed-in' }, ({ actor }, _req, res) => {
    const cohorts = actor.cohortRoles.filter((c) => c.role === 'candidate');
    res.redirect(cohorts.length === 1 ? `/cohorts/${cohorts[0].cohortId}/candidates/${actor.id}` : '/cohorts');
  });

  pages.get('/cohorts/:cohortId', { summary: 'A cohort’s progress overview', authorize: onCohort(ctx.db, 'cohort:view') }, async ({ actor, subject: { cohort } }, _req, res) => {
    if (!can(actor, 'cohort:view-progress', { type: 'cohort', cohort })) {
      // A candidate goes to their own timeline; anyone else related to the cohort may not see everyone's progress.
      if (actor.cohortRoles.some((c) => c.cohortId === cohort.id && c.role === 'candidate')) return res.redirect(`/cohorts/${cohort.id}/candidates/${actor.id}`);
      throw new ForbiddenError();
    }
    const people = await cohortPeople(ctx.db, cohort.id, 'candidate');
    const progress = (await computeProgress(ctx, { cohortIds: [cohort.id] })).get(cohort.id);
    const rows = people.map((p) => {
      const stages = progress?.get(p.userId) ?? [];
      const current = currentStage(stages);
      return {
        ...p,
        doneCount: stages.filter((s) => s.status === 'complete' || s.status === 'waived').length,
        total: stages.length,
        current: current ? { title: current.title, status: current.status, reason: unmetReasons(current)[0] ?? '' } : null,
      };
    });
    // "All done" comes from the readiness model, the one source of truth: every stage done is not yet ready to deliver.
    const verdicts = rows.some((r) => !r.current) ? (await readinessOf(cohort.id)).verdicts : new Map<string, { ready: boolean; nextAction: string }>();
    for (const row of rows) {
      const v = verdicts.get(row.userId);
      if (!row.current && v && !v.ready) Object.assign(row, { notReady: v.nextAction });
    }
    const stages = [...(progress?.values() ?? [])][0] ?? [];
    res.render('progress/cohort', {
      title: cohort.name,
      cohort,
      rows,
      stageLinks: stages.map((s) => ({ title: s.title, href: `/cohorts/${cohort.id}/stages/${s.key}` })),
      canManage: can(actor, 'cohort:manage', { type: 'cohort', cohort }),
    });
  });

  /** The readiness model's verdict for each candidate of a cohort (ready, and what is still needed). */
  async function readinessOf(cohortId: string, now?: Date): Promise<{ verdicts: Map<string, { ready: boolean; nextAction: string }>; until: number }> {
    const { cohorts, until } = await computeReadiness(ctx, { cohortIds: [cohortId], now });
    const verdicts = new Map((cohorts[0]?.candidates ?? []).map((c) => [c.candidateId, { ready: c.ready, nextAction: c.nextAction }]));
    return { verdicts, until };
  }

  /** A candidate's timeline as the page shows it to one kind of viewer: everything it reads is cohort-scoped (or global)
   * data and today's date, so it is kept while the cohort's and the global data version and the date stay the same,
   * per viewer's view (the candidate themself, a mentor, or anyone else who may view) — a changed rule, mark or
   * sign-off shows at the next read, on every node. */
  const timelineModel = async (actor: Actor, cohort: CohortRow, candidateId: string) => {
    const isSelf = actor.id === candidateId;
    const canMentor = can(actor, 'candidate:mentor', { type: 'candidate', cohort, candidateId });
    const certified = isSelf && !!actor.trainerOf?.includes(cohort.organisationId);
    const now = new Date();
    const key = `${cohort.id}|${candidateId}|${isSelf ? 'self' : canMentor ? 'mentor' : 'viewer'}|${certified ? 'certified' : ''}`;
    const build = () => buildTimeline(cohort, candidateId, { isSelf, canMentor, certified }, now);
    const found = await timelines.get(ctx.db, [key], () => cohort.id, londonDate(now), async () => new Map([[key, await build()]]), (t) => t.until);
    return (found.get(key) ?? (await build())).model;
  };

  const buildTimeline = async (cohort: CohortRow, candidateId: string, viewer: { isSelf: boolean; canMentor: boolean; certified: boolean }, now: Date) => {
    const { isSelf } = viewer;
    const [candidate, stages, record] = await Promise.all([getCandidate(ctx.db, cohort.id, candidateId), candidateProgress(ctx, cohort.id, candidateId, now), recordOf(ctx, cohort.id, candidateId)]);
    const firstName = candidate.name.split(' ')[0] ?? candidate.name;
    let next = nextStep(cohort.id, stages);
    // Kept until the clock alone would change it: the readiness verdict's next change, if it is read (else the date).
    let until = Infinity;
    if (stages.length && !currentStage(stages)) {
      // Every stage is done: whether that is "complete" is the readiness model's to say, as on the dashboards and the report.
      const readiness = await readinessOf(cohort.id, now);
      until = readiness.until;
      const verdict = readiness.verdicts.get(candidateId);
      if (verdict && !verdict.ready) next = { ...next, text: `Every stage is done, but ${isSelf ? 'you are' : `${candidate.name} is`} not ready to deliver yet: ${verdict.nextAction}.`, href: `/cohorts/${cohort.id}/candidates/${candidateId}/competencies`, title: isSelf ? 'your competencies' : `${candidate.name}’s competencies` };
    }
    const model = {
      // The candidate's own page opens with the same "at risk" signal their mentors and lead see, said to them.
      standing: isSelf ? await candidateStanding(ctx, cohort.id, stages, now) : null,
      // Signed off and certified: the programme page says so first, and where the certificate and record are.
      certified: viewer.certified ? { recordHref: `/organisations/${cohort.organisationId}/trainers/${candidateId}` } : null,
      title: isSelf ? 'Your programme' : candidate.name,
      cohort,
      candidate,
      isSelf,
      canMentor: viewer.canMentor,
      // A mentor's, lead's or admin's page speaks about the candidate ("Sam is at 64%"), never to them.
      stages: presentTimeline(cohort.id, stages, isSelf ? undefined : firstName),
      next: isSelf || next.text.startsWith('Every stage is done') ? next : { ...next, text: aboutCandidate(next.text, firstName), rest: next.rest.map((r) => ({ ...r, text: aboutCandidate(r.text, firstName) })) },
      // From a candidate's page their record is one tap away: competencies (with evidence), assessments, live notes.
      recordLinks: isSelf ? [] : recordLinks(cohort.id, candidateId, firstName),
      doneCount: stages.filter((s) => s.status === 'complete' || s.status === 'waived').length,
      total: stages.length,
      record,
    };
    return { model, until };
  };

  /** A candidate's timeline (the route authorised `candidate:view`, or `candidate:mentor` for a form's re-render). */
  const renderTimeline = async (req: Request, res: Response, actor: Actor, cohort: CohortRow, candidateId: string, extra: Record<string, unknown> = {}) => {
    const model = await timelineModel(actor, cohort, candidateId);
    const saved = Array.isArray(req.query.saved) ? req.query.saved[0] : req.query.saved;
    // A plain view of a kept timeline renders only the layout around its kept body; a notice or a form's errors, in full.
    if (saved === undefined && Object.keys(extra).length === 0) renderKept(res, 'progress/timeline', model);
    else res.render('progress/timeline', { ...model, saved, ...extra });
  };

  pages.get('/cohorts/:cohortId/candidates/:userId', { summary: 'A candidate’s timeline', authorize: viewCandidate }, ({ actor, subject }, req, res) => renderTimeline(req, res, actor, subject.cohort, subject.candidateId));

  pages.form(
    '/cohorts/:cohortId/candidates/:userId/waivers',
    {
      summary: 'Waive a requirement or stage (form)',
      body: waiverBody,
      authorize: mentor,
      rerender: (req, res, { error, actor, subject }) => renderTimeline(req, res, actor, subject.cohort, subject.candidateId, { error: { message: error.message, fields: error.fields } }),
    },
    async ({ body, actor, subject: { cohort, candidateId } }) => {
      await waive(ctx, actor, cohort, candidateId, body);
      return seeOther(`/cohorts/${cohort.id}/candidates/${candidateId}?saved=waiver`);
    },
  );

  pages.form(
    '/cohorts/:cohortId/candidates/:userId/waivers/:waiverId/withdrawal',
    {
      summary: 'Withdraw a waiver with a reason (form)',
      body: withdrawBody,
      authorize: mentor,
      rerender: (req, res, { error, actor, subject }) =>
        renderTimeline(req, res, actor, subject.cohort, subject.candidateId, { error: { message: error.message, fields: error.fields }, errorPrefix: `withdraw-${String(req.params.waiverId)}-` }),
    },
    async ({ body, params, actor, subject: { cohort, candidateId } }) => {
      await withdrawWaiver(ctx, actor, cohort, candidateId, params.waiverId, body);
      return seeOther(`/cohorts/${cohort.id}/candidates/${candidateId}?saved=withdrawal`);
    },
  );

  pages.form('/cohorts/:cohortId/candidates/:userId/stages/:stageId/complete', { summary: 'Mark a stage complete (form)', body: markBody, authorize: mentor }, async ({ body, params, actor, subject: { cohort, candidateId } }) => {
    await markComplete(ctx, actor, cohort, candidateId, params.stageId, body.note);
    return seeOther(`/cohorts/${cohort.id}/candidates/${candidateId}?saved=mark`);
  });

  api.get('/cohorts/:cohortId/candidates/:userId/progress', { summary: 'A candidate’s stages in order, with status and every requirement’s reason', tags, authorize: viewCandidate }, async ({ subject: { cohort, candidateId } }) => {
    const candidate = await getCandidate(ctx.db, cohort.id, candidateId);
    const stages = await candidateProgress(ctx, cohort.id, candidateId);
    return reply(plain({ candidate: { id: candidate.id, name: candidate.name }, next: nextStep(cohort.id, stages), stages: presentProgressJson(stages) }));
  });

  api.get('/cohorts/:cohortId/progress', { summary: 'Every candidate’s current stage in a cohort (mentors, leads, admins)', tags, authorize: onCohort(ctx.db, 'cohort:view-progress') }, async ({ subject: { cohort } }) => {
    const people = await cohortPeople(ctx.db, cohort.id, 'candidate');
    const progress = (await computeProgress(ctx, { cohortIds: [cohort.id] })).get(cohort.id);
    return reply(
      plain({
        candidates: people.map((p) => {
          const stages = progress?.get(p.userId) ?? [];
          const current = currentStage(stages);
          return { id: p.userId, name: p.name, current: current ? { key: current.key, title: current.title, status: current.status } : null, stages: stages.map((s) => ({ key: s.key, status: s.status })) };
        }),
      }),
    );
  });

  api.post(
    '/cohorts/:cohortId/candidates/:userId/waivers',
    { summary: 'Waive one requirement (requirementKey) or a whole stage for a candidate, with a reason (mentor)', tags, body: waiverBody, success: { status: 201, description: 'Waived; recorded in the audit trail and the ledger' }, authorize: mentor },
    async ({ body, actor, subject: { cohort, candidateId } }) => {
      const w = await waive(ctx, actor, cohort, candidateId, body);
      return reply(plain({ waiver: { id: w.id, stageId: w.cohortStageId, scope: w.scope, requirementKey: w.requirementKey, reason: w.reason, ledgerSeq: w.ledgerSeq } }));
    },
  );

  api.post(
    '/cohorts/:cohortId/candidates/:userId/waivers/:waiverId/withdrawal',
    { summary: 'Withdraw a waiver with a reason (mentor): it stops counting at once; ledgered, audited, the candidate told', tags, body: withdrawBody, success: { status: 201, description: 'The waiver, now withdrawn' }, authorize: mentor },
    async ({ body, params, actor, subject: { cohort, candidateId } }) => {
      const w = await withdrawWaiver(ctx, actor, cohort, candidateId, params.waiverId, body);
      return reply(
        plain({ waiver: { id: w.id, stageId: w.cohortStageId, scope: w.scope, requirementKey: w.requirementKey, reason: w.reason, withdrawnAt: w.withdrawnAt, withdrawalReason: w.withdrawalReason, ledgerSeq: w.ledgerSeq, withdrawalLedgerSeq: w.withdrawalLedgerSeq } }),
      );
    },
  );

  api.post(
    '/cohorts/:cohortId/candidates/:userId/stages/:stageId/complete',
    { summary: 'Mark a stage complete for a candidate (mentor)', tags, body: markBody, success: { status: 201, description: 'Marked' }, authorize: mentor },
    async ({ body, params, actor, subject: { cohort, candidateId } }) => {
      const mark = await markComplete(ctx, actor, cohort, candidateId, params.stageId, body.note);
      return reply(plain({ mark: { id: mark.id, stageId: mark.cohortStageId, candidateId: mark.candidateId } }));
    },
  );

  return [pages, api];
}
