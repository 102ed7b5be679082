/** Programme template admin: pages under /admin/programmes and the JSON API under /api/v1/programmes. */
import { asc, eq } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { getCohort } from '../cohorts/queries';
import { certificateSettingsForm, saveCertificateSettings } from '../credentials/settings';
import type { AppContext } from '../context';
import { builtInStages } from '../modules/registry';
import { cohorts, organisations, programmeTemplates } from '../db/tables';
import { ValidationError } from '../errors';
import type { RouteRegistry } from '../http/router';
import { actorOf } from '../http/request-context';
import { parse } from '../http/validate';
import { onProvider } from '../http/grants';
import { plain, reply } from '../http/present';
import { applyTemplateToCohort, createTemplate, defaultStage, getTemplate, stagesAsInput, updateTemplate } from './commands';
import { checkStages, templateInput, type StageInput } from './schemas';
import { checkReferences } from './references';
import { readOrder, reorderStages } from './order';
import { applyIntent, gateView, loadChoices, namer, readIntent, readRequirements, sentenceOf } from './gate-form';
import type { RequirementSpec } from '../db/tables';

const applyInput = z.object({ cohortId: z.uuid({ message: 'choose a cohort' }) });
const jsonField = (name: string) =>
  z.string().transform((s, c) => {
    try {
      return JSON.parse(s.trim() || (name === 'config' ? '{}' : '[]')) as unknown;
    } catch {
      c.addIssue({ code: 'custom', message: 'is not valid JSON' });
      return z.NEVER;
    }
  });
/** The Advanced JSON as requirement lists (each item's shape is checked when the programme is saved). */
const asSpecs = (v: unknown): RequirementSpec[] =>
  (Array.isArray(v) ? v : [v]).map((r) => {
    const o = (r && typeof r === 'object' ? r : {}) as { kind?: unknown; params?: unknown };
    return { kind: typeof o.kind === 'string' ? o.kind : '', params: o.params && typeof o.params === 'object' && !Array.isArray(o.params) ? (o.params as Record<string, unknown>) : {} };
  });
const stageForm = z.object({
  moduleKey: z.string().min(1),
  title: z.string(),
  summary: z.string().optional(),
  config: jsonField('config'),
  open: jsonField('open'),
  complete: jsonField('complete'),
  startDay: z.preprocess((v) => (v === '' || v === undefined ? null : Number(v)), z.number().int().min(0).nullable()),
  endDay: z.preprocess((v) => (v === '' || v === undefined ? null : Number(v)), z.number().int().min(0).nullable()),
});

function presentTemplate(t: Awaited<ReturnType<typeof getTemplate>>) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    version: t.version,
    stages: t.stages.map((s) => ({ id: s.id, position: s.position, moduleKey: s.moduleKey, title: s.title, summary: s.summary, config: s.config, open: s.openRequirements, complete: s.completeRequirements, startDay: s.startDay, endDay: s.endDay })),
  };
}

