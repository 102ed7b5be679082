/** JSON API for sign-offs: the competency map, requests, the mentors' queue, decisions and bulk sign-off. */
import { z } from 'zod';
import type { AppContext } from '../context';
import { getCandidate } from '../cohorts/queries';
import { competencyMap, frameworkTree, listFrameworks } from '../competencies/queries';
import { evidenceUpload } from '../evidence/store';
import { onCandidate, onCohort, onProvider } from '../http/grants';
import { presenter, reply } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { verifyRecord } from '../ledger/verify';
import { bulkSignoff, decideSignoff, requestSignoff } from './commands';
import { decisionGrant } from './load';
import { presentRequest, requestView } from './present';
import { decisionsFor, evidenceFor, mentorQueue } from './queries';
import { bulkInput, decisionInput, requestInput } from './schemas';

/** Reads that already pick their fields (frameworks, maps, results) pass through as they are. */
const present = presenter(<T extends object>(value: T) => value);

/** Mounts /api/v1 sign-off, competency and ledger routes. */
export function signoffApiRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/api/v1');
  const tags = ['sign-offs'];

  r.get('/competency-frameworks', { summary: 'Competency frameworks', tags: ['competencies'], authorize: onProvider('provider:manage') }, async () =>
    reply(present({ frameworks: (await listFrameworks(ctx.db)).map((f) => ({ id: f.id, name: f.name, description: f.description, ratingScale: f.ratingScale, createdAt: f.createdAt })) })),
  );

  r.get('/cohorts/:cohortId/competency-framework', { summary: 'The cohort’s competency framework: areas and competencies', tags: ['competencies'], authorize: onCohort(ctx.db, 'cohort:view') }, async ({ subject: { cohort } }) =>
    reply(present({ framework: cohort.frameworkId ? await frameworkTree(ctx.db, cohort.frameworkId) : null })),
  );

  r.get(
    '/cohorts/:cohortId/candidates/:userId/competencies',
    { summary: 'A candidate’s competency map: status of each competency, with evidence and decisions', tags, authorize: onCandidate(ctx.db, 'candidate:view') },
    async ({ subject: { cohort, candidateId } }) => {
      const candidate = await getCandidate(ctx.db, cohort.id, candidateId);
      return reply(present({ candidate, map: await competencyMap(ctx, cohort, candidateId) }));
    },
  );

  r.form(
    '/cohorts/:cohortId/candidates/:userId/signoffs',
    {
      summary: 'Request sign-off of a competency (or resubmit a declined one) with a reflection and evidence',
      description: 'JSON with `references`, or multipart/form-data with up to 5 `files` (PDF, images, video, Word; send the CSRF token in `x-csrf-token`) and `references` as JSON text.',
      tags,
      body: requestInput,
      multipart: true,
      upload: evidenceUpload(ctx.storage, ctx.config.evidenceMaxBytes),
      success: { status: 201, description: 'The request, now pending' },
      authorize: onCandidate(ctx.db, 'candidate:act-as-self'),
    },
    async ({ body, actor, subject: { cohort, candidateId } }, req) => {
      const uploaded = Array.isArray(req.files) ? req.files : [];
      const { request, resubmitted } = await requestSignoff(ctx, actor, cohort, candidateId, { ...body, files: uploaded });
      const evidence = (await evidenceFor(ctx, [request.id])).get(request.id) ?? [];
      return reply(presentRequest(actor, cohort, request, { resubmitted, evidence }), resubmitted ? 200 : 201);
    },
  );

  r.get('/cohorts/:cohortId/signoffs', { summary: 'The mentors’ queue: requests waiting for a decision or a countersignature, oldest first', tags, authorize: onCohort(ctx.db, 'cohort:mentor') }, async ({ actor, subject: { cohort } }) => {
    const queue = await mentorQueue(ctx.db, cohort.id, actor.id);
    const evidence = await evidenceFor(ctx, queue.map((q) => q.r.id));
    return reply(
      present({
        queue: queue.map((q) => ({ ...requestView(actor, cohort, q.r), candidateName: q.candidateName, competencyName: q.competencyName, competencyCode: q.competencyCode, safetyCritical: q.safetyCritical, waitingSince: q.waitingSince, evidence: evidence.get(q.r.id) ?? [] })),
      }),
    );
  });

  r.get(
    '/cohorts/:cohortId/signoffs/:requestId',
    { summary: 'One sign-off request with its evidence and decisions', tags, authorize: (req, { params }) => decisionGrant(ctx.db, req.user, params, 'candidate:view') },
    async ({ actor, subject: { cohort, request } }) => {
      const [evidence, decisions] = await Promise.all([evidenceFor(ctx, [request.id]), decisionsFor(ctx.db, [request.id])]);
      return reply(presentRequest(actor, cohort, request, { evidence: evidence.get(request.id) ?? [], decisions: decisions.get(request.id) ?? [] }));
    },
  );

  r.post(
    '/cohorts/:cohortId/signoffs/:requestId/decisions',
    {
      summary: 'A mentor’s decision: sign_off (rating), decline, more_evidence, countersign or revoke (note required to decline, ask or revoke)',
      tags,
      body: decisionInput,
      success: { status: 201, description: 'The request after the decision' },
      authorize: (req, { params }) => decisionGrant(ctx.db, req.user, params),
    },
    async ({ body, actor, subject: { cohort, request } }) => reply(presentRequest(actor, cohort, await decideSignoff(ctx, actor, cohort, request, body))),
  );

  r.post(
    '/cohorts/:cohortId/signoffs/bulk',
    { summary: 'Bulk sign-off: one competency for several candidates (each its own request, decision and ledger entry)', tags, body: bulkInput, success: { status: 201, description: 'Who was signed off and who was skipped, with why' }, authorize: onCohort(ctx.db, 'cohort:mentor') },
    async ({ body, actor, subject: { cohort } }) => reply(present(await bulkSignoff(ctx, actor, cohort, body))),
  );

  r.get('/ledger/verify', { summary: 'The full check of the record (admin): the ledger’s hash chain, and every table the app shows against it', tags: ['ledger'], query: z.object({}), authorize: onProvider('provider:manage') }, async () => reply(present(await verifyRecord(ctx.db, ctx.registry.projections))));

  return [r];
}
