/** LTI pages behind a login: where a launch lands, the instructor's picker (binding a course link), the deep linking
 * picker and response, the roster sync, and finishing the connect step. */
import type { Request, Response } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context';
import { cohortStages, cohorts, ltiLaunches, ltiRegistrations, users, type RosterSummary } from '../db/tables';
import { AppError, NotFoundError, ValidationError } from '../errors';
import { grant, type Grant, type RouteRegistry } from '../http/router';
import { presenter, reply, seeOther } from '../http/present';
import { id } from '../http/validate';
import { removeCohortMember } from '../cohorts/commands';
import type { Actor } from '../auth/actor';
import { readRoles } from './claims';
import { deepLinkingResponse } from './deep-linking';
import type { LtiDeps } from './index';
import { getLaunch, useEntryToken } from './launch';
import { bindChoices, bindLink, destination, getLink } from './links';
import { connectIdentity } from './people';
import { latestSync, syncRoster } from './roster';
import { CONNECT_COOKIE, renderRefusal } from './routes-public';
import { allowFraming } from './session';
import { PlatformError } from './services';

type LaunchSubject = { type: 'lti-launch'; userId: string | null; instructor: boolean };
type CohortSubject = { type: 'cohort'; cohort: typeof cohorts.$inferSelect };

const choiceForm = z.strictObject({ target: z.string({ message: 'choose a cohort or one of its stages' }).regex(/^[0-9a-f-]{36}(:[0-9a-f-]{36})?$/i, 'choose a cohort or one of its stages') });
const removalForm = z.strictObject({ userId: id });

function readChoice(target: string): { cohortId: string; stageId: string | null } {
  const [cohortId, stageId] = target.split(':');
  return { cohortId, stageId: stageId ?? null };
}

