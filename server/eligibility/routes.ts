/** Eligibility pages (17.1): a candidate's evidence (recorded by them, confirmed or returned by a mentor), its files,
 * and the cohort's overview with the setting "requires eligibility evidence before the first stage opens". */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { cohortPeople, getCandidate, getCohort, type CohortRow } from '../cohorts/queries';
import type { AppContext } from '../context';
import type { EligibilityRequirement } from '../db/schema/register';
import type { AppError } from '../errors';
import { NotFoundError } from '../errors';
import { sendStoredFile } from '../evidence/routes';
import { evidenceUpload } from '../evidence/store';
import { formOf } from '../http/forms';
import { onCandidate, onCohort } from '../http/grants';
import { seeOther } from '../http/present';
import { grant, type RouteRegistry } from '../http/router';
import { can } from '../policies';
import { londonDate } from '../progression/kinds/answers';
import { decideEligibility, setEligibilityRequired, submitEligibility } from './commands';
import { eligibilityRecordsOf, firstStage, requiresEligibility } from './queries';
import { eligibilityOf, ELIGIBILITY, mayDecideEligibility, STATE_LABEL } from './rules';
import { decisionForm, evidenceForm, requirementParams, settingForm } from './schemas';

const DONE: Record<string, string> = { sent: 'Saved. A mentor of the cohort will check it.', confirmed: 'Confirmed.', returned: 'Returned to the candidate with your reason.', setting: 'Setting saved.' };
const doneQuery = z.object({ done: z.enum(['sent', 'confirmed', 'returned', 'setting']).optional() });

