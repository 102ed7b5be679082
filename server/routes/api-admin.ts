/** JSON API for organisations, cohorts, members and invitations. */
import { z } from 'zod';
import type { AppContext } from '../context';
import { authorize } from '../policies';
import { onCohort, onProvider } from '../http/grants';
import { plain, reply } from '../http/present';
import { grant, type RouteRegistry } from '../http/router';
import { addCohortMember, createCohort, createOrganisation, removeCohortMember, removeOrganisationMember, setUserDisabled } from '../cohorts/commands';
import { cohortPeople, getCohort, getOrganisation, visibleCohorts, visibleOrganisations } from '../cohorts/queries';
import { inviteUser } from '../accounts/commands';
import { ValidationError } from '../errors';
import { cohortInput, invitationInput, memberInput, organisationInput } from './admin-schemas';
import { cohortSummary, presentCohort, presentOrganisation, presentOrganisations } from './presenters';

const memberAddress = z.object({ cohortId: z.uuid({ message: 'must be an id' }), userId: z.uuid({ message: 'must be an id' }), role: memberInput.shape.role });
const orgMemberAddress = z.object({ organisationId: z.uuid({ message: 'must be an id' }), userId: z.uuid({ message: 'must be an id' }), role: z.enum(['admin', 'mentor', 'lead', 'candidate'], { message: 'must be admin, mentor, lead or candidate' }) });
const disabledBody = z.object({ disabled: z.boolean({ message: 'must be true or false' }) }).strict();