/** Mounts the /lti pages. */
export function ltiPageRoutes(registry: RouteRegistry, ctx: AppContext, deps: LtiDeps) {
  const r = registry.router('/lti');

  /** The session's launch (404 outside an LTI session), as a policy subject. */
  async function sessionLaunch(req: Request) {
    const launchId = req.session?.lti?.launchId;
    const launch = launchId ? await getLaunch(ctx, launchId) : null;
    if (!launch) throw new NotFoundError('That course link');
    return launch;
  }
  const launchSubject = (launch: { userId: string | null; record: { roles: string[] } }): LaunchSubject => ({ type: 'lti-launch', userId: launch.userId, instructor: readRoles(launch.record.roles).instructor || readRoles(launch.record.roles).institutionAdmin });

  async function onLinkOfLaunch(req: Request, linkId: string): Promise<Grant<LaunchSubject>> {
    const launch = await sessionLaunch(req);
    if (launch.resourceLinkRowId !== linkId) throw new NotFoundError('That course link');
    return grant('lti:bind', launchSubject(launch), 'That course link');
  }

  async function onDeepLink(req: Request, launchId: string): Promise<Grant<LaunchSubject>> {
    const launch = await sessionLaunch(req);
    if (launch.id !== launchId || launch.record.messageType !== 'LtiDeepLinkingRequest') throw new NotFoundError('That deep linking request');
    return grant('lti:deep-link', launchSubject(launch), 'That deep linking request');
  }

  async function onLinkCohort(linkId: string): Promise<Grant<CohortSubject>> {
    const link = await getLink(ctx.db, linkId);
    if (!link.cohortId) throw new NotFoundError('That course link');
    const [cohort] = await ctx.db.select().from(cohorts).where(eq(cohorts.id, link.cohortId));
    return grant('cohort:sync-roster', { type: 'cohort', cohort }, 'That course link');
  }

  r.get('/here', { summary: 'Where this launch lands: its cohort or stage, the picker, or what is missing', authorize: 'signed-in' }, async ({ actor }, req, res) => {
    const launch = await sessionLaunch(req);
    const facts = readRoles(launch.record.roles);
    if (launch.record.messageType === 'LtiDeepLinkingRequest') return seeOther(`/lti/deep-link/${launch.id}`);
    const link = launch.resourceLinkRowId ? await getLink(ctx.db, launch.resourceLinkRowId) : null;
    const to = link ? await destination(ctx.db, actor, link) : null;
    if (to) return seeOther(to);
    const mayBind = !!link && !link.cohortId && (facts.instructor || facts.institutionAdmin) && (await bindChoices(ctx.db, actor, link.organisationId)).length > 0;
    if (mayBind && link) return seeOther(`/lti/links/${link.id}/bind`);
    res.render('lti/here', { title: 'Cadre', unbound: !!link && !link.cohortId, instructor: facts.instructor, learner: facts.learner, linkTitle: link?.title, platform: link?.registrationName });
  });

  async function renderPicker(res: Response, actor: Actor, organisationId: string, view: 'lti/bind' | 'lti/deep-link', extra: Record<string, unknown>) {
    const choices = await bindChoices(ctx.db, actor, organisationId);
    res.render(view, { title: view === 'lti/bind' ? 'Connect this course to Cadre' : 'Choose what to add to your course', choices, ...extra });
  }

  r.get('/links/:linkId/bind', { summary: 'The instructor’s picker: which cohort (or stage) this course link opens', authorize: (req, { params }) => onLinkOfLaunch(req, params.linkId) }, async ({ actor, params }, req, res) => {
    const link = await getLink(ctx.db, params.linkId);
    if (link.cohortId) return seeOther('/lti/here');
    await renderPicker(res, actor, link.organisationId, 'lti/bind', { link });
  });

  r.form(
    '/links/:linkId/bind',
    {
      summary: 'Bind the course link to a cohort or one of its stages (form)',
      body: choiceForm,
      authorize: (req, { params }) => onLinkOfLaunch(req, params.linkId),
      rerender: async (_req, res, { error, actor, params }) => {
        const link = await getLink(ctx.db, params.linkId);
        await renderPicker(res, actor, link.organisationId, 'lti/bind', { link, error });
      },
    },
    async ({ body, params, actor }) => {
      const link = await getLink(ctx.db, params.linkId);
      const { cohortId, stageId } = readChoice(body.target);
      await bindLink(ctx, actor, link, link.organisationId, cohortId, stageId);
      await deps.gradesChanged(cohortId);
      return seeOther('/lti/here');
    },
  );

  r.get('/deep-link/:launchId', { summary: 'The deep linking picker: a cohort’s stage or the whole programme', authorize: (req, { params }) => onDeepLink(req, params.launchId) }, async ({ actor }, req, res) => {
    await renderPicker(res, actor, req.session.lti?.organisationId ?? '', 'lti/deep-link', { launchId: req.session.lti?.launchId });
  });

  r.form(
    '/deep-link/:launchId',
    {
      summary: 'Return the chosen item to the LMS as a signed deep linking response (form)',
      body: choiceForm,
      authorize: (req, { params }) => onDeepLink(req, params.launchId),
      rerender: (req, res, { error, actor, params }) => renderPicker(res, actor, req.session.lti?.organisationId ?? '', 'lti/deep-link', { launchId: params.launchId, error }),
    },
    async ({ body, params, actor }, req, res) => {
      const launch = await getLaunch(ctx, params.launchId);
      if (!launch) throw new NotFoundError('That deep linking request');
      const [reg] = await ctx.db.select().from(ltiRegistrations).where(eq(ltiRegistrations.id, launch.registrationId));
      const { cohortId, stageId } = readChoice(body.target);
      const choice = (await bindChoices(ctx.db, actor, reg.organisationId)).find((c) => c.id === cohortId);
      const stage = stageId ? choice?.stages.find((s) => s.id === stageId) : null;
      if (!choice || stage === undefined) throw new ValidationError('Choose a cohort you mentor or lead, or one of its stages.', [{ field: 'target', message: 'choose a cohort or one of its stages' }]);
      const { jwt, returnUrl } = await deepLinkingResponse(ctx, reg, launch.deploymentId, launch.record, { cohort: { id: choice.id, name: choice.name }, stage: stage ? { id: stage.id, title: stage.title } : null });
      allowFraming(res, launch.record.frameOrigins, [new URL(returnUrl).origin]);
      res.render('lti/deep-link-return', { title: 'Returning to your course', returnUrl, jwt, what: stage ? `${choice.name} — ${stage.title}` : `${choice.name} — the whole programme` });
    },
  );

  async function renderRoster(res: Response, linkId: string, extra: Record<string, unknown> = {}) {
    const link = await getLink(ctx.db, linkId);
    const [cohort] = await ctx.db.select({ id: cohorts.id, name: cohorts.name }).from(cohorts).where(eq(cohorts.id, link.cohortId as string));
    const [stage] = link.cohortStageId ? await ctx.db.select({ title: cohortStages.title }).from(cohortStages).where(eq(cohortStages.id, link.cohortStageId)) : [];
    const last = await latestSync(ctx, link.id);
    const syncedBy = last ? (await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, last.syncedBy)))[0]?.name : undefined;
    res.render('lti/roster', { title: `Course roster — ${cohort.name}`, link, cohort, stage, last, syncedBy, ...extra });
  }

  r.get('/links/:linkId/roster', { summary: 'The course roster: the last sync and who is no longer in the course', authorize: (_req, { params }) => onLinkCohort(params.linkId) }, async ({ params }, _req, res) => renderRoster(res, params.linkId));

  r.form(
    '/links/:linkId/roster',
    { summary: 'Sync the LMS course roster into the cohort (form)', authorize: (_req, { params }) => onLinkCohort(params.linkId), rerender: (_req, res, { error, params }) => renderRoster(res, params.linkId, { error }) },
    async ({ params, actor }, _req, res) => {
      const link = await getLink(ctx.db, params.linkId);
      try {
        await syncRoster(ctx, deps.services, actor, link);
      } catch (err) {
        if (!(err instanceof PlatformError)) throw err;
        res.status(502);
        return renderRoster(res, params.linkId, { error: { message: `The LMS did not give its roster: ${err.message}`, fields: [] } });
      }
      return seeOther(`/lti/links/${params.linkId}/roster?done=synced`);
    },
  );

  r.form(
    '/links/:linkId/roster/removals',
    { summary: 'Remove a candidate who left the LMS course from the cohort (form; their records stay)', body: removalForm, authorize: (_req, { params }) => onLinkCohort(params.linkId), rerender: (_req, res, { error, params }) => renderRoster(res, params.linkId, { error }) },
    async ({ params, body, actor, subject }) => {
      const last = await latestSync(ctx, params.linkId);
      if (!last?.summary.missing.some((m) => m.userId === body.userId)) throw new ValidationError('Only people the last sync listed as no longer in the course can be removed here.', [{ field: 'userId', message: 'was not listed by the last sync' }]);
      await removeCohortMember(ctx, actor.id, subject.cohort.id, body.userId, 'candidate');
      return seeOther(`/lti/links/${params.linkId}/roster?done=removed`);
    },
  );

  r.get('/connect', { summary: 'Finish connecting a platform identity to the signed-in account', authorize: 'signed-in' }, async ({ actor }, req, res) => {
    try {
      const token = (req.cookies as Record<string, string | undefined>)[CONNECT_COOKIE];
      const { launch, reg } = await useEntryToken(ctx, token);
      res.clearCookie(CONNECT_COOKIE, { path: '/lti' });
      await connectIdentity(ctx, reg.id, launch.sub, actor.id);
      req.session.lti = { launchId: launch.id, registrationId: reg.id, organisationId: reg.organisationId, frameOrigins: launch.record.frameOrigins };
      await ctx.db.update(ltiLaunches).set({ userId: actor.id }).where(eq(ltiLaunches.id, launch.id));
      return seeOther('/lti/here');
    } catch (err) {
      await renderRefusal(ctx, req, res, err);
    }
  });

  const api = registry.router('/api/v1/lti');
  api.post(
    '/links/:linkId/roster-sync',
    { summary: 'Sync the LMS course roster into the linked cohort (its mentors, leads, admins): who joined, who was invited, who left the course (listed, never removed)', tags: ['lti'], body: z.strictObject({}), success: { status: 201, description: 'What the sync did' }, authorize: (_req, { params }) => onLinkCohort(params.linkId) },
    async ({ params, actor }) => {
      try {
        return reply(presentSummary(await syncRoster(ctx, deps.services, actor, await getLink(ctx.db, params.linkId))));
      } catch (err) {
        if (err instanceof PlatformError) throw new AppError(`The LMS did not give its roster: ${err.message}`, 502, 'platform_failed');
        throw err;
      }
    },
  );

  return [r, api];
}

const presentSummary = presenter((s: RosterSummary) => ({ joined: s.joined, invited: s.invited, withoutEmail: s.noEmail, leftTheCourse: s.missing, staffLeftAsTheyAre: s.staff }));