/** Mounts the eligibility pages. */
export function eligibilityRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/cohorts/:cohortId');

  const onRequirement = (action: 'candidate:act-as-self' | 'candidate:mentor' | 'candidate:view') => async (_req: Request, input: { params: { cohortId: string; userId: string; requirement: string } }) => {
    const parsed = requirementParams.shape.requirement.safeParse(input.params.requirement);
    if (!parsed.success) throw new NotFoundError('That page');
    const requirement: EligibilityRequirement = parsed.data;
    const cohort = await getCohort(ctx.db, input.params.cohortId);
    return grant(action, { type: 'candidate' as const, cohort, candidateId: input.params.userId, requirement }, 'That candidate');
  };

  async function renderRecord(res: Response, actor: Actor, cohort: CohortRow, candidateId: string, extra: { done?: string; error?: AppError; errorFor?: string; values?: Record<string, unknown> } = {}) {
    const [candidate, records, stage] = await Promise.all([getCandidate(ctx.db, cohort.id, candidateId), eligibilityRecordsOf(ctx.db, cohort.id, [candidateId]), firstStage(ctx.db, cohort.id)]);
    const now = new Date();
    const { eligible, items } = eligibilityOf(records, londonDate(now), now);
    const subject = { type: 'candidate' as const, cohort, candidateId };
    const own = can(actor, 'candidate:act-as-self', subject);
    const mentor = can(actor, 'candidate:mentor', subject);
    res.render('eligibility/record', {
      title: own ? 'Your eligibility' : `${candidate.name} — eligibility`,
      cohort,
      candidate,
      own,
      eligible,
      required: requiresEligibility(stage),
      stageTitle: stage?.title,
      done: extra.done && DONE[extra.done],
      items: items.map((s) => {
        const erred = extra.errorFor === s.info.key;
        const values = erred ? (extra.values ?? {}) : s.record && s.state !== 'confirmed' ? s.record : {};
        return {
          ...s.info,
          state: s.state,
          stateLabel: STATE_LABEL[s.state],
          sentence: s.sentence,
          record: s.record && { ...s.record, fileHref: s.record.fileId ? `/cohorts/${cohort.id}/candidates/${candidateId}/eligibility/${s.info.key}/file` : null },
          form: { description: values.description ?? '', sinceOn: values.sinceOn ?? '', expiresOn: values.expiresOn ?? '', document: values.document ?? '' },
          error: erred ? extra.error : undefined,
          prefix: `${s.info.key}-`,
          can: { record: own && s.state !== 'waiting', renew: own && s.state === 'confirmed', decide: mentor && mayDecideEligibility(s.record?.status) },
        };
      }),
    });
  }

  r.get('/candidates/:userId/eligibility', { summary: 'A candidate’s eligibility evidence: what is recorded, what a mentor confirmed or returned', query: doneQuery, authorize: onCandidate(ctx.db, 'candidate:view') }, ({ actor, query, subject }, _req, res) =>
    renderRecord(res, actor, subject.cohort, subject.candidateId, { done: query.done }),
  );

  r.form(
    '/candidates/:userId/eligibility/:requirement',
    {
      summary: 'Record evidence for one eligibility requirement (form; one file in `files`, or a described document)',
      params: requirementParams,
      body: formOf(evidenceForm),
      multipart: true,
      upload: evidenceUpload(ctx.storage, ctx.config.evidenceMaxBytes),
      authorize: onRequirement('candidate:act-as-self'),
      rerender: (_req, res, { error, values, actor, subject }) => renderRecord(res, actor, subject.cohort, subject.candidateId, { error, values, errorFor: subject.requirement }),
    },
    async ({ body, actor, subject }, req) => {
      await submitEligibility(ctx, actor, subject.cohort, subject.requirement, body, Array.isArray(req.files) ? req.files : []);
      return seeOther(`/cohorts/${subject.cohort.id}/candidates/${actor.id}/eligibility?done=sent#${subject.requirement}`);
    },
  );

  r.form(
    '/candidates/:userId/eligibility/:requirement/decision',
    {
      summary: 'A mentor confirms a candidate’s eligibility evidence, or returns it with a reason (form)',
      params: requirementParams,
      body: formOf(decisionForm),
      authorize: onRequirement('candidate:mentor'),
      rerender: (_req, res, { error, values, actor, subject }) => renderRecord(res, actor, subject.cohort, subject.candidateId, { error, values, errorFor: subject.requirement }),
    },
    async ({ body, actor, subject }) => {
      await decideEligibility(ctx, actor, subject.cohort, subject.candidateId, subject.requirement, body);
      return seeOther(`/cohorts/${subject.cohort.id}/candidates/${subject.candidateId}/eligibility?done=${body.decision === 'confirm' ? 'confirmed' : 'returned'}`);
    },
  );

  r.get(
    '/candidates/:userId/eligibility/:requirement/file',
    { summary: 'The file attached to a piece of eligibility evidence, as a download', params: requirementParams, produces: 'application/octet-stream', authorize: onRequirement('candidate:view') },
    async ({ subject }, _req, res) => {
      const [record] = await eligibilityRecordsOf(ctx.db, subject.cohort.id, [subject.candidateId]).then((rows) => rows.filter((x) => x.requirement === subject.requirement));
      await sendStoredFile(ctx.storage, res, { key: record?.fileKey ?? null, name: record?.fileName ?? null, type: record?.fileType ?? null });
    },
  );

  async function renderOverview(res: Response, actor: Actor, cohort: CohortRow, extra: { done?: string; error?: AppError } = {}) {
    const [candidates, records, stage] = await Promise.all([cohortPeople(ctx.db, cohort.id, 'candidate'), eligibilityRecordsOf(ctx.db, cohort.id), firstStage(ctx.db, cohort.id)]);
    const now = new Date();
    const today = londonDate(now);
    res.render('eligibility/cohort', {
      title: `${cohort.name} — eligibility`,
      cohort,
      required: requiresEligibility(stage),
      stageTitle: stage?.title,
      requirements: ELIGIBILITY,
      done: extra.done && DONE[extra.done],
      error: extra.error,
      can: { manage: can(actor, 'cohort:manage', { type: 'cohort', cohort }) },
      candidates: candidates.map((c) => {
        const { eligible, items } = eligibilityOf(records.filter((x) => x.candidateId === c.userId), today, now);
        return { name: c.name, href: `/cohorts/${cohort.id}/candidates/${c.userId}/eligibility`, eligible, waiting: items.filter((i) => i.state === 'waiting').length, items: items.map((i) => ({ title: i.info.title, ...STATE_LABEL[i.state] })) };
      }),
    });
  }

  r.get('/eligibility', { summary: 'A cohort’s eligibility: the setting and where each candidate stands', query: doneQuery, authorize: onCohort(ctx.db, 'cohort:view-progress') }, ({ actor, query, subject }, _req, res) => renderOverview(res, actor, subject.cohort, { done: query.done }));

  r.form(
    '/eligibility/setting',
    { summary: 'Require (or stop requiring) eligibility evidence before the cohort’s first stage opens (form)', body: formOf(settingForm), authorize: onCohort(ctx.db, 'cohort:manage'), rerender: (_req, res, { error, actor, subject }) => renderOverview(res, actor, subject.cohort, { error }) },
    async ({ body, actor, subject }) => {
      await setEligibilityRequired(ctx, actor, subject.cohort, body.required === 'on');
      return seeOther(`/cohorts/${subject.cohort.id}/eligibility?done=setting`);
    },
  );

  return [r];
}
