/** JSON API for sign-offs: the competency map, requests, the mentors' queue, decisions and bulk sign-off. */
import type { AppContext } from '../context';
import { getCandidate, getCohort } from '../cohorts/queries';
import { competencyMap, frameworkTree, listFrameworks } from '../competencies/queries';
import { evidenceUpload } from '../evidence/store';
import type { RouteRegistry } from '../http/router';
import { parse, paramId } from '../http/validate';
import { verifyLedger } from '../ledger';
import { authorize } from '../policies';
import { bulkSignoff, decideSignoff, requestSignoff } from './commands';
import { mayRequestFor } from './form';
import { requestInCohort } from './load';
import { decisionsFor, evidenceFor, mentorQueue } from './queries';
import { bulkInput, decisionInput, normaliseRequestBody, requestInput } from './schemas';

/** Mounts /api/v1 sign-off, competency and ledger routes. */
export function signoffApiRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/api/v1');
  const tags = ['sign-offs'];

  r.get('/competency-frameworks', { summary: 'Competency frameworks', tags: ['competencies'] }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    res.json({ frameworks: await listFrameworks(ctx.db) });
  });

  r.get('/cohorts/:cohortId/competency-framework', { summary: 'The cohort’s competency framework: areas and competencies', tags: ['competencies'] }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
    res.json({ framework: cohort.frameworkId ? await frameworkTree(ctx.db, cohort.frameworkId) : null });
  });

  r.get('/cohorts/:cohortId/candidates/:userId/competencies', { summary: 'A candidate’s competency map: status of each competency, with evidence and decisions', tags }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const candidateId = paramId(req.params.userId, 'userId');
    authorize(req.user, 'candidate:view', { type: 'candidate', cohort, candidateId }, 'That candidate');
    const candidate = await getCandidate(ctx.db, cohort.id, candidateId);
    res.json({ candidate, map: await competencyMap(ctx.db, cohort, candidateId) });
  });

  r.post(
    '/cohorts/:cohortId/candidates/:userId/signoffs',
    {
      summary: 'Request sign-off of a competency (or resubmit a declined one) with a reflection and evidence',
      description: 'JSON with `references`, or multipart/form-data with up to 5 `files` (PDF, images, video, Word; send the CSRF token in `x-csrf-token`).',
      tags,
      body: requestInput,
      multipart: true,
      success: { status: 201, description: 'The request, now pending' },
    },
    mayRequestFor(ctx),
    evidenceUpload(ctx.config.evidenceMaxBytes),
    async (req, res) => {
      const cohort = await getCohort(ctx.db, String(req.params.cohortId));
      const candidateId = paramId(req.params.userId, 'userId');
      authorize(req.user, 'candidate:act-as-self', { type: 'candidate', cohort, candidateId }, 'That candidate');
      const body = parse(requestInput, normaliseRequestBody(req.body), 'sign-off request');
      const uploaded = Array.isArray(req.files) ? req.files : [];
      const { request, resubmitted } = await requestSignoff(ctx, req.user, cohort, candidateId, { ...body, files: uploaded });
      const evidence = (await evidenceFor(ctx.db, [request.id])).get(request.id) ?? [];
      res.status(resubmitted ? 200 : 201).json({ request, resubmitted, evidence });
    },
  );

  r.get('/cohorts/:cohortId/signoffs', { summary: 'The mentors’ queue: requests waiting for a decision or a countersignature, oldest first', tags }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'cohort:mentor', { type: 'cohort', cohort }, 'That cohort');
    const queue = await mentorQueue(ctx.db, cohort.id);
    const evidence = await evidenceFor(ctx.db, queue.map((q) => q.r.id));
    res.json({
      queue: queue.map((q) => ({ ...q.r, candidateName: q.candidateName, competencyName: q.competencyName, competencyCode: q.competencyCode, safetyCritical: q.safetyCritical, waitingSince: q.waitingSince, evidence: evidence.get(q.r.id) ?? [] })),
    });
  });

  r.get('/cohorts/:cohortId/signoffs/:requestId', { summary: 'One sign-off request with its evidence and decisions', tags }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
    const request = await requestInCohort(ctx.db, cohort.id, String(req.params.requestId));
    authorize(req.user, 'candidate:view', { type: 'candidate', cohort, candidateId: request.candidateId }, 'That sign-off request');
    const [evidence, decisions] = await Promise.all([evidenceFor(ctx.db, [request.id]), decisionsFor(ctx.db, [request.id])]);
    res.json({ request, evidence: evidence.get(request.id) ?? [], decisions: decisions.get(request.id) ?? [] });
  });

  r.post(
    '/cohorts/:cohortId/signoffs/:requestId/decisions',
    { summary: 'A mentor’s decision: sign_off (rating), decline, more_evidence, countersign or revoke (note required to decline, ask or revoke)', tags, body: decisionInput, success: { status: 201, description: 'The request after the decision' } },
    async (req, res) => {
      const cohort = await getCohort(ctx.db, String(req.params.cohortId));
      authorize(req.user, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
      const body = parse(decisionInput, req.body, 'decision');
      const request = await decideSignoff(ctx, req.user, cohort, String(req.params.requestId), body);
      res.status(201).json({ request });
    },
  );

  r.post(
    '/cohorts/:cohortId/signoffs/bulk',
    { summary: 'Bulk sign-off: one competency for several candidates (each its own request, decision and ledger entry)', tags, body: bulkInput, success: { status: 201, description: 'Who was signed off and who was skipped, with why' } },
    async (req, res) => {
      const cohort = await getCohort(ctx.db, String(req.params.cohortId));
      authorize(req.user, 'cohort:mentor', { type: 'cohort', cohort }, 'That cohort');
      const body = parse(bulkInput, req.body, 'bulk sign-off');
      res.status(201).json(await bulkSignoff(ctx, req.user, cohort, body));
    },
  );

  r.get('/ledger/verify', { summary: 'Recompute the sign-off ledger’s hash chain (admin)', tags: ['ledger'] }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    res.json(await verifyLedger(ctx.db));
  });

  return [r];
}
