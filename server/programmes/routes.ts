/** Programme template admin: pages under /admin/programmes and the JSON API under /api/v1/programmes. */
import { asc, eq } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { getCohort } from '../cohorts/queries';
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
import { stageInput, templateInput, type StageInput } from './schemas';

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
  const renderEdit = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    admin(req);
    const t = await getTemplate(ctx.db, String(req.params.templateId));
    const cohortRows = await ctx.db.select({ id: cohorts.id, name: cohorts.name, org: organisations.name, templateId: cohorts.programmeTemplateId, version: cohorts.templateVersion }).from(cohorts).innerJoin(organisations, eq(organisations.id, cohorts.organisationId)).orderBy(asc(cohorts.name));
    res.render('programmes/edit', {
      title: t.name,
      template: t,
      stages: t.stages.map((s, i) => ({
        ...s,
        index: i,
        first: i === 0,
        last: i === t.stages.length - 1,
        configJson: JSON.stringify(s.config, null, 1),
        openJson: JSON.stringify(s.openRequirements, null, 1),
        completeJson: JSON.stringify(s.completeRequirements, null, 1),
        described: [...s.openRequirements.map((r) => ({ when: 'Opens when', r })), ...s.completeRequirements.map((r) => ({ when: 'Complete when', r }))].map(({ when, r }) => {
          const kind = ctx.registry.requirementKinds.get(r.kind);
          const p = kind?.params.safeParse(r.params);
          return `${when}: ${kind && p?.success ? kind.describe(p.data, { id: s.id, cohortId: '', position: s.position, moduleKey: s.moduleKey, title: s.title, config: s.config, openRequirements: [], completeRequirements: [], startsOn: null, endsOn: null }) : r.kind}`;
        }),
      })),
      modules: ctx.registry.modules,
      kinds: kindNames(),
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
  pages.form('/:templateId/stages', { summary: 'Add a stage (form)', authorize }, (_i, req, res) =>
    saveStages(req, res, (stages) => {
      const moduleKey = String((req.body as { moduleKey?: string } | undefined)?.moduleKey ?? '');
      return [...stages, defaultStage(ctx.registry, moduleKey)];
    }),
  );
  pages.form('/:templateId/stages/:index', { summary: 'Change a stage (form)', authorize }, (_i, req, res) =>
    saveStages(req, res, (stages) => {
      const i = stageIndex(req, stages.length);
      const form = parse(stageForm, req.body, 'stage');
      const next = parse(stageInput, { ...form, summary: form.summary || null }, 'stage');
      return stages.map((s, j) => (j === i ? next : s));
    }),
  );
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
