/** Sign-off pages: the candidate's competency map with the request form, the mentors' queue, bulk sign-off. */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { cohortPeople, getCandidate, getCohort, type CohortRow } from '../cohorts/queries';
import { competencyMap, frameworkTree } from '../competencies/queries';
import type { AppError } from '../errors';
import { UploadError } from '../errors';
import { ACCEPT_ATTRIBUTE, ACCEPTED_LIST } from '../evidence/sniff';
import { evidenceUpload, MAX_FILES, megabytes } from '../evidence/store';
import type { RouteRegistry } from '../http/router';
import { actorOf } from '../http/request-context';
import { parse, paramId } from '../http/validate';
import { authorize, can } from '../policies';
import { bulkSignoff, decideSignoff, requestSignoff } from './commands';
import { formAction } from '../http/forms';
import { mayRequestFor } from './form';
import { decisionsFor, evidenceFor, mentorQueue } from './queries';
import { asList, bulkInput, decisionInput, normaliseRequestBody, requestInput } from './schemas';

const DONE: Record<string, string> = {
  requested: 'Your request was sent to your mentors. You will get a notification when one of them decides.',
  resubmitted: 'Your request was resubmitted to your mentors.',
  sign_off: 'Signed off. The candidate has been told.',
  countersign: 'Countersigned. The sign-off now counts.',
  decline: 'Declined with your feedback. The candidate can resubmit.',
  more_evidence: 'Asked for more evidence. The candidate has been told what is missing.',
  revoke: 'The sign-off was revoked. It no longer counts.',
  bulk: 'Bulk sign-off recorded.',
};

function daysWaiting(since: Date, now = new Date()): string {
  const days = Math.floor((now.getTime() - since.getTime()) / 86_400_000);
  return days <= 0 ? 'today' : days === 1 ? '1 day' : `${days} days`;
}

