/** Presenters: rows in, the JSON or view model out (with `can` flags, so templates never decide permissions). */
import type { Actor } from '../auth/actor';
import { primaryRole } from '../auth/actor';
import type { AppContext } from '../context';
import { visibleCohorts } from '../cohorts/queries';

/** GET /api/v1/me. */
export async function presentMe(ctx: AppContext, actor: Actor) {
  const cohortList = await visibleCohorts(ctx.db, actor);
  return {
    user: { id: actor.id, email: actor.email, name: actor.name, role: primaryRole(actor), isAdmin: actor.isAdmin },
    memberships: actor.orgRoles.map((m) => ({ organisationId: m.organisationId, role: m.role, organisationKind: m.kind })),
    cohorts: cohortList.map((c) => ({
      id: c.id,
      name: c.name,
      organisationId: c.organisationId,
      organisationName: c.organisationName,
      roles: actor.cohortRoles.filter((r) => r.cohortId === c.id).map((r) => r.role),
    })),
  };
}
