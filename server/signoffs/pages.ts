/** Sign-off pages: the candidate's competency map with the request form, the mentors' queue, bulk sign-off. */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { cohortPeople, getCandidate, type CohortRow } from '../cohorts/queries';
import { competencyMap, frameworkTree } from '../competencies/queries';
import type { Actor } from '../auth/actor';
import { ACCEPT_ATTRIBUTE, ACCEPTED_LIST } from '../evidence/sniff';
import { evidenceUpload, MAX_FILES, megabytes } from '../evidence/store';
import { onCandidate, onCohort } from '../http/grants';
import { seeOther } from '../http/present';
import { sameOriginPath } from '../http/redirects';
import type { RouteRegistry } from '../http/router';
import { can } from '../policies';
import { bulkSignoff, decideSignoff, requestSignoff } from './commands';
import { decisionGrant } from './load';
import { decisionsFor, evidenceFor, holdersOf, mentorQueue } from './queries';
import { asList, attachForm, bulkForm, decisionForm, pageQuery, requestForm } from './schemas';
import { choiceValue, evidenceChoices, fromChoiceValue } from '../evidence/describe';
import { resolveEvidence } from '../evidence/kinds';

/** The evidence kind a live-feedback timeline attaches. */
const LIVE_NOTE = 'co-delivery:live-note';

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

  /** The competency map (the route authorised `candidate:view`, or `candidate:mentor` for a decision's re-render). */
  async function renderMap(req: Request, res: Response, actor: Actor, cohort: CohortRow, candidateId: string, extra: Record<string, unknown> = {}) {
    const query = pageQuery.parse(req.query);
    const candidate = await getCandidate(ctx.db, cohort.id, candidateId);
    const map = await competencyMap(ctx, cohort, candidateId);
    const self = can(actor, 'candidate:act-as-self', { type: 'candidate', cohort, candidateId });
    // Evidence is chosen from lists (never typed): the candidate's notes, sessions and registers, in words.
    const choices = self && map ? await evidenceChoices(ctx, { cohortId: cohort.id, candidateId }) : [];
    // A failed "attach" post re-renders with the note it carried.
    const carried = extra.errorFor === 'attach' ? asList((extra.form as { evidence?: unknown } | undefined)?.evidence).map(fromChoiceValue).find((r) => r?.refType === LIVE_NOTE)?.refId : undefined;
    const noteId = query.evidenceNote ?? carried;
    const attach = self && map && noteId ? await attachedNote(cohort.id, candidateId, noteId) : null;
    const checked = new Set([...(attach ? [attach.value] : []), ...asList((extra.form as { evidence?: unknown } | undefined)?.evidence)]);
    res.render('signoffs/map', {
      title: self ? 'Your competencies' : `${candidate.name} — competencies`,
      cohort,
      candidate,
      map,
      self,
      can: { request: self, queue: can(actor, 'cohort:mentor', { type: 'cohort', cohort }), mentor: can(actor, 'candidate:mentor', { type: 'candidate', cohort, candidateId }) },
      upload: { accept: ACCEPT_ATTRIBUTE, types: ACCEPTED_LIST, maxSize: megabytes(ctx.config.evidenceMaxBytes), maxFiles: MAX_FILES },
      done: query.done && DONE[query.done],
      choices: choices.map((g) => ({ ...g, options: g.options.map((o) => ({ ...o, checked: checked.has(o.value) })) })),
      // "Attach as evidence" on a live-feedback timeline arrives here with the note: it is shown, the competency picked.
      attach: attach && { ...attach, competencies: map ? map.areas.flatMap((a) => a.competencies.filter((c) => c.canRequest).map((c) => ({ id: c.id, name: c.name, code: c.code, selected: c.id === (extra.form as { competencyId?: string } | undefined)?.competencyId }))) : [] },
      ...extra,
    });
  }

  /** The note a timeline's "Attach as evidence" names, in words — only when it is on this candidate's record. */
  async function attachedNote(cohortId: string, candidateId: string, noteId: string) {
    const [answer] = await resolveEvidence(ctx, { cohortId, candidateId, actorId: candidateId }, [{ refType: LIVE_NOTE, refId: noteId }]);
    if (!answer.evidence?.belongs) return null;
    return { value: choiceValue(LIVE_NOTE, noteId), noteId, label: answer.evidence.label, description: answer.evidence.description, href: answer.evidence.href };
  }

  r.get('/candidates/:userId/competencies', { summary: 'A candidate’s competency map', authorize: onCandidate(ctx.db, 'candidate:view') }, async ({ actor, subject }, req, res) =>
    renderMap(req, res, actor, subject.cohort, subject.candidateId),
  );

  r.form(
    '/candidates/:userId/competencies/:competencyId/request',
    {
      summary: 'Request sign-off (form)',
      body: requestForm,
      upload: evidenceUpload(ctx.storage, ctx.config.evidenceMaxBytes),
      authorize: onCandidate(ctx.db, 'candidate:act-as-self'),
      rerender: (req, res, { error, values, actor, subject, params }) => renderMap(req, res, actor, subject.cohort, subject.candidateId, { error, errorFor: params.competencyId, form: values }),
    },
    async ({ body, params, actor, subject: { cohort, candidateId } }, req) => {
      const { resubmitted } = await requestSignoff(ctx, actor, cohort, candidateId, { ...body, competencyId: params.competencyId, files: Array.isArray(req.files) ? req.files : [] });
      return seeOther(`/cohorts/${cohort.id}/candidates/${candidateId}/competencies?done=${resubmitted ? 'resubmitted' : 'requested'}#competency-${params.competencyId}`);
    },
  );

  r.form(
    '/candidates/:userId/competencies/request',
    {
      summary: 'Request sign-off with attached evidence, choosing the competency (form)',
      body: attachForm,
      upload: evidenceUpload(ctx.storage, ctx.config.evidenceMaxBytes),
      authorize: onCandidate(ctx.db, 'candidate:act-as-self'),
      rerender: (req, res, { error, values, actor, subject }) => renderMap(req, res, actor, subject.cohort, subject.candidateId, { error, errorFor: 'attach', form: values }),
    },
    async ({ body, actor, subject: { cohort, candidateId } }, req) => {
      const { resubmitted } = await requestSignoff(ctx, actor, cohort, candidateId, { ...body, files: Array.isArray(req.files) ? req.files : [] });
      return seeOther(`/cohorts/${cohort.id}/candidates/${candidateId}/competencies?done=${resubmitted ? 'resubmitted' : 'requested'}#competency-${body.competencyId}`);
    },
  );

  /** The mentors' queue, or one request of it (the route authorised `cohort:mentor`, or `candidate:mentor` for one
   * request and a decision's re-render). */
  async function renderQueue(req: Request, res: Response, actor: Actor, cohort: CohortRow, extra: Record<string, unknown> = {}, requestId?: string) {
    const queue = await mentorQueue(ctx.db, cohort.id, actor.id, requestId);
    const ids = queue.map((q) => q.r.id);
    const [evidence, decisions, tree] = await Promise.all([evidenceFor(ctx, ids), decisionsFor(ctx.db, ids), cohort.frameworkId ? frameworkTree(ctx.db, cohort.frameworkId) : null]);
    const scale = tree?.ratingScale ?? { levels: [], competentFrom: 0 };
    const one = requestId ? queue[0] : undefined;
    res.render('signoffs/queue', {
      title: one ? `${one.candidateName} — ${one.competencyName}` : 'Sign-off queue',
      cohort,
      single: one ? { candidateName: one.candidateName, competencyName: one.competencyName } : null,
      // The headline counts what the mentor can decide now, by the same rule as the dashboard's count.
      forYou: queue.filter((q) => q.forYou).length,
      others: queue.filter((q) => !q.forYou).length,
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
        // A mentor who is also this request's candidate sees it, but never a form to decide it (waitingForMentor says so).
        ownRecord: q.r.candidateId === actor.id,
        mayCountersign: q.forYou && q.r.status === 'awaiting_countersign',
        ownSignature: q.r.status === 'awaiting_countersign' && q.r.signedBy === actor.id,
        isPending: q.forYou && q.r.status === 'pending',
      })),
      ratings: scale.levels.map((label, value) => ({ label, value })).filter((l) => l.value >= scale.competentFrom),
      done: ((d) => d && DONE[d])(pageQuery.parse(req.query).done),
      ...extra,
    });
  }

  r.get('/signoffs', { summary: 'The mentors’ sign-off queue', authorize: onCohort(ctx.db, 'cohort:mentor') }, ({ actor, subject }, req, res) => renderQueue(req, res, actor, subject.cohort));

  r.form(
    '/signoffs/:requestId/decision',
    {
      summary: 'A mentor’s decision (form)',
      body: decisionForm,
      authorize: (req, { params }) => decisionGrant(ctx.db, req.user, params),
      rerender: (req, res, { error, values, actor, subject: { cohort, request } }) => {
        // Back to the page the form was on: the candidate's map when it came from there, else the queue.
        const mapPath = `/cohorts/${cohort.id}/candidates/${request.candidateId}/competencies`;
        const extra = { error, errorFor: request.id, form: values };
        return sameOriginPath(values.back, '') === mapPath ? renderMap(req, res, actor, cohort, request.candidateId, extra) : renderQueue(req, res, actor, cohort, extra);
      },
    },
    async ({ body, actor, subject: { cohort, request } }) => {
      await decideSignoff(ctx, actor, cohort, request, body);
      const back = sameOriginPath(body.back, `/cohorts/${cohort.id}/signoffs`, `/cohorts/${cohort.id}`);
      return seeOther(`${back.split('?')[0].split('#')[0]}?done=${body.action}`);
    },
  );

  /** The bulk sign-off form (the route authorised `cohort:mentor`): first the competency, then the candidates — those
   * who already hold it are listed apart and left out — and the session or register it rests on. */
  async function renderBulk(res: Response, actor: Actor, cohort: CohortRow, competencyId: string | undefined, extra: Record<string, unknown> = {}) {
    const tree = cohort.frameworkId ? await frameworkTree(ctx.db, cohort.frameworkId) : null;
    const competency = competencyId ? tree?.areas.flatMap((a) => a.competencies).find((c) => c.id === competencyId) : undefined;
    const scale = tree?.ratingScale ?? { levels: [], competentFrom: 0 };
    const form = (extra.form ?? {}) as { candidateIds?: unknown; evidence?: unknown; rating?: unknown; note?: unknown };
    let step: Record<string, unknown> | null = null;
    if (competency) {
      const [people, holders, sessions] = await Promise.all([cohortPeople(ctx.db, cohort.id, 'candidate'), holdersOf(ctx.db, cohort.id, competency.id), evidenceChoices(ctx, { cohortId: cohort.id })]);
      const ticked = new Set(asList(form.candidateIds));
      const chosen = new Set(asList(form.evidence));
      const others = people.filter((p) => p.userId !== actor.id);
      step = {
        competency,
        candidates: others.filter((p) => !holders.has(p.userId)).map((p) => ({ ...p, checked: ticked.has(p.userId) })),
        holders: others.filter((p) => holders.has(p.userId)).map((p) => ({ name: p.name, words: holders.get(p.userId) === 'signed' ? 'already signed off' : 'signed, waiting for a countersignature' })),
        sessions: sessions.map((g) => ({ ...g, options: g.options.map((o) => ({ ...o, selected: chosen.has(o.value) })) })),
      };
    }
    res.render('signoffs/bulk', {
      title: 'Bulk sign-off',
      cohort,
      areas: (tree?.areas ?? []).map((a) => ({ ...a, competencies: a.competencies.map((c) => ({ ...c, selected: c.id === competencyId })) })),
      step,
      ratings: scale.levels.map((label, value) => ({ label, value, selected: String(value) === String(form.rating ?? '') })).filter((l) => l.value >= scale.competentFrom),
      ...extra,
    });
  }

  r.get('/signoffs/bulk', { summary: 'The bulk sign-off form', authorize: onCohort(ctx.db, 'cohort:mentor') }, ({ actor, subject }, req, res) => renderBulk(res, actor, subject.cohort, pageQuery.parse(req.query).competencyId));

  // Registered after /signoffs/bulk, which the request id would otherwise swallow.
  r.get('/signoffs/:requestId', { summary: 'One sign-off request to review, with its evidence', authorize: (req, { params }) => decisionGrant(ctx.db, req.user, params) }, async ({ actor, subject: { cohort, request } }, req, res) => {
    // Decided already: the candidate's map shows where it stands.
    if (request.status !== 'pending' && request.status !== 'awaiting_countersign') return res.redirect(`/cohorts/${cohort.id}/candidates/${request.candidateId}/competencies#competency-${request.competencyId}`);
    return renderQueue(req, res, actor, cohort, {}, request.id);
  });

  r.form(
    '/signoffs/bulk',
    {
      summary: 'Bulk sign-off (form)',
      body: bulkForm,
      authorize: onCohort(ctx.db, 'cohort:mentor'),
      rerender: (_req, res, { error, values, actor, subject }) => renderBulk(res, actor, subject.cohort, typeof values.competencyId === 'string' ? values.competencyId : undefined, { error, form: values }),
    },
    async ({ body, actor, subject: { cohort } }, _req, res) => {
      const result = await bulkSignoff(ctx, actor, cohort, body);
      const people = new Map((await cohortPeople(ctx.db, cohort.id, 'candidate')).map((p) => [p.userId, p.name]));
      await renderBulk(res, actor, cohort, body.competencyId, {
        result: {
          signed: result.signed.map((s) => ({ name: people.get(s.candidateId), countersign: s.status === 'awaiting_countersign' })),
          skipped: result.skipped.map((s) => ({ name: people.get(s.candidateId), reason: s.reason })),
        },
      });
    },
  );

  return [r];
}
