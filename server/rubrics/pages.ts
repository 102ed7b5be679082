/** Rubric pages: scoring on a tablet, self-assessment, assessments side by side, and the admin rubric builder. */
import type { Request, Response } from 'express';
import { asc, eq } from 'drizzle-orm';
import type { AppContext } from '../context';
import { getCandidate, getCohort, type CohortRow } from '../cohorts/queries';
import { cohortStages } from '../db/tables';
import type { RouteRegistry } from '../http/router';
import { actorOf } from '../http/request-context';
import { parse, paramId } from '../http/validate';
import { authorize, can } from '../policies';
import { formAction } from '../http/forms';
import { createRubric, recordAssessment } from './commands';
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

/** Mounts rubric pages. */
export function rubricPageRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('');

  async function renderAssess(req: Request, res: Response, cohort: CohortRow, candidateId: string, extra: Record<string, unknown> = {}) {
    const actor = actorOf(req);
    authorize(actor, 'candidate:view', { type: 'candidate', cohort, candidateId }, 'That candidate');
    const self = actor.id === candidateId;
    authorize(actor, self ? 'candidate:act-as-self' : 'candidate:mentor', { type: 'candidate', cohort, candidateId }, 'That candidate');
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

  r.get('/cohorts/:cohortId/candidates/:userId/assess/:rubric', async (req, res) => {
    await renderAssess(req, res, await getCohort(ctx.db, String(req.params.cohortId)), paramId(req.params.userId, 'userId'));
  });

  r.post('/cohorts/:cohortId/candidates/:userId/assess/:rubric', async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const candidateId = paramId(req.params.userId, 'userId');
    authorize(req.user, 'candidate:view', { type: 'candidate', cohort, candidateId }, 'That candidate');
    const body = req.body as Record<string, unknown>;
    await formAction(
      res,
      async () => {
        await getCandidate(ctx.db, cohort.id, candidateId);
        const rubric = await loadRubric(ctx.db, String(req.params.rubric));
        const input = parse(assessmentInput, assessmentFromForm(body, rubric), 'assessment');
        const { assessment } = await recordAssessment(ctx, actorOf(req), cohort, candidateId, rubric, input);
        return `/cohorts/${cohort.id}/candidates/${candidateId}/assessments?done=1#assessment-${assessment.id}`;
      },
      (error) => renderAssess(req, res, cohort, candidateId, { error, form: body }),
    );
  });

  r.get('/cohorts/:cohortId/candidates/:userId/assessments', async (req, res) => {
    const actor = actorOf(req);
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const candidateId = paramId(req.params.userId, 'userId');
    authorize(actor, 'candidate:view', { type: 'candidate', cohort, candidateId }, 'That candidate');
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
      done: req.query.done === '1',
    });
  });

  async function renderAdmin(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    authorize(req.user, 'provider:manage', { type: 'provider' });
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
      created: req.query.created,
      ...extra,
    });
  }

  r.get('/admin/rubrics', async (req, res) => renderAdmin(req, res));

  r.get('/admin/rubrics/:rubric', async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    const rubric = await loadRubric(ctx.db, String(req.params.rubric));
    res.render('rubrics/show', { title: rubric.name, rubric });
  });

  r.post('/admin/rubrics', async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    const body = req.body as Record<string, unknown>;
    await formAction(
      res,
      async () => {
        const rubric = await createRubric(ctx.db, actorOf(req).id, parse(rubricInput, rubricFromForm(body), 'rubric form'));
        return `/admin/rubrics/${rubric.id}`;
      },
      (error) => renderAdmin(req, res, { error, form: body }),
    );
  });

  return [r];
}
