/** JSON API for organisations, cohorts, members and invitations. */
import { z } from 'zod';
import type { AppContext } from '../context';
import { authorize } from '../policies';
import type { RouteRegistry } from '../http/router';
import { parse, paramId } from '../http/validate';
import { actorOf } from '../http/request-context';
import { addCohortMember, createCohort, createOrganisation, removeCohortMember, removeOrganisationMember, setUserDisabled } from '../cohorts/commands';
import { cohortPeople, getCohort, getOrganisation, visibleCohorts, visibleOrganisations } from '../cohorts/queries';
import { inviteUser } from '../accounts/commands';
import { ValidationError } from '../errors';
import { cohortInput, invitationInput, memberInput, organisationInput } from './admin-schemas';

/** Mounts /api/v1 organisation, cohort and invitation routes. */
export function adminApiRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/api/v1');
  const tags = ['organisations'];

  r.get('/organisations', { summary: 'Organisations you can see', tags }, async (req, res) => {
    res.json({ organisations: await visibleOrganisations(ctx.db, actorOf(req)) });
  });

  r.post('/organisations', { summary: 'Create an organisation (admin)', tags, body: organisationInput, success: { status: 201, description: 'Created' } }, async (req, res) => {
    authorize(req.user, 'organisation:create', { type: 'provider' });
    const body = parse(organisationInput, req.body);
    res.status(201).json({ organisation: await createOrganisation(ctx.db, req.user.id, body) });
  });

  r.get('/organisations/:organisationId', { summary: 'One organisation', tags }, async (req, res) => {
    const orgId = paramId(req.params.organisationId, 'organisationId');
    authorize(req.user, 'organisation:view', { type: 'organisation', id: orgId }, 'That organisation');
    res.json({ organisation: await getOrganisation(ctx.db, orgId) });
  });

  r.post('/invitations', { summary: 'Invite a person by e-mail (admin, or a lead for their organisation)', tags: ['people'], body: invitationInput, success: { status: 201, description: 'Invited (the same answer whether or not the address has an account); `link` is the one-time link, for provider admins when no e-mail server is configured' } }, async (req, res) => {
    const body = parse(invitationInput, req.body);
    authorize(req.user, 'organisation:invite', { type: 'organisation', id: body.organisationId }, 'That organisation');
    if (!req.user.isAdmin && body.role !== 'candidate' && body.role !== 'lead') {
      throw new ValidationError('Leads can invite candidates and other leads only.', [{ field: 'role', message: 'must be candidate or lead' }]);
    }
    if (body.cohortId) {
      const cohort = await getCohort(ctx.db, body.cohortId);
      if (cohort.organisationId !== body.organisationId && body.role !== 'mentor') {
        throw new ValidationError('That cohort belongs to another organisation.', [{ field: 'cohortId', message: 'must be a cohort of the organisation' }]);
      }
      authorize(req.user, body.role === 'mentor' ? 'cohort:manage' : 'cohort:add-candidate', { type: 'cohort', cohort }, 'That cohort');
    }
    const result = await inviteUser(ctx, req.user.id, body);
    // The same answer whether or not the address has an account. Only provider admins (who see every account anyway)
    // are handed the link to pass on when no e-mail server is configured.
    res.status(201).json({ invitationId: result.invitationId, emailed: result.emailed, message: `Invitation sent to ${body.email.toLowerCase()}.`, link: !result.emailed && req.user.isAdmin ? result.link : undefined });
  });

  r.get('/cohorts', { summary: 'Cohorts you can see', tags: ['cohorts'] }, async (req, res) => {
    res.json({ cohorts: await visibleCohorts(ctx.db, actorOf(req)) });
  });

  r.post('/cohorts', { summary: 'Create a cohort from a programme template (admin)', tags: ['cohorts'], body: cohortInput, success: { status: 201, description: 'Created' } }, async (req, res) => {
    authorize(req.user, 'cohort:create', { type: 'provider' });
    const body = parse(cohortInput, req.body);
    const { stalledAfterDays, leadMayObserveLive, ...rest } = body;
    const settings = { ...(stalledAfterDays ? { stalledAfterDays } : {}), ...(leadMayObserveLive !== undefined ? { leadMayObserveLive } : {}) };
    res.status(201).json({ cohort: await createCohort(ctx.db, req.user.id, { ...rest, settings }) });
  });

  r.get('/cohorts/:cohortId', { summary: 'One cohort with its members', tags: ['cohorts'] }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'cohort:view', { type: 'cohort', cohort }, 'That cohort');
    const people = await cohortPeople(ctx.db, cohort.id);
    const staff = req.user.isAdmin || req.user.cohortRoles.some((c) => c.cohortId === cohort.id && c.role === 'mentor') || req.user.orgRoles.some((m) => m.organisationId === cohort.organisationId && m.role === 'lead');
    res.json({ cohort, members: people.map((p) => ({ userId: p.userId, name: p.name, role: p.role, ...(staff ? { email: p.email, status: p.status } : {}) })) });
  });

  r.post('/cohorts/:cohortId/members', { summary: 'Add a person to a cohort as candidate, mentor, lead or observer', tags: ['cohorts'], body: memberInput, success: { status: 201, description: 'Added' } }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    const body = parse(memberInput, req.body);
    authorize(req.user, body.role === 'candidate' ? 'cohort:add-candidate' : 'cohort:manage', { type: 'cohort', cohort }, 'That cohort');
    const result = await addCohortMember(ctx, req.user.id, cohort.id, body.userId, body.role);
    res.status(result.added ? 201 : 200).json(result);
  });

  r.delete('/cohorts/:cohortId/members/:userId/:role', { summary: 'Remove a person’s role in a cohort (admin): records stay, access and open sockets end at once', tags: ['cohorts'], success: { status: 204, description: 'Removed' } }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'cohort:manage', { type: 'cohort', cohort }, 'That cohort');
    const params = parse(z.object({ userId: z.uuid({ message: 'must be an id' }), role: memberInput.shape.role }), req.params, 'address');
    await removeCohortMember(ctx, req.user.id, cohort.id, params.userId, params.role);
    res.status(204).end();
  });

  r.delete('/organisations/:organisationId/members/:userId/:role', { summary: 'Remove a person’s role in an organisation (admin): records stay, access and open sockets end at once', tags: ['people'], success: { status: 204, description: 'Removed' } }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    const params = parse(z.object({ organisationId: z.uuid({ message: 'must be an id' }), userId: z.uuid({ message: 'must be an id' }), role: z.enum(['admin', 'mentor', 'lead', 'candidate'], { message: 'must be admin, mentor, lead or candidate' }) }), req.params, 'address');
    await removeOrganisationMember(ctx, req.user.id, params.organisationId, params.userId, params.role);
    res.status(204).end();
  });

  r.put('/users/:userId/disabled', { summary: 'Disable or re-enable a person’s account (admin); disabling ends their sessions and sockets', tags: ['people'], body: z.object({ disabled: z.boolean() }), success: { status: 200, description: 'Saved' } }, async (req, res) => {
    authorize(req.user, 'provider:manage', { type: 'provider' });
    const userId = paramId(req.params.userId, 'userId');
    const body = parse(z.object({ disabled: z.boolean({ message: 'must be true or false' }) }).strict(), req.body);
    res.json(await setUserDisabled(ctx, req.user.id, userId, body.disabled));
  });

  return [r];
}
