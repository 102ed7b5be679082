/** JSON API for rubrics and assessments. */
import { z } from 'zod';
import type { AppContext } from '../context';
import { getCandidate } from '../cohorts/queries';
import { onCandidate, onProvider } from '../http/grants';
import { plain, reply } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { text } from '../http/validate';
import { assessmentGrant, createRubric, recordAssessment } from './commands';
import { candidateAssessments, listRubrics, loadRubric } from './queries';
import { assessmentInput, rubricInput } from './schemas';

const assessmentBody = assessmentInput.extend({ rubric: text(80) });
const assessmentQuery = z.object({ rubric: z.string().max(80).optional() });

/** Mounts /api/v1 rubric and assessment routes. */
export function rubricApiRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/api/v1');
  const tags = ['rubrics'];

  r.get('/rubrics', { summary: 'Rubrics in use', tags, authorize: 'signed-in' }, async () => reply(plain({ rubrics: await listRubrics(ctx.db) })));

  r.get('/rubrics/:rubric', { summary: 'One rubric (by key or id) with its levels, criteria and descriptors', tags, authorize: 'signed-in' }, async ({ params }) =>
    reply(plain({ rubric: await loadRubric(ctx.db, params.rubric) })),
  );

  r.post('/rubrics', { summary: 'Create a rubric: criteria × ordered levels, weights, must-pass criteria and a pass threshold (admin)', tags, body: rubricInput, success: { status: 201, description: 'Created' }, authorize: onProvider('provider:manage') }, async ({ body, actor }) => {
    const rubric = await createRubric(ctx.db, actor.id, body);
    return reply(plain({ rubric: await loadRubric(ctx.db, rubric.id) }));
  });

  r.get(
    '/cohorts/:cohortId/candidates/:userId/assessments',
    { summary: 'A candidate’s assessments, grouped by rubric and context, side by side with the assessors’ agreement', tags, query: assessmentQuery, authorize: onCandidate(ctx.db, 'candidate:view') },
    async ({ query, subject: { cohort, candidateId } }) => {
      await getCandidate(ctx.db, cohort.id, candidateId);
      const rubricId = query.rubric ? (await loadRubric(ctx.db, query.rubric)).id : undefined;
      return reply(plain({ groups: await candidateAssessments(ctx.db, cohort.id, candidateId, rubricId) }));
    },
  );

  r.post(
    '/cohorts/:cohortId/candidates/:userId/assessments',
    {
      summary: 'Record an assessment against a rubric (mentor or shadow by a mentor of the cohort; self by the candidate). Never overwrites.',
      tags,
      body: assessmentBody,
      success: { status: 201, description: 'The assessment with its score' },
      authorize: (req, { params }) => assessmentGrant(ctx.db, req.user, params),
    },
    async ({ body: { rubric: rubricRef, ...body }, actor, subject: { cohort, candidateId } }) => {
      await getCandidate(ctx.db, cohort.id, candidateId);
      const rubric = await loadRubric(ctx.db, rubricRef);
      const { assessment, score } = await recordAssessment(ctx, actor, cohort, candidateId, rubric, body);
      return reply(plain({ assessment, score }));
    },
  );

  return [r];
}
