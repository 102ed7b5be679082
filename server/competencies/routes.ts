/** Admin editing of competency frameworks: JSON API and a plain-form page at /admin/competencies. */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { z } from 'zod';
import { onProvider } from '../http/grants';
import { plain, reply, seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { addArea, addCompetency, createFramework, updateCompetency } from './commands';
import { frameworkTree, listFrameworks } from './queries';
import { areaInput, competencyInput, competencyPatch, frameworkInput } from './schemas';

// The forms send an unticked checkbox as nothing and an emptied description as ''.
const competencyForm = z.preprocess((b) => {
  const f = (b ?? {}) as Record<string, unknown>;
  return { areaId: f.areaId, code: f.code, name: f.name, description: f.description, safetyCritical: f.safetyCritical ?? false };
}, competencyInput);
const competencyPatchForm = z.preprocess((b) => {
  const f = (b ?? {}) as Record<string, unknown>;
  return { name: f.name, description: f.description ?? '', safetyCritical: f.safetyCritical ?? false };
}, competencyPatch);

/** Mounts the framework API (/api/v1) and the admin page (/admin/competencies). */
export function competencyRoutes(registry: RouteRegistry, ctx: AppContext) {
  const api = registry.router('/api/v1');
  const tags = ['competencies'];

  const admin = onProvider('provider:manage');

  api.post('/competency-frameworks', { summary: 'Create a competency framework with its rating scale, areas and competencies (admin)', tags, body: frameworkInput, success: { status: 201, description: 'The framework as a tree' }, authorize: admin }, async ({ body, actor }) => {
    const f = await createFramework(ctx.db, actor.id, body);
    return reply(plain({ framework: await frameworkTree(ctx.db, f.id) }));
  });

  api.get('/competency-frameworks/:frameworkId', { summary: 'One competency framework as a tree (admin)', tags, authorize: admin }, async ({ params }) => reply(plain({ framework: await frameworkTree(ctx.db, params.frameworkId) })));

  api.post('/competency-frameworks/:frameworkId/areas', { summary: 'Add an area to a framework (admin)', tags, body: areaInput, success: { status: 201, description: 'The new area' }, authorize: admin }, async ({ body, actor, params }) =>
    reply(plain({ area: await addArea(ctx.db, actor.id, params.frameworkId, body) })),
  );

  api.post('/competency-frameworks/:frameworkId/competencies', { summary: 'Add a competency to an area of a framework (admin)', tags, body: competencyInput, success: { status: 201, description: 'The new competency' }, authorize: admin }, async ({ body, actor, params }) =>
    reply(plain({ competency: await addCompetency(ctx.db, actor.id, params.frameworkId, body) })),
  );

  api.patch('/competencies/:competencyId', { summary: 'Change a competency’s name, description or safety-critical flag (admin)', tags, body: competencyPatch, authorize: admin }, async ({ body, actor, params }) =>
    reply(plain({ competency: await updateCompetency(ctx.db, actor.id, params.competencyId, body) })),
  );

  const pages = registry.router('/admin/competencies');

  /** The framework editor (the route authorised `provider:manage`). */
  async function render(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const frameworks = await Promise.all((await listFrameworks(ctx.db)).map((f) => frameworkTree(ctx.db, f.id)));
    const done = Array.isArray(req.query.done) ? req.query.done[0] : req.query.done;
    res.render('competencies/admin', { title: 'Competency frameworks', frameworks, done: done === '1', ...extra });
  }

  pages.get('/', { summary: 'Competency frameworks (admin)', authorize: admin }, (_input, req, res) => render(req, res));

  pages.form(
    '/:frameworkId/areas',
    { summary: 'Add an area (form)', body: areaInput, authorize: admin, rerender: (req, res, { error, params }) => render(req, res, { error, errorFor: params.frameworkId }) },
    async ({ body, actor, params }) => {
      await addArea(ctx.db, actor.id, params.frameworkId, body);
      return seeOther('/admin/competencies?done=1');
    },
  );

  pages.form(
    '/:frameworkId/competencies',
    { summary: 'Add a competency (form)', body: competencyForm, authorize: admin, rerender: (req, res, { error, params }) => render(req, res, { error, errorFor: params.frameworkId }) },
    async ({ body, actor, params }) => {
      await addCompetency(ctx.db, actor.id, params.frameworkId, body);
      return seeOther('/admin/competencies?done=1');
    },
  );

  pages.form(
    '/competency/:competencyId',
    { summary: 'Change a competency (form)', body: competencyPatchForm, authorize: admin, rerender: (req, res, { error }) => render(req, res, { error }) },
    async ({ body, actor, params }) => {
      await updateCompetency(ctx.db, actor.id, params.competencyId, body);
      return seeOther('/admin/competencies?done=1');
    },
  );

  return [api, pages];
}