/** Mounts /api/v1 organisation, cohort and invitation routes. */
export function adminApiRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/api/v1');
  const tags = ['organisations'];

  r.get('/organisations', { summary: 'Organisations you can see', tags, authorize: 'signed-in' }, async ({ actor }) => reply(presentOrganisations(actor, await visibleOrganisations(ctx.db, actor))));

  r.post('/organisations', { summary: 'Create an organisation (admin)', tags, body: organisationInput, success: { status: 201, description: 'Created' }, authorize: onProvider('organisation:create') }, async ({ body, actor }) =>
    reply(plain({ organisation: presentOrganisation(actor, await createOrganisation(ctx.db, actor.id, body)) })),
  );

  r.get('/organisations/:organisationId', { summary: 'One organisation', tags, authorize: (_req, { params }) => grant('organisation:view', { type: 'organisation', id: params.organisationId }, 'That organisation') }, async ({ actor, params }) =>
    reply(plain({ organisation: presentOrganisation(actor, await getOrganisation(ctx.db, params.organisationId)) })),
  );

  r.post(
    '/invitations',
    {
      summary: 'Invite a person by e-mail (admin, or a lead for their organisation)',
      tags: ['people'],
      body: invitationInput,
      success: { status: 201, description: 'Invited (the same answer whether or not the address has an account); `link` is the one-time link, for provider admins when no e-mail server is configured' },
      authorize: async (req, { body }) => {
        // Two subjects: the organisation (invite) and, when named, the cohort the person joins.
        authorize(req.user, 'organisation:invite', { type: 'organisation', id: body.organisationId }, 'That organisation');
        if (!req.user.isAdmin && body.role !== 'candidate' && body.role !== 'lead') {
          throw new ValidationError('Leads can invite candidates and other leads only.', [{ field: 'role', message: 'must be candidate or lead' }]);
        }
        if (!body.cohortId) return grant('organisation:invite', { type: 'organisation', id: body.organisationId }, 'That organisation');
        const cohort = await getCohort(ctx.db, body.cohortId);
        if (cohort.organisationId !== body.organisationId && body.role !== 'mentor') {
          throw new ValidationError('That cohort belongs to another organisation.', [{ field: 'cohortId', message: 'must be a cohort of the organisation' }]);
        }
        return grant(body.role === 'mentor' ? 'cohort:manage' : 'cohort:add-candidate', { type: 'cohort', cohort }, 'That cohort');
      },
    },
    async ({ body, actor }) => {
      const result = await inviteUser(ctx, actor.id, body);
      // The same answer whether or not the address has an account. Only provider admins (who see every account anyway)
      // are handed the link to pass on when no e-mail server is configured.
      return reply(plain({ invitationId: result.invitationId, emailed: result.emailed, message: `Invitation sent to ${body.email.toLowerCase()}.`, link: !result.emailed && actor.isAdmin ? result.link : undefined }));
    },
  );

  r.get('/cohorts', { summary: 'Cohorts you can see', tags: ['cohorts'], authorize: 'signed-in' }, async ({ actor }) => reply(plain({ cohorts: (await visibleCohorts(ctx.db, actor)).map((c) => cohortSummary(actor, c)) })));

  r.post('/cohorts', { summary: 'Create a cohort from a programme template (admin)', tags: ['cohorts'], body: cohortInput, success: { status: 201, description: 'Created' }, authorize: onProvider('cohort:create') }, async ({ body, actor }) => {
    const { stalledAfterDays, leadMayObserveLive, ...rest } = body;
    const settings = { ...(stalledAfterDays ? { stalledAfterDays } : {}), ...(leadMayObserveLive !== undefined ? { leadMayObserveLive } : {}) };
    return reply(presentCohort(actor, await createCohort(ctx.db, actor.id, { ...rest, settings })));
  });

  r.get('/cohorts/:cohortId', { summary: 'One cohort with its members', tags: ['cohorts'], authorize: onCohort(ctx.db, 'cohort:view') }, async ({ actor, subject: { cohort } }) => {
    const people = await cohortPeople(ctx.db, cohort.id);
    const staff = actor.isAdmin || actor.cohortRoles.some((c) => c.cohortId === cohort.id && c.role === 'mentor') || actor.orgRoles.some((m) => m.organisationId === cohort.organisationId && m.role === 'lead');
    return reply(presentCohort(actor, cohort, { members: people.map((p) => ({ userId: p.userId, name: p.name, role: p.role, ...(staff ? { email: p.email, status: p.status } : {}) })) }));
  });

  r.post(
    '/cohorts/:cohortId/members',
    {
      summary: 'Add a person to a cohort as candidate, mentor, lead or observer',
      tags: ['cohorts'],
      body: memberInput,
      success: { status: 201, description: 'Added' },
      authorize: async (_req, { params, body }) => {
        const cohort = await getCohort(ctx.db, params.cohortId);
        return grant(body.role === 'candidate' ? 'cohort:add-candidate' : 'cohort:manage', { type: 'cohort' as const, cohort }, 'That cohort');
      },
    },
    async ({ body, actor, subject: { cohort } }) => {
      const result = await addCohortMember(ctx, actor.id, cohort.id, body.userId, body.role);
      return reply(plain({ added: result.added }), result.added ? 201 : 200);
    },
  );

  r.delete(
    '/cohorts/:cohortId/members/:userId/:role',
    { summary: 'Remove a person’s role in a cohort (admin): records stay, access and open sockets end at once', tags: ['cohorts'], params: memberAddress, success: { status: 204, description: 'Removed' }, authorize: onCohort(ctx.db, 'cohort:manage') },
    async ({ actor, params, subject: { cohort } }) => {
      await removeCohortMember(ctx, actor.id, cohort.id, params.userId, params.role as z.output<typeof memberAddress>['role']);
      return reply();
    },
  );

  r.delete(
    '/organisations/:organisationId/members/:userId/:role',
    { summary: 'Remove a person’s role in an organisation (admin): records stay, access and open sockets end at once', tags: ['people'], params: orgMemberAddress, success: { status: 204, description: 'Removed' }, authorize: onProvider('provider:manage') },
    async ({ actor, params }) => {
      await removeOrganisationMember(ctx, actor.id, params.organisationId, params.userId, params.role as z.output<typeof orgMemberAddress>['role']);
      return reply();
    },
  );

  r.put(
    '/users/:userId/disabled',
    { summary: 'Disable or re-enable a person’s account (admin); disabling ends their sessions and sockets', tags: ['people'], body: disabledBody, success: { status: 200, description: 'Saved' }, authorize: onProvider('provider:manage') },
    async ({ actor, params, body }) => reply(plain(await setUserDisabled(ctx, actor.id, params.userId, body.disabled))),
  );

  return [r];
}
