/** Admin pages: organisations, cohorts, invitations and cohort membership (progressive enhancement: plain forms). */
import type { Request, Response } from 'express';
import { asc, eq } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { Actor } from '../auth/actor';
import { authorize, can, type Subject } from '../policies';
import { onCohort, onProvider } from '../http/grants';
import { seeOther } from '../http/present';
import { grant, type RouteRegistry } from '../http/router';
import { id } from '../http/validate';
import { ValidationError } from '../errors';
import { addCohortMember, createCohort, createOrganisation, removeCohortMember } from '../cohorts/commands';
import { z } from 'zod';
import { cohortPeople, getCohort, visibleCohorts, visibleOrganisations, type CohortRow } from '../cohorts/queries';
import { inviteUser } from '../accounts/commands';
import { cohortInvitations, getCohortInvitation, getInvitationWithoutCohort, invitationsWithoutCohort, presentInvitation, resendInvitation, revokeInvitation } from '../accounts/invitations';
import { memberships, organisations, programmeTemplates, users } from '../db/tables';
import { cohortInput, invitationInput, memberInput, organisationInput } from './admin-schemas';
import { formOf } from '../http/forms';

const firstValue = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/** Mounts /admin and /cohorts/:cohortId pages. */
export function adminPageRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('');

  /** The admin page (the route authorised `provider:manage`). */
  async function renderAdmin(req: Request, res: Response, actor: Actor, extra: Record<string, unknown> = {}) {
    const [orgs, cohortList, templates, sent] = await Promise.all([
      visibleOrganisations(ctx.db, actor),
      visibleCohorts(ctx.db, actor),
      ctx.db.select({ id: programmeTemplates.id, name: programmeTemplates.name }).from(programmeTemplates).orderBy(asc(programmeTemplates.name)),
      // Invitations to an organisation and no cohort (a cohort's are on its people page); the route allowed provider:manage.
      invitationsWithoutCohort(ctx.db),
    ]);
    res.render('pages/admin', {
      title: 'Administration',
      organisations: orgs,
      clients: orgs.filter((o) => o.kind === 'client'),
      cohorts: cohortList,
      templates,
      moduleLinks: ctx.registry.modules.flatMap((m) => m.adminLinks),
      invitations: sent.map((i) => presentInvitation(i, true)),
      invitationsBase: '/admin',
      invited: firstValue(req.query.invited) === '1' ? { link: req.session.lastInviteLink, email: req.session.lastInviteEmail, repeatedSince: req.session.lastInviteRepeatedSince } : undefined,
      changed: firstValue(req.query.invitation),
      resentLink: firstValue(req.query.invitation) === 'resent' ? req.session.lastInviteLink : undefined,
      saved: firstValue(req.query.saved),
      ...extra,
    });
  }

  const admin = onProvider('provider:manage');

  r.get('/admin', { summary: 'Administration', authorize: admin }, ({ actor }, req, res) => renderAdmin(req, res, actor));

  r.form(
    '/admin/organisations',
    { summary: 'Create an organisation (form)', body: formOf(organisationInput), authorize: admin, rerender: (req, res, { error, values, actor }) => renderAdmin(req, res, actor, { orgError: error, orgForm: values }) },
    async ({ body, actor }) => {
      await createOrganisation(ctx.db, actor.id, body);
      return seeOther('/admin?created=organisation');
    },
  );

  r.form(
    '/admin/cohorts',
    { summary: 'Create a cohort (form)', body: formOf(cohortInput), authorize: admin, rerender: (req, res, { error, values, actor }) => renderAdmin(req, res, actor, { cohortError: error, cohortForm: values }) },
    async ({ body, actor }) => {
      const { stalledAfterDays, leadMayObserveLive, ...rest } = body;
      void leadMayObserveLive;
      const cohort = await createCohort(ctx.db, actor.id, { ...rest, settings: stalledAfterDays ? { stalledAfterDays } : {} });
      return seeOther(`/cohorts/${cohort.id}/manage`);
    },
  );

  r.form(
    '/admin/invitations',
    {
      summary: 'Invite a person (form)',
      body: formOf(invitationInput),
      // Two subjects, as in the API: the organisation named in the form (invite), then the cohort when one is named.
      authorize: async (req, { form }) => {
        const organisationId = typeof form.organisationId === 'string' ? form.organisationId : '';
        authorize(req.user, 'organisation:invite', { type: 'organisation', id: organisationId }, 'That organisation');
        if (typeof form.cohortId !== 'string' || !form.cohortId) return grant<Subject>('organisation:invite', { type: 'organisation', id: organisationId }, 'That organisation');
        const cohort = await getCohort(ctx.db, form.cohortId);
        return grant<Subject>(form.role === 'candidate' ? 'cohort:add-candidate' : 'cohort:manage', { type: 'cohort', cohort }, 'That cohort');
      },
      // The admin page re-shows the form; anyone else (a lead, from the cohort page) gets the error page.
      rerender: async (req, res, { error, values, actor }) => {
        if (!can(actor, 'provider:manage', { type: 'provider' })) throw error;
        await renderAdmin(req, res, actor, { inviteError: error, inviteForm: values });
      },
    },
    async ({ body, actor }, req) => {
      if (body.cohortId) {
        const cohort = await getCohort(ctx.db, body.cohortId);
        // As in the API: only a (provider) mentor may join a cohort of another organisation.
        if (cohort.organisationId !== body.organisationId && body.role !== 'mentor') {
          throw new ValidationError('That cohort belongs to another organisation.', [{ field: 'cohortId', message: 'must be a cohort of the organisation' }]);
        }
      }
      const result = await inviteUser(ctx, actor.id, body);
      req.session.lastInviteLink = !result.emailed && actor.isAdmin ? result.link : undefined;
      req.session.lastInviteEmail = body.email;
      req.session.lastInviteRepeatedSince = result.repeatedSince ? result.repeatedSince.toISOString() : undefined;
      return seeOther(body.cohortId ? `/cohorts/${body.cohortId}/manage?invited=1` : '/admin?invited=1');
    },
  );

  // Re-send or revoke an invitation to no cohort from /admin: the same commands as the cohort page's.
  const onAdminInvitation = async (_req: Request, { params }: { params: { invitationId: string } }) => {
    authorize(_req.user, 'provider:manage', { type: 'provider' });
    const invitation = await getInvitationWithoutCohort(ctx.db, params.invitationId);
    return grant('provider:manage', { type: 'provider' as const, invitation });
  };
  const adminInvitationParams = z.object({ invitationId: id });
  r.form(
    '/admin/invitations/:invitationId/resend',
    { summary: 'Send an invitation to no cohort again with a new link; the old link stops working (form)', params: adminInvitationParams, authorize: onAdminInvitation, rerender: (req, res, { error, actor }) => renderAdmin(req, res, actor, { invitationError: error }) },
    async ({ actor, subject: { invitation } }, req) => {
      const sent = await resendInvitation(ctx, actor.id, invitation);
      req.session.lastInviteLink = !sent.emailed ? sent.link : undefined;
      return seeOther('/admin?invitation=resent#invitations');
    },
  );
  r.form(
    '/admin/invitations/:invitationId/revoke',
    { summary: 'Revoke an invitation to no cohort: it grants nothing and its link stops working (form)', params: adminInvitationParams, authorize: onAdminInvitation, rerender: (req, res, { error, actor }) => renderAdmin(req, res, actor, { invitationError: error }) },
    async ({ actor, subject: { invitation } }) => {
      await revokeInvitation(ctx, actor.id, invitation);
      return seeOther('/admin?invitation=revoked#invitations');
    },
  );

  /** A cohort's people page (the route authorised at least `cohort:view-progress`). */
  async function renderCohortManage(req: Request, res: Response, actor: Actor, cohort: CohortRow, extra: Record<string, unknown> = {}) {
    const subject = { type: 'cohort' as const, cohort };
    const [members, [org], mentors, orgPeople, sent] = await Promise.all([
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
      // Every invitation to the cohort with its state, shown alike for new and existing accounts (by the name the inviter typed).
      cohortInvitations(ctx.db, cohort.id),
    ]);
    const pending = sent.filter((p) => p.state === 'pending' || p.state === 'expired');
    const people = [
      ...members,
      ...pending
        .filter((p) => !members.some((m) => m.userId === p.userId && m.role === p.role))
        .map((p) => ({ userId: p.userId, name: p.name, email: p.email, status: 'invited' as const, role: p.role })),
    ].sort((x, y) => x.name.localeCompare(y.name));
    const mayManage = can(actor, 'cohort:manage', subject);
    const mayInviteCandidates = can(actor, 'cohort:add-candidate', subject);
    const allowedFor = (role: string) => (role === 'candidate' ? mayInviteCandidates : mayManage);
    const removable = (p: { status: string; userId: string }) => mayManage && p.status !== 'invited' && p.userId !== actor.id;
    res.render('pages/cohort-manage', {
      title: `${cohort.name} — people`,
      cohort,
      organisation: org,
      candidates: people.filter((p) => p.role === 'candidate').map((p) => ({ ...p, removable: removable(p) })),
      mentors: people.filter((p) => p.role === 'mentor').map((p) => ({ ...p, removable: removable(p) })),
      leads: people.filter((p) => p.role === 'lead').map((p) => ({ ...p, removable: removable(p) })),
      observers: people.filter((p) => p.role === 'observer').map((p) => ({ ...p, removable: removable(p) })),
      invitations: sent.map((i) => presentInvitation(i, allowedFor(i.role))),
      invitationsBase: `/cohorts/${cohort.id}`,
      removed: firstValue(req.query.removed) === '1',
      changed: firstValue(req.query.invitation),
      resentLink: firstValue(req.query.invitation) === 'resent' ? req.session.lastInviteLink : undefined,
      mentorChoices: mentors,
      orgPeople,
      invited: firstValue(req.query.invited) === '1' ? { link: req.session.lastInviteLink, email: req.session.lastInviteEmail, repeatedSince: req.session.lastInviteRepeatedSince } : undefined,
      can: {
        manage: can(actor, 'cohort:manage', subject),
        addCandidate: can(actor, 'cohort:add-candidate', subject),
      },
      ...extra,
    });
  }

  r.get('/cohorts/:cohortId/manage', { summary: 'A cohort’s people', authorize: onCohort(ctx.db, 'cohort:view-progress') }, ({ actor, subject }, req, res) => renderCohortManage(req, res, actor, subject.cohort));

  r.form(
    '/cohorts/:cohortId/members',
    {
      summary: 'Add a person to a cohort (form)',
      body: formOf(memberInput),
      authorize: async (_req, { params, form }) => {
        const cohort = await getCohort(ctx.db, params.cohortId);
        return grant(form.role === 'candidate' ? 'cohort:add-candidate' : 'cohort:manage', { type: 'cohort' as const, cohort }, 'That cohort');
      },
      rerender: (req, res, { error, actor, subject }) => renderCohortManage(req, res, actor, subject.cohort, { memberError: error }),
    },
    async ({ body, actor, subject: { cohort } }) => {
      await addCohortMember(ctx, actor.id, cohort.id, body.userId, body.role);
      return seeOther(`/cohorts/${cohort.id}/manage`);
    },
  );

  // Re-send or revoke an invitation to the cohort: a candidate's by whoever may add candidates, anyone else's by managers.
  const onInvitation = async (_req: Request, { params }: { params: { cohortId: string; invitationId: string } }) => {
    const cohort = await getCohort(ctx.db, params.cohortId);
    authorize(_req.user, 'cohort:view-progress', { type: 'cohort', cohort }, 'That cohort');
    const invitation = await getCohortInvitation(ctx.db, cohort.id, params.invitationId);
    return grant((invitation.cohortRole ?? 'candidate') === 'candidate' ? 'cohort:add-candidate' : 'cohort:manage', { type: 'cohort' as const, cohort, invitation }, 'That cohort');
  };
  const invitationParams = z.object({ cohortId: id, invitationId: id });
  r.form(
    '/cohorts/:cohortId/invitations/:invitationId/resend',
    { summary: 'Send an invitation again with a new link; the old link stops working (form)', params: invitationParams, authorize: onInvitation, rerender: (req, res, { error, actor, subject }) => renderCohortManage(req, res, actor, subject.cohort, { memberError: error }) },
    async ({ actor, subject: { cohort, invitation } }, req) => {
      const sent = await resendInvitation(ctx, actor.id, invitation);
      req.session.lastInviteLink = !sent.emailed && actor.isAdmin ? sent.link : undefined;
      return seeOther(`/cohorts/${cohort.id}/manage?invitation=resent#invitations`);
    },
  );
  r.form(
    '/cohorts/:cohortId/invitations/:invitationId/revoke',
    { summary: 'Revoke an invitation: it grants nothing and its link stops working (form)', params: invitationParams, authorize: onInvitation, rerender: (req, res, { error, actor, subject }) => renderCohortManage(req, res, actor, subject.cohort, { memberError: error }) },
    async ({ actor, subject: { cohort, invitation } }) => {
      await revokeInvitation(ctx, actor.id, invitation);
      return seeOther(`/cohorts/${cohort.id}/manage?invitation=revoked#invitations`);
    },
  );

  r.form(
    '/cohorts/:cohortId/members/:userId/:role/remove',
    { summary: 'Remove a person’s role in a cohort (form)', params: z.object({ cohortId: id, userId: z.uuid({ message: 'must be an id' }), role: memberInput.shape.role }), authorize: onCohort(ctx.db, 'cohort:manage') },
    async ({ actor, params, subject: { cohort } }) => {
      await removeCohortMember(ctx, actor.id, cohort.id, params.userId, params.role as z.output<typeof memberInput>['role']);
      return seeOther(`/cohorts/${cohort.id}/manage?removed=1`);
    },
  );

  return [r];
}

declare module 'express-session' {
  interface SessionData {
    lastInviteLink?: string;
    lastInviteEmail?: string;
    lastInviteRepeatedSince?: string;
  }
}
