/** JSON API for rubrics and assessments. */
import { z } from 'zod';
import type { AppContext } from '../context';
import { getCandidate, getCohort } from '../cohorts/queries';
import type { RouteRegistry } from '../http/router';
import { parse, paramId, text } from '../http/validate';
import { authorize } from '../policies';
import { createRubric, recordAssessment } from './commands';
import { candidateAssessments, listRubrics, loadRubric } from './queries';
import { assessmentInput, rubricInput } from './schemas';

const assessmentBody = assessmentInput.extend({ rubric: text(80) });

/** Mounts /api/v1 rubric and assessment routes. */
export function rubricApiRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/api/v1');
  const tags = ['rubrics'];

  r.get('/rubrics', { summary: 'Rubrics in use', tags }, async (req, res) => {
    res.json({ rubrics: await listRubrics(ctx.db) });
  });

  r.get('/rubrics/:rubric', { summary: 'One rubric (by key or id) with its levels, criteria and descriptors', tags }, async (req, res) => {
    res.json({ rubric: await loadRubric(ctx.db, String(req.params.rubric)) });
  });

  r.post('/rubrics', { summary: 'Create a rubric: criteria × ordered levels, weights, must-pass criteria and a pass threshold (admin)', tags, body: rubricInput, success: { status: 201, description: 'Created' } }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    const body = parse(rubricInput, req.body, 'rubric');
    const rubric = await createRubric(ctx.db, req.user.id, body);
    res.status(201).json({ rubric: await loadRubric(ctx.db, rubric.id) });
  });

  r.get(
    '/cohorts/:cohortId/candidates/:userId/assessments',
    { summary: 'A candidate’s assessments, grouped by rubric and context, side by side with the assessors’ agreement', tags, query: z.object({ rubric: z.string().optional() }) },
    async (req, res) => {
      const cohort = await getCohort(ctx.db, String(req.params.cohortId));
      const candidateId = paramId(req.params.userId, 'userId');
      authorize(req.user, 'candidate:view', { type: 'candidate', cohort, candidateId }, 'That candidate');
      await getCandidate(ctx.db, cohort.id, candidateId);
      const rubricId = typeof req.query.rubric === 'string' ? (await loadRubric(ctx.db, req.query.rubric)).id : undefined;
      res.json({ groups: await candidateAssessments(ctx.db, cohort.id, candidateId, rubricId) });
    },
  );

  r.post(
    '/cohorts/:cohortId/candidates/:userId/assessments',
    { summary: 'Record an assessment against a rubric (mentor or shadow by a mentor of the cohort; self by the candidate). Never overwrites.', tags, body: assessmentBody, success: { status: 201, description: 'The assessment with its score' } },
    async (req, res) => {
      const cohort = await getCohort(ctx.db, String(req.params.cohortId));
      const candidateId = paramId(req.params.userId, 'userId');
      authorize(req.user, 'candidate:view', { type: 'candidate', cohort, candidateId }, 'That candidate');
      await getCandidate(ctx.db, cohort.id, candidateId);
      const { rubric: rubricRef, ...body } = parse(assessmentBody, req.body, 'assessment');
      const rubric = await loadRubric(ctx.db, rubricRef);
      const { assessment, score } = await recordAssessment(ctx, req.user, cohort, candidateId, rubric, body);
      res.status(201).json({ assessment, score });
    },
  );

  return [r];
}