/** Registers the programme pages and API (admins only). */
export function programmeRoutes(registry: RouteRegistry, ctx: AppContext) {
  const pages = registry.router('/admin/programmes');
  const api = registry.router('/api/v1/programmes');
  const tags = ['programmes'];
  const kindNames = () => [...ctx.registry.requirementKinds.keys()].sort();
  // Every programme route is for the provider's admins; the router authorises it once.
  const authorize = onProvider('provider:manage');
  const admin = (req: Request) => actorOf(req);

  // ---- JSON API ----
  api.get('/', { summary: 'Programme templates (admin)', tags, authorize }, async () => {
    const rows = await ctx.db.select().from(programmeTemplates).orderBy(asc(programmeTemplates.name));
    return reply(plain({ programmes: rows.map((t) => ({ id: t.id, name: t.name, description: t.description, frameworkId: t.frameworkId, version: t.version, createdAt: t.createdAt, updatedAt: t.updatedAt })) }));
  });
  api.get('/requirement-kinds', { summary: 'The requirement kinds stages may use (admin)', tags, authorize }, async () => {
    return reply(plain({ kinds: kindNames(), modules: ctx.registry.modules }));
  });
  api.post('/', { summary: 'Create a programme template (admin)', tags, body: templateInput, success: { status: 201, description: 'Created' }, authorize }, async ({ body: input, actor }) => {
    const t = await createTemplate(ctx, actor.id, input);
    return reply(plain({ programme: presentTemplate(await getTemplate(ctx.db, t.id)) }));
  });
  api.get('/:templateId', { summary: 'One programme template with its ordered stages (admin)', tags, authorize }, async ({ params }) => {
    return reply(plain({ programme: presentTemplate(await getTemplate(ctx.db, params.templateId)) }));
  });
  api.put('/:templateId', { summary: 'Replace a template’s name and ordered stages; requirements are validated per kind (admin)', tags, body: templateInput, authorize }, async ({ body: input, actor, params }) => {
    await updateTemplate(ctx, actor.id, params.templateId, input);
    return reply(plain({ programme: presentTemplate(await getTemplate(ctx.db, params.templateId)) }));
  });
  api.post('/:templateId/apply', { summary: 'Apply the template’s current stages to a cohort; every candidate’s gates recompute (admin)', tags, body: applyInput, authorize }, async ({ body: { cohortId }, actor, params }) => {
    await getCohort(ctx.db, cohortId);
    return reply(plain({ applied: await applyTemplateToCohort(ctx.db, actor.id, cohortId, params.templateId) }));
  });

  // ---- Pages ----
  const renderList = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    admin(req);
    res.render('programmes/list', { title: 'Programmes', programmes: await ctx.db.select().from(programmeTemplates).orderBy(asc(programmeTemplates.name)), ...extra });
  };
  /** A stage being edited and not yet saved: what was typed, with its problems (fields relative to the stage). */
  type Draft = { index: number; stage: StageInput; problems: { field: string; message: string }[]; message?: string; previewed?: boolean };
  const renderEdit = async (req: Request, res: Response, extra: Record<string, unknown> & { draft?: Draft } = {}) => {
    admin(req);
    const t = await getTemplate(ctx.db, String(req.params.templateId));
    const [cohortRows, choices] = await Promise.all([
      ctx.db.select({ id: cohorts.id, name: cohorts.name, org: organisations.name, templateId: cohorts.programmeTemplateId, version: cohorts.templateVersion }).from(cohorts).innerJoin(organisations, eq(organisations.id, cohorts.organisationId)).orderBy(asc(cohorts.name)),
      loadChoices(ctx, t),
    ]);
    const names = namer(choices);
    const { draft } = extra;
    const others = await ctx.db.select({ id: programmeTemplates.id, name: programmeTemplates.name }).from(programmeTemplates).orderBy(asc(programmeTemplates.name));
    res.render('programmes/edit', {
      title: t.name,
      template: t,
      // Certificate settings (server/credentials): validity in months, and which programme a refresher renews.
      refresherChoices: others.filter((o) => o.id !== t.id).map((o) => ({ ...o, selected: o.id === t.refresherOf })),
      stages: t.stages.map((stored, i) => {
        const mine = draft?.index === i ? draft : undefined;
        const s = mine ? { ...stored, ...mine.stage, summary: mine.stage.summary ?? null, startDay: mine.stage.startDay ?? null, endDay: mine.stage.endDay ?? null, openRequirements: mine.stage.open, completeRequirements: mine.stage.complete } : stored;
        const row = { id: s.id, cohortId: '', position: s.position, moduleKey: s.moduleKey, title: s.title, config: s.config, openRequirements: [], completeRequirements: [], startsOn: null, endsOn: null };
        const describe = (r: RequirementSpec) => sentenceOf(ctx.registry, r, row, names).text;
        return {
          ...s,
          index: i,
          first: i === 0,
          last: i === t.stages.length - 1,
          window: s.startDay === null && s.endDay === null ? 'No day window' : s.endDay === null ? `From day ${s.startDay}` : s.startDay === null ? `Until day ${s.endDay}` : `Days ${s.startDay} to ${s.endDay}`,
          moduleTitle: ctx.registry.modules.find((m) => m.key === s.moduleKey)?.title ?? s.moduleKey,
          configJson: JSON.stringify(s.config, null, 1),
          gate: gateView(ctx, row, { open: s.openRequirements, complete: s.completeRequirements }, choices, mine?.problems),
          opens: stored.openRequirements.map(describe),
          completes: stored.completeRequirements.map(describe),
          editing: Boolean(mine),
          previewed: mine?.previewed,
          error: mine && mine.problems.length ? { message: mine.message ?? '', fields: mine.problems, repeatsFields: true } : undefined,
        };
      }),
      prefixes: t.stages.map((_, i) => `s${i}-`),
      modules: ctx.registry.modules,
      cohorts: cohortRows.map((c) => ({ ...c, onThis: c.templateId === t.id, behind: c.templateId === t.id && c.version !== t.version })),
      saved: Array.isArray(req.query.saved) ? req.query.saved[0] : req.query.saved,
      ...extra,
    });
  };
  const saveStages = async (req: Request, res: Response, change: (stages: StageInput[]) => StageInput[]) => {
    const actor = admin(req);
    const t = await getTemplate(ctx.db, String(req.params.templateId));
    try {
      await updateTemplate(ctx, actor.id, t.id, { stages: change(stagesAsInput(t.stages)) });
    } catch (err) {
      if (err instanceof ValidationError) return renderEdit(req, res.status(400), { error: { message: err.message, fields: err.fields } });
      throw err;
    }
    res.redirect(303, `/admin/programmes/${t.id}?saved=stages`);
  };
  const stageIndex = (req: Request, count: number) => {
    const i = Number(req.params.index);
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new ValidationError('That stage is not in this programme.', [{ field: 'stage', message: 'no such stage' }]);
    return i;
  };

  pages.get('/', { summary: 'Programmes (admin)', authorize }, (_i, req, res) => renderList(req, res));
  pages.form('/', { summary: 'Create a programme (form)', authorize }, async (_i, req, res) => {
    const actor = admin(req);
    const body = (req.body ?? {}) as { name?: string; description?: string; withBuiltIn?: string };
    try {
      const input = parse(templateInput, { name: body.name, description: body.description || null }, 'programme');
      // The built-in stages in the order they are meant to run, each with its day window.
      const stages = body.withBuiltIn ? builtInStages(ctx.registry.modules).map((m) => ({ ...defaultStage(ctx.registry, m.key), startDay: m.programme.startDay, endDay: m.programme.endDay })) : [];
      const t = await createTemplate(ctx, actor.id, { ...input, stages });
      res.redirect(303, `/admin/programmes/${t.id}`);
    } catch (err) {
      if (err instanceof ValidationError) return renderList(req, res.status(400), { error: { message: err.message, fields: err.fields } });
      throw err;
    }
  });
  pages.get('/:templateId', { summary: 'Edit a programme', authorize }, (_i, req, res) => renderEdit(req, res));
  pages.form('/:templateId', { summary: 'Change a programme’s details (form)', authorize }, async (_i, req, res) => {
    const actor = admin(req);
    const body = (req.body ?? {}) as { name?: string; description?: string };
    try {
      const input = parse(templateInput, { name: body.name, description: body.description || null }, 'programme');
      await updateTemplate(ctx, actor.id, String(req.params.templateId), input);
    } catch (err) {
      if (err instanceof ValidationError) return renderEdit(req, res.status(400), { error: { message: err.message, fields: err.fields } });
      throw err;
    }
    res.redirect(303, `/admin/programmes/${String(req.params.templateId)}?saved=details`);
  });
  pages.form('/:templateId/certificate', { summary: 'Set how long a programme’s certificates stay valid and whether it is a refresher (form)', authorize }, async (_i, req, res) => {
    const actor = admin(req);
    const t = await getTemplate(ctx.db, String(req.params.templateId));
    try {
      await saveCertificateSettings(ctx.db, actor.id, t, parse(certificateSettingsForm, req.body ?? {}, 'certificate settings'));
    } catch (err) {
      if (err instanceof ValidationError) return renderEdit(req, res.status(400), { error: { message: err.message, fields: err.fields } });
      throw err;
    }
    res.redirect(303, `/admin/programmes/${t.id}?saved=certificate`);
  });
  pages.form('/:templateId/stages', { summary: 'Add a stage (form)', authorize }, (_i, req, res) =>
    saveStages(req, res, (stages) => {
      const moduleKey = String((req.body as { moduleKey?: string } | undefined)?.moduleKey ?? '');
      return [...stages, defaultStage(ctx.registry, moduleKey)];
    }),
  );
  pages.form('/:templateId/stages/:index', { summary: 'Change a stage: its details and its gates by form (or the Advanced JSON); preview, add, remove or move a requirement without saving (form)', authorize }, async (_i, req, res) => {
    const actor = admin(req);
    const t = await getTemplate(ctx.db, String(req.params.templateId));
    const i = stageIndex(req, t.stages.length);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const intent = readIntent(body.intent);
    let form: z.output<typeof stageForm>;
    try {
      form = parse(stageForm, { ...body, config: body.config ?? JSON.stringify(t.stages[i].config), open: intent.do === 'json' ? body.openJson : '[]', complete: intent.do === 'json' ? body.completeJson : '[]' }, 'stage');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderEdit(req, res.status(400), { draft: { index: i, stage: stagesAsInput(t.stages)[i], problems: err.fields ?? [], message: err.message } });
    }
    const lists = intent.do === 'json' ? { open: asSpecs(form.open), complete: asSpecs(form.complete) } : applyIntent({ open: readRequirements(ctx.registry, body, 'open'), complete: readRequirements(ctx.registry, body, 'complete') }, intent, String(body[`add.${'which' in intent ? intent.which : 'open'}`] ?? ''));
    const stage: StageInput = { moduleKey: form.moduleKey, title: form.title, summary: form.summary || null, config: form.config as Record<string, unknown>, startDay: form.startDay, endDay: form.endDay, ...lists };
    const stages = stagesAsInput(t.stages).map((s, j) => (j === i ? stage : s));
    const relative = (problems: { field: string; message: string }[]) => problems.filter((p) => p.field.startsWith(`stages.${i}.`)).map((p) => ({ ...p, field: p.field.slice(`stages.${i}.`.length) }));
    if (intent.do !== 'save' && intent.do !== 'json') {
      // Nothing is saved: the page comes back with the change and its preview; a preview also says what a save would refuse.
      let problems: { field: string; message: string }[] = [];
      if (intent.do === 'preview') {
        try {
          checkStages(ctx.registry, stages);
          await checkReferences(ctx, stages, { id: t.id, frameworkId: t.frameworkId });
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          problems = relative(err.fields ?? []);
        }
      }
      return renderEdit(req, res, { draft: { index: i, stage, problems, previewed: true } });
    }
    try {
      await updateTemplate(ctx, actor.id, t.id, { stages });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const problems = relative(err.fields ?? []);
      return renderEdit(req, res.status(400), { draft: { index: i, stage, problems: problems.length ? problems : (err.fields ?? []), message: err.message } });
    }
    res.redirect(303, `/admin/programmes/${t.id}?saved=stages#stage-${i}`);
  });
  pages.form('/:templateId/stages/:index/move', { summary: 'Move a stage (form)', authorize }, (_i, req, res) =>
    saveStages(req, res, (stages) => {
      const i = stageIndex(req, stages.length);
      const j = (req.body as { direction?: string } | undefined)?.direction === 'up' ? i - 1 : i + 1;
      if (j < 0 || j >= stages.length) return stages;
      const copy = [...stages];
      [copy[i], copy[j]] = [copy[j], copy[i]];
      return copy;
    }),
  );
  pages.form('/:templateId/order', { summary: 'Put the stages in a new order in one request: `order` lists every stage’s current number once, e.g. "3,1,2" (form)', authorize }, async (_i, req, res) => {
    const actor = admin(req);
    const t = await getTemplate(ctx.db, String(req.params.templateId));
    try {
      const order = readOrder((req.body as { order?: unknown } | undefined)?.order, t.stages.length);
      await updateTemplate(ctx, actor.id, t.id, { stages: reorderStages(stagesAsInput(t.stages), order) });
    } catch (err) {
      if (err instanceof ValidationError) return renderEdit(req, res.status(400), { error: { message: err.message, fields: err.fields } });
      throw err;
    }
    res.redirect(303, `/admin/programmes/${t.id}?saved=order`);
  });
  pages.form('/:templateId/stages/:index/delete', { summary: 'Remove a stage (form)', authorize }, (_i, req, res) => saveStages(req, res, (stages) => stages.filter((_, j) => j !== stageIndex(req, stages.length))));
  pages.form('/:templateId/apply', { summary: 'Apply a programme to a cohort (form)', body: applyInput, authorize }, async ({ body: { cohortId } }, req, res) => {
    const actor = admin(req);
    const templateId = String(req.params.templateId);
    await getCohort(ctx.db, cohortId);
    const r = await applyTemplateToCohort(ctx.db, actor.id, cohortId, templateId);
    res.redirect(303, `/admin/programmes/${templateId}?saved=applied&kept=${r.kept}&added=${r.added}&retired=${r.retired}`);
  });

  return [pages, api];
}