/** Mounts the sign-off pages under /cohorts/:cohortId. */
export function signoffPageRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/cohorts/:cohortId');

  async function renderMap(req: Request, res: Response, cohort: CohortRow, candidateId: string, extra: Record<string, unknown> = {}) {
    const actor = actorOf(req);
    authorize(actor, 'candidate:view', { type: 'candidate', cohort, candidateId }, 'That candidate');
    const candidate = await getCandidate(ctx.db, cohort.id, candidateId);
    const map = await competencyMap(ctx.db, cohort, candidateId);
    const self = can(actor, 'candidate:act-as-self', { type: 'candidate', cohort, candidateId });
    res.render('signoffs/map', {
      title: self ? 'Your competencies' : `${candidate.name} — competencies`,
      cohort,
      candidate,
      map,
      self,
      can: { request: self, mentor: can(actor, 'cohort:mentor', { type: 'cohort', cohort }) },
      upload: { accept: ACCEPT_ATTRIBUTE, types: ACCEPTED_LIST, maxSize: megabytes(ctx.config.evidenceMaxBytes), maxFiles: MAX_FILES },
      done: DONE[String(req.query.done ?? '')],
      // "Attach as evidence" on a live-feedback timeline arrives here with the note's id to pre-fill.
      evidenceNote: typeof req.query.evidenceNote === 'string' && /^[0-9a-f-]{36}$/i.test(req.query.evidenceNote) ? req.query.evidenceNote : undefined,
      ...extra,
    });
  }

  r.get('/candidates/:userId/competencies', async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    await renderMap(req, res, cohort, paramId(req.params.userId, 'userId'));
  });

  r.post('/candidates/:userId/competencies/:competencyId/request', mayRequestFor(ctx), evidenceUpload(ctx.config.evidenceMaxBytes, { defer: true }), async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const candidateId = paramId(req.params.userId, 'userId');
    const competencyId = String(req.params.competencyId);
    await formAction(
      res,
      async () => {
        const uploadError = res.locals.uploadError as UploadError | undefined;
        if (uploadError) throw uploadError;
        const body = parse(requestInput, { ...normaliseRequestBody(req.body), competencyId }, 'sign-off request');
        const { resubmitted } = await requestSignoff(ctx, actorOf(req), cohort, candidateId, { ...body, files: Array.isArray(req.files) ? req.files : [] });
        return `/cohorts/${cohort.id}/candidates/${candidateId}/competencies?done=${resubmitted ? 'resubmitted' : 'requested'}#competency-${competencyId}`;
      },
      (error) => renderMap(req, res, cohort, candidateId, { error, errorFor: competencyId, form: req.body }),
    );
  });

  async function renderQueue(req: Request, res: Response, cohort: CohortRow, extra: Record<string, unknown> = {}) {
    const actor = actorOf(req);
    authorize(actor, 'cohort:mentor', { type: 'cohort', cohort }, 'That cohort');
    const queue = await mentorQueue(ctx.db, cohort.id);
    const ids = queue.map((q) => q.r.id);
    const [evidence, decisions, tree] = await Promise.all([evidenceFor(ctx.db, ids), decisionsFor(ctx.db, ids), cohort.frameworkId ? frameworkTree(ctx.db, cohort.frameworkId) : null]);
    const scale = tree?.ratingScale ?? { levels: [], competentFrom: 0 };
    res.render('signoffs/queue', {
      title: 'Sign-off queue',
      cohort,
      items: queue.map((q) => ({
        ...q.r,
        candidateName: q.candidateName,
        competencyName: q.competencyName,
        competencyCode: q.competencyCode,
        safetyCritical: q.safetyCritical,
        waiting: daysWaiting(q.waitingSince),
        waitingSince: q.waitingSince,
        evidence: evidence.get(q.r.id) ?? [],
        history: decisions.get(q.r.id) ?? [],
        ratingLabel: q.r.rating !== null ? scale.levels[q.r.rating] : null,
        mayCountersign: q.r.status === 'awaiting_countersign' && q.r.signedBy !== actor.id,
        ownSignature: q.r.status === 'awaiting_countersign' && q.r.signedBy === actor.id,
        isPending: q.r.status === 'pending',
      })),
      ratings: scale.levels.map((label, value) => ({ label, value })).filter((l) => l.value >= scale.competentFrom),
      done: DONE[String(req.query.done ?? '')],
      ...extra,
    });
  }

  r.get('/signoffs', async (req, res) => renderQueue(req, res, await getCohort(ctx.db, String(req.params.cohortId))));

  r.post('/signoffs/:requestId/decision', async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
    const body = req.body as Record<string, unknown>;
    const back = typeof body.back === 'string' && body.back.startsWith(`/cohorts/${cohort.id}/`) ? body.back : `/cohorts/${cohort.id}/signoffs`;
    await formAction(
      res,
      async () => {
        const input = parse(decisionInput, { action: body.action, rating: body.rating || undefined, note: body.note }, 'decision');
        await decideSignoff(ctx, actorOf(req), cohort, String(req.params.requestId), input);
        return `${back.split('?')[0].split('#')[0]}?done=${input.action}`;
      },
      (error: AppError) => {
        const fromMap = /^\/cohorts\/[^/]+\/candidates\/([0-9a-f-]{36})\/competencies$/.exec(back);
        const extra = { error, errorFor: String(req.params.requestId), form: body };
        return fromMap ? renderMap(req, res, cohort, fromMap[1], extra) : renderQueue(req, res, cohort, extra);
      },
    );
  });

  async function renderBulk(req: Request, res: Response, cohort: CohortRow, extra: Record<string, unknown> = {}) {
    authorize(req.user, 'cohort:mentor', { type: 'cohort', cohort }, 'That cohort');
    const tree = cohort.frameworkId ? await frameworkTree(ctx.db, cohort.frameworkId) : null;
    const candidates = await cohortPeople(ctx.db, cohort.id, 'candidate');
    const scale = tree?.ratingScale ?? { levels: [], competentFrom: 0 };
    res.render('signoffs/bulk', {
      title: 'Bulk sign-off',
      cohort,
      areas: tree?.areas ?? [],
      candidates,
      ratings: scale.levels.map((label, value) => ({ label, value })).filter((l) => l.value >= scale.competentFrom),
      ...extra,
    });
  }

  r.get('/signoffs/bulk', async (req, res) => renderBulk(req, res, await getCohort(ctx.db, String(req.params.cohortId))));

  r.post('/signoffs/bulk', async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'cohort:mentor', { type: 'cohort', cohort }, 'That cohort');
    const body = req.body as Record<string, unknown>;
    try {
      const input = parse(bulkInput, { competencyId: body.competencyId, candidateIds: asList(body.candidateIds), rating: body.rating, note: body.note }, 'bulk sign-off');
      const result = await bulkSignoff(ctx, actorOf(req), cohort, input);
      const people = new Map((await cohortPeople(ctx.db, cohort.id, 'candidate')).map((p) => [p.userId, p.name]));
      await renderBulk(req, res, cohort, {
        result: {
          signed: result.signed.map((s) => ({ name: people.get(s.candidateId), countersign: s.status === 'awaiting_countersign' })),
          skipped: result.skipped.map((s) => ({ name: people.get(s.candidateId), reason: s.reason })),
        },
      });
    } catch (err) {
      const e = err as AppError;
      if (!(e && typeof e.status === 'number' && [400, 409].includes(e.status))) throw err;
      res.status(e.status);
      await renderBulk(req, res, cohort, { error: e, form: body });
    }
  });

  return [r];
}
