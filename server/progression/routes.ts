/** Progress pages and API: the cohort overview, a candidate's timeline, waivers and completion marks. */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { cohortPeople, getCandidate, getCohort } from '../cohorts/queries';
import type { AppContext } from '../context';
import { ValidationError } from '../errors';
import type { RouteRegistry } from '../http/router';
import { actorOf } from '../http/request-context';
import { paramId, parse } from '../http/validate';
import { authorize, can } from '../policies';
import { computeProgress } from './engine';
import { currentStage, nextStep, presentProgressJson, presentTimeline } from './present';
import { candidateProgress, unmetReasons } from './queries';
import { markComplete, recordOf, waive } from './waivers';

const waiverBody = z.object({
  stageId: z.uuid({ message: 'must be a stage id' }),
  requirementKey: z.string().max(120).optional().nullable(),
  reason: z.string({ message: 'is required' }).trim().min(5, 'is required (at least 5 characters)').max(1000, 'must be at most 1000 characters'),
});
const markBody = z.object({ note: z.string().trim().max(1000).optional() });

/** Where a candidate lands: their timeline in their (most recent) cohort. */
export const CANDIDATE_HOME = '/me/progress';

/** Registers the progression pages and API. */
export function progressionRoutes(registry: RouteRegistry, ctx: AppContext) {
  const pages = registry.router('');
  const api = registry.router('/api/v1');
  const tags = ['progress'];

  pages.get(CANDIDATE_HOME, (req, res) => {
    const actor = actorOf(req);
    const cohorts = actor.cohortRoles.filter((c) => c.role === 'candidate');
    res.redirect(cohorts.length === 1 ? `/cohorts/${cohorts[0].cohortId}/candidates/${actor.id}` : '/cohorts');
  });

  pages.get('/cohorts/:cohortId', async (req, res) => {
    const actor = actorOf(req);
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(actor, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
    if (!can(actor, 'cohort:view-progress', { type: 'cohort', cohort })) {
      if (actor.cohortRoles.some((c) => c.cohortId === cohort.id && c.role === 'candidate')) return res.redirect(`/cohorts/${cohort.id}/candidates/${actor.id}`);
      authorize(actor, 'cohort:view-progress', { type: 'cohort', cohort });
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
    const stages = [...(progress?.values() ?? [])][0] ?? [];
    res.render('progress/cohort', {
      title: cohort.name,
      cohort,
      rows,
      stageLinks: stages.map((s) => ({ title: s.title, href: `/cohorts/${cohort.id}/stages/${s.key}` })),
      canManage: can(actor, 'cohort:manage', { type: 'cohort', cohort }),
    });
  });

  const renderTimeline = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const actor = actorOf(req);
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const candidateId = String(req.params.userId);
    authorize(actor, 'candidate:view', { type: 'candidate', cohort, candidateId }, 'That candidate');
    const candidate = await getCandidate(ctx.db, cohort.id, candidateId);
    const stages = await candidateProgress(ctx, cohort.id, candidateId);
    const isSelf = actor.id === candidateId;
    res.render('progress/timeline', {
      title: isSelf ? 'Your programme' : candidate.name,
      cohort,
      candidate,
      isSelf,
      canMentor: can(actor, 'candidate:mentor', { type: 'candidate', cohort, candidateId }),
      stages: presentTimeline(cohort.id, stages),
      next: nextStep(cohort.id, stages),
      doneCount: stages.filter((s) => s.status === 'complete' || s.status === 'waived').length,
      total: stages.length,
      record: await recordOf(ctx.db, cohort.id, candidateId),
      saved: req.query.saved,
      ...extra,
    });
  };

  pages.get('/cohorts/:cohortId/candidates/:userId', (req, res) => renderTimeline(req, res));

  pages.post('/cohorts/:cohortId/candidates/:userId/waivers', async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const candidateId = String(req.params.userId);
    authorize(actorOf(req), 'candidate:mentor', { type: 'candidate', cohort, candidateId }, 'That candidate');
    try {
      const input = parse(waiverBody, req.body, 'waiver');
      await waive(ctx, req.user, cohort, candidateId, input);
    } catch (err) {
      if (err instanceof ValidationError) return renderTimeline(req, res.status(400), { error: { message: err.message, fields: err.fields } });
      throw err;
    }
    res.redirect(303, `/cohorts/${cohort.id}/candidates/${candidateId}?saved=waiver`);
  });

  pages.post('/cohorts/:cohortId/candidates/:userId/stages/:stageId/complete', async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const candidateId = String(req.params.userId);
    await markComplete(ctx, req.user, cohort, candidateId, String(req.params.stageId), parse(markBody, req.body, 'mark').note);
    res.redirect(303, `/cohorts/${cohort.id}/candidates/${candidateId}?saved=mark`);
  });

  api.get('/cohorts/:cohortId/candidates/:userId/progress', { summary: 'A candidate’s stages in order, with status and every requirement’s reason', tags }, async (req, res) => {
    const actor = actorOf(req);
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const candidateId = paramId(req.params.userId, 'userId');
    authorize(actor, 'candidate:view', { type: 'candidate', cohort, candidateId }, 'That candidate');
    const candidate = await getCandidate(ctx.db, cohort.id, candidateId);
    const stages = await candidateProgress(ctx, cohort.id, candidateId);
    res.json({ candidate: { id: candidate.id, name: candidate.name }, next: nextStep(cohort.id, stages), stages: presentProgressJson(stages) });
  });

  api.get('/cohorts/:cohortId/progress', { summary: 'Every candidate’s current stage in a cohort (mentors, leads, admins)', tags }, async (req, res) => {
    const actor = actorOf(req);
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(actor, 'cohort:view-progress', { type: 'cohort', cohort }, 'That cohort');
    const people = await cohortPeople(ctx.db, cohort.id, 'candidate');
    const progress = (await computeProgress(ctx, { cohortIds: [cohort.id] })).get(cohort.id);
    res.json({
      candidates: people.map((p) => {
        const stages = progress?.get(p.userId) ?? [];
        const current = currentStage(stages);
        return { id: p.userId, name: p.name, current: current ? { key: current.key, title: current.title, status: current.status } : null, stages: stages.map((s) => ({ key: s.key, status: s.status })) };
      }),
    });
  });

  api.post('/cohorts/:cohortId/candidates/:userId/waivers', { summary: 'Waive one requirement (requirementKey) or a whole stage for a candidate, with a reason (mentor)', tags, body: waiverBody, success: { status: 201, description: 'Waived; recorded in the audit trail and the ledger' } }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const candidateId = String(req.params.userId);
    authorize(actorOf(req), 'candidate:mentor', { type: 'candidate', cohort, candidateId }, 'That candidate');
    const w = await waive(ctx, req.user, cohort, candidateId, parse(waiverBody, req.body, 'waiver'));
    res.status(201).json({ waiver: { id: w.id, stageId: w.cohortStageId, scope: w.scope, requirementKey: w.requirementKey, reason: w.reason, ledgerSeq: w.ledgerSeq } });
  });

  api.post('/cohorts/:cohortId/candidates/:userId/stages/:stageId/complete', { summary: 'Mark a stage complete for a candidate (mentor)', tags, body: markBody, success: { status: 201, description: 'Marked' } }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const mark = await markComplete(ctx, req.user, cohort, String(req.params.userId), String(req.params.stageId), parse(markBody, req.body, 'mark').note);
    res.status(201).json({ mark: { id: mark.id, stageId: mark.cohortStageId, candidateId: mark.candidateId } });
  });

  return [pages, api];
}
