/** Admin pages: organisations, cohorts, invitations and cohort membership (progressive enhancement: plain forms). */
import type { Request, Response } from 'express';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../context';
import { authorize, can } from '../policies';
import type { RouteRegistry } from '../http/router';
import { parse } from '../http/validate';
import { actorOf } from '../http/request-context';
import { ValidationError } from '../errors';
import { addCohortMember, createCohort, createOrganisation, removeCohortMember } from '../cohorts/commands';
import { z } from 'zod';
import { cohortPeople, getCohort, visibleCohorts, visibleOrganisations } from '../cohorts/queries';
import { inviteUser } from '../accounts/commands';
import { invitations, memberships, organisations, programmeTemplates, users } from '../db/tables';
import { cohortInput, invitationInput, memberInput, organisationInput } from './admin-schemas';
import { formAction, formBody } from '../http/forms';

/** Mounts /admin and /cohorts/:cohortId pages. */
export function adminPageRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('');

  async function renderAdmin(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const actor = actorOf(req);
    authorize(actor, 'provider:manage', { type: 'provider' });
    const [orgs, cohortList, templates] = await Promise.all([
      visibleOrganisations(ctx.db, actor),
      visibleCohorts(ctx.db, actor),
      ctx.db.select({ id: programmeTemplates.id, name: programmeTemplates.name }).from(programmeTemplates).orderBy(asc(programmeTemplates.name)),
    ]);
    res.render('pages/admin', {
      title: 'Administration',
      organisations: orgs,
      clients: orgs.filter((o) => o.kind === 'client'),
      cohorts: cohortList,
      templates,
      invited: req.query.invited === '1' ? { link: req.session.lastInviteLink } : undefined,
      ...extra,
    });
  }

  r.get('/admin', async (req, res) => renderAdmin(req, res));

  r.post('/admin/organisations', async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    await formAction(
      res,
      async () => {
        await createOrganisation(ctx.db, req.user!.id, parse(organisationInput, formBody(req), 'organisation form'));
        return '/admin?created=organisation';
      },
      (error) => renderAdmin(req, res, { orgError: error, orgForm: req.body }),
    );
  });

  r.post('/admin/cohorts', async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    await formAction(
      res,
      async () => {
        const { stalledAfterDays, leadMayObserveLive, ...rest } = parse(cohortInput, formBody(req), 'cohort form');
        void leadMayObserveLive;
        const cohort = await createCohort(ctx.db, req.user!.id, { ...rest, settings: stalledAfterDays ? { stalledAfterDays } : {} });
        return `/cohorts/${cohort.id}/manage`;
      },
      (error) => renderAdmin(req, res, { cohortError: error, cohortForm: req.body }),
    );
  });

  r.post('/admin/invitations', async (req, res) => {
    await formAction(
      res,
      async () => {
        const body = parse(invitationInput, formBody(req), 'invitation form');
        authorize(req.user, 'organisation:invite', { type: 'organisation', id: body.organisationId }, 'That organisation');
        if (body.cohortId) {
          const cohort = await getCohort(ctx.db, body.cohortId);
          authorize(req.user, body.role === 'candidate' ? 'cohort:add-candidate' : 'cohort:manage', { type: 'cohort', cohort }, 'That cohort');
          // As in the API: only a (provider) mentor may join a cohort of another organisation.
          if (cohort.organisationId !== body.organisationId && body.role !== 'mentor') {
            throw new ValidationError('That cohort belongs to another organisation.', [{ field: 'cohortId', message: 'must be a cohort of the organisation' }]);
          }
        }
        const result = await inviteUser(ctx, req.user!.id, body);
        req.session.lastInviteLink = !result.emailed && req.user!.isAdmin ? result.link : undefined;
        req.session.lastInviteEmail = body.email;
        return body.cohortId ? `/cohorts/${body.cohortId}/manage?invited=1` : '/admin?invited=1';
      },
      (error) => renderAdmin(req, res, { inviteError: error, inviteForm: req.body }),
    );
  });

  async function renderCohortManage(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const actor = actorOf(req);
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(actor, 'cohort:view-progress', { type: 'cohort', cohort }, 'That cohort');
    const subject = { type: 'cohort' as const, cohort };
    const [members, [org], mentors, orgPeople, pending] = await Promise.all([
      cohortPeople(ctx.db, cohort.id),
      ctx.db.select().from(organisations).where(eq(organisations.id, cohort.organisationId)),
      ctx.db
        .select({ id: users.id, name: users.name })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
        .where(eq(memberships.role, 'mentor'))
        .orderBy(asc(users.name)),
      ctx.db
        .select({ id: users.id, name: users.name, role: memberships.role })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.organisationId, cohort.organisationId))
        .orderBy(asc(users.name)),
      // Invitations not yet accepted, shown alike for new and existing accounts (by the name the inviter typed).
      ctx.db
        .select({ userId: invitations.userId, name: invitations.name, email: users.email, role: invitations.cohortRole })
        .from(invitations)
        .innerJoin(users, eq(users.id, invitations.userId))
        .where(and(eq(invitations.cohortId, cohort.id), isNull(invitations.acceptedAt))),
    ]);
    const people = [
      ...members,
      ...pending
        .filter((p) => !members.some((m) => m.userId === p.userId && m.role === p.role))
        .map((p) => ({ ...p, email: p.email.toLowerCase(), status: 'invited' as const, role: p.role ?? 'candidate' })),
    ].sort((x, y) => x.name.localeCompare(y.name));
    res.render('pages/cohort-manage', {
      title: `${cohort.name} — people`,
      cohort,
      organisation: org,
      candidates: people.filter((p) => p.role === 'candidate'),
      mentors: people.filter((p) => p.role === 'mentor'),
      leads: people.filter((p) => p.role === 'lead'),
      observers: people.filter((p) => p.role === 'observer'),
      mentorChoices: mentors,
      orgPeople,
      invited: req.query.invited === '1' ? { link: req.session.lastInviteLink, email: req.session.lastInviteEmail } : undefined,
      can: {
        manage: can(actor, 'cohort:manage', subject),
        addCandidate: can(actor, 'cohort:add-candidate', subject),
      },
      ...extra,
    });
  }

  r.get('/cohorts/:cohortId/manage', async (req, res) => renderCohortManage(req, res));

  r.post('/cohorts/:cohortId/members', async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const body = parse(memberInput, formBody(req), 'member form');
    authorize(req.user, body.role === 'candidate' ? 'cohort:add-candidate' : 'cohort:manage', { type: 'cohort', cohort }, 'That cohort');
    await formAction(
      res,
      async () => {
        await addCohortMember(ctx, req.user!.id, cohort.id, body.userId, body.role);
        return `/cohorts/${cohort.id}/manage`;
      },
      (error) => renderCohortManage(req, res, { memberError: error }),
    );
  });

  r.post('/cohorts/:cohortId/members/:userId/:role/remove', async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'cohort:manage', { type: 'cohort', cohort }, 'That cohort');
    const params = parse(z.object({ userId: z.uuid({ message: 'must be an id' }), role: memberInput.shape.role }), { userId: req.params.userId, role: req.params.role }, 'address');
    await removeCohortMember(ctx, req.user!.id, cohort.id, params.userId, params.role);
    res.redirect(303, `/cohorts/${cohort.id}/manage?removed=1`);
  });

  return [r];
}

declare module 'express-session' {
  interface SessionData {
    lastInviteLink?: string;
    lastInviteEmail?: string;
  }
}
