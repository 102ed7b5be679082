/** Rubric pages: scoring on a tablet, self-assessment, assessments side by side, and the admin rubric builder. */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { getCandidate, type CohortRow } from '../cohorts/queries';
import { ValidationError, type FieldProblem } from '../errors';
import { currentStage } from '../progression/present';
import { candidateProgress } from '../progression/queries';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { onCandidate, onProvider } from '../http/grants';
import { seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { parse } from '../http/validate';
import { can } from '../policies';
import { assessmentGrant, createRubric, recordAssessment } from './commands';
import { candidateAssessments, listRubrics, loadRubric, rubricVersionImpact, type RubricGrid } from './queries';
import { gridFromForm, rubricEditorRoutes } from './editor';
import { assessmentContexts, contextLabel, contextValue, type AssessmentContext } from './contexts';
import { assessmentInput, rubricInput } from './schemas';

/** Rows and levels the admin form offers (blank criterion rows are ignored). */
const FORM_LEVELS = [
  { label: 'Not yet', points: 0 },
  { label: 'Developing', points: 1 },
  { label: 'Secure', points: 2 },
  { label: 'Exemplary', points: 3 },
];
const FORM_CRITERIA = 6;

/** Turns the scoring form's fields (`context`, `level_<id>`, `comment_<id>`) into the assessment shape. The context must
 * be one the form offered and every criterion needs a level: each missing choice is a sentence linked to its field. */
function assessmentFromForm(body: Record<string, unknown>, rubric: RubricGrid, contexts: AssessmentContext[]) {
  const problems: FieldProblem[] = [];
  const chosen = contexts.find((c) => contextValue(c) === first(body.context));
  if (!chosen) problems.push({ field: 'context', message: 'Choose which stage, session or module this assessment is for.' });
  const levels: Record<string, unknown> = {};
  const comments: Record<string, string> = {};
  for (const c of rubric.criteria) {
    const level = first(body[`level_${c.id}`]);
    if (level !== undefined && level !== '') levels[c.id] = level;
    else problems.push({ field: `levels.${c.id}`, message: `Choose a level for “${c.title}”.` });
    const note = first(body[`comment_${c.id}`]);
    if (typeof note === 'string' && note.trim()) comments[c.id] = note;
  }
  if (problems.length) {
    const levelsLeft = problems.length - (chosen ? 0 : 1);
    const lead = [chosen ? '' : 'Choose which stage, session or module this assessment is for.', levelsLeft ? `Choose a level for every criterion — ${levelsLeft} still to do.` : ''];
    throw new ValidationError(lead.filter(Boolean).join(' '), problems);
  }
  const context = chosen as AssessmentContext;
  return { kind: first(body.kind) || undefined, contextType: context.type, contextId: context.id, cohortStageId: context.cohortStageId, comment: first(body.comment), levels, comments };
}

/** The context the form starts on: what was typed, else the one a link named (`contextType` + `contextId`, or a
 * stage by `cohortStageId`), else the candidate's current stage as a whole. */
function defaultContext(form: Record<string, unknown>, contexts: AssessmentContext[], currentStageId: string | undefined): string | undefined {
  const typed = first(form.context);
  if (typeof typed === 'string' && contexts.some((c) => contextValue(c) === typed)) return typed;
  const named = contexts.find((c) => c.type === first(form.contextType) && c.id === first(form.contextId));
  if (named) return contextValue(named);
  const stageId = first(form.cohortStageId) || currentStageId;
  const stage = contexts.find((c) => c.type === 'stage' && c.id === stageId);
  return stage ? contextValue(stage) : undefined;
}

/** Turns the admin form (numbered fields) into the rubric shape, skipping criterion rows with no title. */
function rubricFromForm(body: Record<string, unknown>) {
  const { levels, criteria } = gridFromForm(body, FORM_LEVELS.length, FORM_CRITERIA);
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
    const contexts = await assessmentContexts(ctx, cohort.id, candidateId);
    const form = (extra.form as Record<string, unknown> | undefined) ?? (req.query as Record<string, unknown>);
    const selected = defaultContext(form, contexts, currentStage(await candidateProgress(ctx, cohort.id, candidateId))?.stageId);
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
          // points: what the running score on the page adds up as the mentor taps (scoreAssessment decides on submit).
          options: c.descriptors.map((d) => ({ ...d, points: rubric.levels.find((l) => l.position === d.position)?.points ?? 0, checked: String(form[`level_${c.id}`]) === String(d.position) })),
          commentValue: form[`comment_${c.id}`] ?? '',
        })),
      },
      contexts: contexts.map((c) => ({ value: contextValue(c), label: c.label, selected: contextValue(c) === selected })),
      contextChosen: selected !== undefined,
      form,
      ...extra,
    });
  }

  /** The candidate's assessment groups, each named by what it was about. */
  async function namedAssessments(cohortId: string, candidateId: string) {
    const [groups, contexts] = await Promise.all([candidateAssessments(ctx.db, cohortId, candidateId), assessmentContexts(ctx, cohortId, candidateId)]);
    return groups.map((g) => ({ ...g, contextLabel: contextLabel(contexts, g.contextType, g.contextId) }));
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
      const contexts = await assessmentContexts(ctx, cohort.id, candidateId);
      const input = parse(assessmentInput, assessmentFromForm(req.body as Record<string, unknown>, rubric, contexts), 'assessment');
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
      groups: await namedAssessments(cohort.id, candidateId),
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

  r.get('/admin/rubrics/:rubric', { summary: 'One rubric', authorize: admin }, async ({ params }, req, res) => {
    const rubric = await loadRubric(ctx.db, params.rubric);
    const published = first(req.query.published) === '1';
    res.render('rubrics/show', { title: rubric.name, rubric, published, superseded: !!rubric.supersededAt, impact: published ? await rubricVersionImpact(ctx.db, rubric) : [] });
  });

  rubricEditorRoutes(r, ctx);

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
