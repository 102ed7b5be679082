/** Admin editing of competency frameworks: JSON API and a plain-form page at /admin/competencies. */
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import type { AppError } from '../errors';
import type { RouteRegistry } from '../http/router';
import { actorOf } from '../http/request-context';
import { parse } from '../http/validate';
import { authorize } from '../policies';
import { formAction } from '../http/forms';
import { addArea, addCompetency, createFramework, updateCompetency } from './commands';
import { frameworkTree, listFrameworks } from './queries';
import { areaInput, competencyInput, competencyPatch, frameworkInput } from './schemas';

/** Mounts the framework API (/api/v1) and the admin page (/admin/competencies). */
export function competencyRoutes(registry: RouteRegistry, ctx: AppContext) {
  const api = registry.router('/api/v1');
  const tags = ['competencies'];

  api.post('/competency-frameworks', { summary: 'Create a competency framework with its rating scale, areas and competencies (admin)', tags, body: frameworkInput, success: { status: 201, description: 'The framework as a tree' } }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    const f = await createFramework(ctx.db, req.user.id, parse(frameworkInput, req.body, 'framework'));
    res.status(201).json({ framework: await frameworkTree(ctx.db, f.id) });
  });

  api.get('/competency-frameworks/:frameworkId', { summary: 'One competency framework as a tree (admin)', tags }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    res.json({ framework: await frameworkTree(ctx.db, String(req.params.frameworkId)) });
  });

  api.post('/competency-frameworks/:frameworkId/areas', { summary: 'Add an area to a framework (admin)', tags, body: areaInput, success: { status: 201, description: 'The new area' } }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    res.status(201).json({ area: await addArea(ctx.db, req.user.id, String(req.params.frameworkId), parse(areaInput, req.body, 'area')) });
  });

  api.post('/competency-frameworks/:frameworkId/competencies', { summary: 'Add a competency to an area of a framework (admin)', tags, body: competencyInput, success: { status: 201, description: 'The new competency' } }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    res.status(201).json({ competency: await addCompetency(ctx.db, req.user.id, String(req.params.frameworkId), parse(competencyInput, req.body, 'competency')) });
  });

  api.patch('/competencies/:competencyId', { summary: 'Change a competency’s name, description or safety-critical flag (admin)', tags, body: competencyPatch }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    res.json({ competency: await updateCompetency(ctx.db, req.user.id, String(req.params.competencyId), parse(competencyPatch, req.body, 'competency')) });
  });

  const pages = registry.router('/admin/competencies');

  async function render(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    const frameworks = await Promise.all((await listFrameworks(ctx.db)).map((f) => frameworkTree(ctx.db, f.id)));
    res.render('competencies/admin', { title: 'Competency frameworks', frameworks, done: req.query.done === '1', ...extra });
  }

  pages.get('/', async (req, res) => render(req, res));

  pages.post('/:frameworkId/areas', async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    await formAction(
      res,
      async () => {
        await addArea(ctx.db, actorOf(req).id, String(req.params.frameworkId), parse(areaInput, { name: req.body.name, description: req.body.description }, 'area form'));
        return '/admin/competencies?done=1';
      },
      (error: AppError) => render(req, res, { error, errorFor: String(req.params.frameworkId) }),
    );
  });

  pages.post('/:frameworkId/competencies', async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    await formAction(
      res,
      async () => {
        const b = req.body as Record<string, unknown>;
        await addCompetency(ctx.db, actorOf(req).id, String(req.params.frameworkId), parse(competencyInput, { areaId: b.areaId, code: b.code, name: b.name, description: b.description, safetyCritical: b.safetyCritical ?? false }, 'competency form'));
        return '/admin/competencies?done=1';
      },
      (error: AppError) => render(req, res, { error, errorFor: String(req.params.frameworkId) }),
    );
  });

  pages.post('/competency/:competencyId', async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    await formAction(
      res,
      async () => {
        const b = req.body as Record<string, unknown>;
        await updateCompetency(ctx.db, actorOf(req).id, String(req.params.competencyId), parse(competencyPatch, { name: b.name, description: b.description ?? '', safetyCritical: b.safetyCritical ?? false }, 'competency form'));
        return '/admin/competencies?done=1';
      },
      (error: AppError) => render(req, res, { error }),
    );
  });

  return [api, pages];
}
