/** JSON API for organisations, cohorts, members and invitations. */
import { z } from 'zod';
import type { AppContext } from '../context';
import { authorize } from '../policies';
import type { RouteRegistry } from '../http/router';
import { parse, paramId } from '../http/validate';
import { actorOf } from '../http/request-context';
import { addCohortMember, createCohort, createOrganisation, removeCohortMember } from '../cohorts/commands';
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

  r.post('/invitations', { summary: 'Invite a person by e-mail (admin, or a lead for their organisation)', tags: ['people'], body: invitationInput, success: { status: 201, description: 'Invited; `link` is the one-time link when no e-mail was sent' } }, async (req, res) => {
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
    res.status(201).json({ userId: result.userId, emailed: result.emailed, existing: result.existing, link: result.emailed ? undefined : result.link });
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
    const result = await addCohortMember(ctx.db, req.user.id, cohort.id, body.userId, body.role);
    res.status(result.added ? 201 : 200).json(result);
  });

  r.delete('/cohorts/:cohortId/members/:userId/:role', { summary: 'Remove a person’s role in a cohort (admin)', tags: ['cohorts'], success: { status: 204, description: 'Removed' } }, async (req, res) => {
    const cohort = await getCohort(ctx.db, String(req.params.cohortId));
    authorize(req.user, 'cohort:manage', { type: 'cohort', cohort }, 'That cohort');
    const params = parse(z.object({ userId: z.uuid({ message: 'must be an id' }), role: memberInput.shape.role }), req.params, 'address');
    await removeCohortMember(ctx.db, req.user.id, cohort.id, params.userId, params.role);
    res.status(204).end();
  });

  return [r];
}
