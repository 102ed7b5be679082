/** LMS connections for the provider's admins: platform registrations (page and API), the values to paste into the
 * LMS, the tool's keys and their rotation, and the record of score posts. */
import type { Response } from 'express';
import { z } from 'zod';
import { asc, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../context';
import { organisations, users } from '../db/tables';
import { onProvider } from '../http/grants';
import { presenter, reply, seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { recentPosts } from './grades';
import type { LtiDeps } from './index';
import { keyStatus, rotateKey } from './keys';
import { createRegistration, getRegistration, listRegistrations, registrationForm, registrationInput, registrationPatch, registrationUpdateForm, toolValues, updateRegistration, type Registration } from './registrations';

const presentRegistration = presenter((reg: Registration, publicUrl: string) => ({
  id: reg.id,
  organisationId: reg.organisationId,
  organisationName: reg.organisationName,
  name: reg.name,
  issuer: reg.issuer,
  clientId: reg.clientId,
  deploymentIds: reg.deploymentIds,
  authLoginUrl: reg.authLoginUrl,
  accessTokenUrl: reg.accessTokenUrl,
  jwksUrl: reg.jwksUrl,
  learnersJoin: reg.learnersJoin,
  adminsLead: reg.adminsLead,
  trustEmail: reg.trustEmail,
  createdAt: reg.createdAt,
  updatedAt: reg.updatedAt,
  tool: toolValues(publicUrl),
}));
const presentList = presenter((regs: Registration[], publicUrl: string) => ({ registrations: regs.map((r) => presentRegistration(r, publicUrl)), tool: toolValues(publicUrl) }));
const presentKeys = presenter((keys: Awaited<ReturnType<typeof keyStatus>>) => ({ keys }));
const presentPosts = presenter((posts: Awaited<ReturnType<typeof recentPosts>>) => ({ posts: posts.map(({ userId: _u, ...p }) => p) }));

/** Mounts /admin/lti pages and /api/v1/lti routes. */
export function ltiAdminRoutes(registry: RouteRegistry, ctx: AppContext, deps: LtiDeps) {
  const pages = registry.router('/admin/lti');
  const api = registry.router('/api/v1/lti');
  const tags = ['lti'];
  const admin = onProvider('provider:manage');
  const publicUrl = ctx.config.publicUrl;

  async function renderList(res: Response, extra: Record<string, unknown> = {}) {
    const [regs, clients, keys] = await Promise.all([
      listRegistrations(ctx.db),
      ctx.db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(eq(organisations.kind, 'client')).orderBy(asc(organisations.name)),
      keyStatus(ctx.db),
    ]);
    res.render('lti/admin', { title: 'LMS connections', registrations: regs, clients, keys, tool: toolValues(publicUrl), form: { learnersJoin: 'on', trustEmail: 'on' }, ...extra });
  }

  async function renderOne(res: Response, registrationId: string, extra: Record<string, unknown> = {}) {
    const reg = await getRegistration(ctx.db, registrationId);
    const posts = await recentPosts(ctx, reg.id);
    const names = new Map((posts.length ? await ctx.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, [...new Set(posts.map((p) => p.userId))])) : []).map((u) => [u.id, u.name]));
    res.render('lti/registration', {
      title: `${reg.name} — LMS connection`,
      reg,
      tool: toolValues(publicUrl),
      posts: posts.map((p) => ({ ...p, person: names.get(p.userId) ?? 'Someone' })),
      form: { ...reg, deploymentIds: reg.deploymentIds.join('\n'), learnersJoin: reg.learnersJoin && 'on', adminsLead: reg.adminsLead && 'on', trustEmail: reg.trustEmail && 'on' },
      ...extra,
    });
  }

  pages.get('/', { summary: 'LMS connections: registrations, the values to paste, the tool’s keys', authorize: admin }, (_i, req, res) => renderList(res, { done: req.query.done === 'rotated' ? 'A new signing key is active. The old one stays published for a week.' : undefined }));

  pages.form(
    '/registrations',
    { summary: 'Register a platform (form)', body: registrationForm, authorize: admin, rerender: (_req, res, { error, values }) => renderList(res, { error, form: values }) },
    async ({ body, actor }) => seeOther(`/admin/lti/registrations/${(await createRegistration(ctx.db, actor.id, body)).id}?done=created`),
  );

  pages.get('/registrations/:registrationId', { summary: 'One platform registration, with the values to paste into the LMS', authorize: admin }, (_i, req, res) =>
    renderOne(res, String(req.params.registrationId), { done: req.query.done === 'created' ? 'Registered. Now paste the values below into the LMS.' : req.query.done === 'saved' ? 'Saved.' : undefined }),
  );

  pages.form(
    '/registrations/:registrationId',
    { summary: 'Change a platform registration (form)', body: registrationUpdateForm, authorize: admin, rerender: (_req, res, { error, values, params }) => renderOne(res, params.registrationId, { error, form: values }) },
    async ({ body, params, actor }) => {
      await updateRegistration(ctx.db, actor.id, params.registrationId, body);
      deps.services.forget(params.registrationId);
      return seeOther(`/admin/lti/registrations/${params.registrationId}?done=saved`);
    },
  );

  pages.form('/keys/rotation', { summary: 'Rotate the tool’s signing key (form)', authorize: admin }, async ({ actor }) => {
    await rotateKey(ctx.db, actor.id);
    return seeOther('/admin/lti?done=rotated');
  });

  api.get('/registrations', { summary: 'Platform registrations, with the tool’s values to paste (admin)', tags, authorize: admin }, async () => reply(presentList(await listRegistrations(ctx.db), publicUrl)));

  api.post('/registrations', { summary: 'Register a platform for a client organisation (admin)', tags, body: registrationInput, success: { status: 201, description: 'The registration, with the tool’s values to paste' }, authorize: admin }, async ({ body, actor }) =>
    reply(presentRegistration(await createRegistration(ctx.db, actor.id, body), publicUrl)),
  );

  api.get('/registrations/:registrationId', { summary: 'One platform registration (admin)', tags, authorize: admin }, async ({ params }) => reply(presentRegistration(await getRegistration(ctx.db, params.registrationId), publicUrl)));

  api.patch('/registrations/:registrationId', { summary: 'Change a platform registration; deploymentIds replaces the list (admin)', tags, body: registrationPatch, authorize: admin }, async ({ params, body, actor }) => {
    const reg = await updateRegistration(ctx.db, actor.id, params.registrationId, body);
    deps.services.forget(reg.id);
    return reply(presentRegistration(reg, publicUrl));
  });

  api.get('/registrations/:registrationId/score-posts', { summary: 'The newest score posts to this platform, each with its answer (admin)', tags, authorize: admin }, async ({ params }) => {
    const reg = await getRegistration(ctx.db, params.registrationId);
    return reply(presentPosts(await recentPosts(ctx, reg.id, 100)));
  });

  api.get('/keys', { summary: 'The tool’s signing keys: the active one and retired ones still published (no key material)', tags, authorize: admin }, async () => reply(presentKeys(await keyStatus(ctx.db))));

  api.post('/keys/rotation', { summary: 'Rotate the tool’s signing key; the old one stays published for a week (admin). Send an empty JSON object.', tags, body: z.strictObject({}), success: { status: 201, description: 'The keys after rotation' }, authorize: admin }, async ({ actor }) => {
    await rotateKey(ctx.db, actor.id);
    return reply(presentKeys(await keyStatus(ctx.db)));
  });

  return [pages, api];
}
