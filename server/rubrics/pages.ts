/** Rubric pages: scoring on a tablet, self-assessment, assessments side by side, and the admin rubric builder. */
import type { Request, Response } from 'express';
import { asc, eq } from 'drizzle-orm';
import type { AppContext } from '../context';
import { getCandidate, type CohortRow } from '../cohorts/queries';
import { cohortStages } from '../db/tables';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { onCandidate, onProvider } from '../http/grants';
import { seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { parse } from '../http/validate';
import { can } from '../policies';
import { assessmentGrant, createRubric, recordAssessment } from './commands';
import { candidateAssessments, listRubrics, loadRubric, type RubricGrid } from './queries';
import { assessmentInput, rubricInput } from './schemas';

/** Rows and levels the admin form offers (blank criterion rows are ignored). */
const FORM_LEVELS = [
  { label: 'Not yet', points: 0 },
  { label: 'Developing', points: 1 },
  { label: 'Secure', points: 2 },
  { label: 'Exemplary', points: 3 },
];
const FORM_CRITERIA = 6;

/** Turns the scoring form's `level_<id>` / `comment_<id>` fields into the assessment shape. */
function assessmentFromForm(body: Record<string, unknown>, rubric: RubricGrid) {
  const levels: Record<string, unknown> = {};
  const comments: Record<string, string> = {};
  for (const c of rubric.criteria) {
    if (body[`level_${c.id}`] !== undefined && body[`level_${c.id}`] !== '') levels[c.id] = body[`level_${c.id}`];
    const note = body[`comment_${c.id}`];
    if (typeof note === 'string' && note.trim()) comments[c.id] = note;
  }
  const stageId = typeof body.cohortStageId === 'string' && body.cohortStageId ? body.cohortStageId : undefined;
  const contextType = body.contextType || 'stage';
  const contextId = typeof body.contextId === 'string' && body.contextId.trim() ? body.contextId : contextType === 'stage' ? stageId : undefined;
  return { kind: body.kind || undefined, contextType, contextId, cohortStageId: stageId, comment: body.comment, levels, comments };
}

/** Turns the admin form (numbered fields) into the rubric shape, skipping criterion rows with no title. */
function rubricFromForm(body: Record<string, unknown>) {
  const levels = FORM_LEVELS.map((_, i) => ({ label: body[`level${i}_label`], points: body[`level${i}_points`] }));
  const criteria = [];
  for (let i = 0; i < FORM_CRITERIA; i++) {
    const title = String(body[`c${i}_title`] ?? '').trim();
    if (!title) continue;
    criteria.push({
      title,
      description: body[`c${i}_description`] || undefined,
      weight: body[`c${i}_weight`],
      mustPass: body[`c${i}_mustPass`] === 'on' || body[`c${i}_mustPass`] === 'true',
      passLevel: body[`c${i}_passLevel`],
      descriptors: FORM_LEVELS.map((_, j) => String(body[`c${i}_d${j}`] ?? '')),
    });
  }
  return { key: body.key || undefined, name: body.name, description: body.description || undefined, passThreshold: body.passThreshold, levels, criteria };
}

/** The rubric builder's schema: its grid of fields, read into the rubric shape, then the rubric's own rules. */
const rubricForm = z.preprocess((b) => rubricFromForm((b ?? {}) as Record<string, unknown>), rubricInput);

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/** Mounts rubric pages. */
export function rubricPageRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('');

  /** The scoring form (the route authorised it with `assessmentGrant`). */
  async function renderAssess(req: Request, res: Response, actor: Actor, cohort: CohortRow, candidateId: string, extra: Record<string, unknown> = {}) {
    const self = actor.id === candidateId;
    const candidate = await getCandidate(ctx.db, cohort.id, candidateId);
    const rubric = await loadRubric(ctx.db, String(req.params.rubric));
    const stages = await ctx.db.select({ id: cohortStages.id, title: cohortStages.title, position: cohortStages.position }).from(cohortStages).where(eq(cohortStages.cohortId, cohort.id)).orderBy(asc(cohortStages.position));
    const form = (extra.form as Record<string, unknown> | undefined) ?? (req.query as Record<string, unknown>);
    res.render('rubrics/assess', {
      title: self ? `Self-assessment: ${rubric.name}` : `Assess ${candidate.name}: ${rubric.name}`,
      cohort,
      candidate,
      self,
      rubric: {
        ...rubric,
        criteria: rubric.criteria.map((c) => ({
          ...c,
          passLabel: rubric.levels.find((l) => l.position === c.passLevel)?.label,
          options: c.descriptors.map((d) => ({ ...d, checked: String(form[`level_${c.id}`]) === String(d.position) })),
          commentValue: form[`comment_${c.id}`] ?? '',
        })),
      },
      stages: stages.map((s) => ({ ...s, selected: form.cohortStageId === s.id })),
      form,
      ...extra,
    });
  }

  const assess = (req: Request, input: { params: { cohortId: string; userId: string } }) => assessmentGrant(ctx.db, req.user, input.params);

  r.get('/cohorts/:cohortId/candidates/:userId/assess/:rubric', { summary: 'The scoring form', authorize: assess }, ({ actor, subject }, req, res) => renderAssess(req, res, actor, subject.cohort, subject.candidateId));

  r.form(
    '/cohorts/:cohortId/candidates/:userId/assess/:rubric',
    { summary: 'Record an assessment (form)', authorize: assess, rerender: (req, res, { error, values, actor, subject }) => renderAssess(req, res, actor, subject.cohort, subject.candidateId, { error, form: values }) },
    async ({ actor, params, subject: { cohort, candidateId } }, req) => {
      await getCandidate(ctx.db, cohort.id, candidateId);
      const rubric = await loadRubric(ctx.db, params.rubric);
      // The form's fields are named by the rubric's criteria, so its shape comes from the rubric first.
      const input = parse(assessmentInput, assessmentFromForm(req.body as Record<string, unknown>, rubric), 'assessment');
      const { assessment } = await recordAssessment(ctx, actor, cohort, candidateId, rubric, input);
      return seeOther(`/cohorts/${cohort.id}/candidates/${candidateId}/assessments?done=1#assessment-${assessment.id}`);
    },
  );

  r.get('/cohorts/:cohortId/candidates/:userId/assessments', { summary: 'A candidate’s assessments', authorize: onCandidate(ctx.db, 'candidate:view') }, async ({ actor, subject: { cohort, candidateId } }, req, res) => {
    const candidate = await getCandidate(ctx.db, cohort.id, candidateId);
    const self = actor.id === candidateId;
    res.render('rubrics/assessments', {
      title: self ? 'Your assessments' : `${candidate.name} — assessments`,
      cohort,
      candidate,
      self,
      groups: await candidateAssessments(ctx.db, cohort.id, candidateId),
      rubrics: await listRubrics(ctx.db),
      can: { assess: can(actor, 'candidate:mentor', { type: 'candidate', cohort, candidateId }), selfAssess: self },
      done: first(req.query.done) === '1',
    });
  });

  /** The rubric builder (the route authorised `provider:manage`). */
  async function renderAdmin(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const form = (extra.form as Record<string, unknown> | undefined) ?? {};
    res.render('rubrics/admin', {
      title: 'Rubrics',
      rubrics: await listRubrics(ctx.db),
      levels: FORM_LEVELS.map((l, i) => ({ index: i, label: form[`level${i}_label`] ?? l.label, points: form[`level${i}_points`] ?? l.points })),
      rows: Array.from({ length: FORM_CRITERIA }, (_, i) => ({
        index: i,
        number: i + 1,
        title: form[`c${i}_title`] ?? '',
        weight: form[`c${i}_weight`] ?? 1,
        mustPass: form[`c${i}_mustPass`] === 'on',
        passLevel: Number(form[`c${i}_passLevel`] ?? 2),
        descriptors: FORM_LEVELS.map((l, j) => ({ index: j, label: l.label, text: form[`c${i}_d${j}`] ?? '' })),
      })),
      created: first(req.query.created),
      ...extra,
    });
  }

  const admin = onProvider('provider:manage');
  r.get('/admin/rubrics', { summary: 'The rubric builder', authorize: admin }, (_input, req, res) => renderAdmin(req, res));

  r.get('/admin/rubrics/:rubric', { summary: 'One rubric', authorize: admin }, async ({ params }, _req, res) => {
    const rubric = await loadRubric(ctx.db, params.rubric);
    res.render('rubrics/show', { title: rubric.name, rubric });
  });

  r.form(
    '/admin/rubrics',
    { summary: 'Create a rubric (form)', body: rubricForm, authorize: admin, rerender: (req, res, { error, values }) => renderAdmin(req, res, { error, form: values }) },
    async ({ body, actor }) => {
      const rubric = await createRubric(ctx.db, actor.id, body);
      return seeOther(`/admin/rubrics/${rubric.id}`);
    },
  );

  return [r];
}
