/** Presenters: rows in, the JSON or view model out (with `can` flags, so templates never decide permissions). */
import type { Actor } from '../auth/actor';
import { primaryRole } from '../auth/actor';
import type { AppContext } from '../context';
import { visibleCohorts, type CohortRow } from '../cohorts/queries';
import { presenter } from '../http/present';
import { can } from '../policies';

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

type OrganisationRow = { id: string; name: string; kind: 'provider' | 'client'; sector: string | null; staffCount: number | null; createdAt: Date };

/** An organisation, with what the actor may do with it. */
export const presentOrganisation = presenter((actor: Actor, o: OrganisationRow) => ({
  id: o.id,
  name: o.name,
  kind: o.kind,
  sector: o.sector,
  staffCount: o.staffCount,
  createdAt: o.createdAt,
  can: { invite: can(actor, 'organisation:invite', { type: 'organisation', id: o.id }), manage: can(actor, 'provider:manage', { type: 'provider' }) },
}));

/** A cohort row with the actor's `can` flags. */
export function cohortView(actor: Actor, c: Omit<CohortRow, 'timeZone'>) {
  const subject = { type: 'cohort' as const, cohort: c };
  return {
    id: c.id,
    organisationId: c.organisationId,
    name: c.name,
    programmeTemplateId: c.programmeTemplateId,
    templateVersion: c.templateVersion,
    frameworkId: c.frameworkId,
    startsOn: c.startsOn,
    endsOn: c.endsOn,
    settings: c.settings,
    createdAt: c.createdAt,
    can: {
      manage: can(actor, 'cohort:manage', subject),
      addCandidate: can(actor, 'cohort:add-candidate', subject),
      mentor: can(actor, 'cohort:mentor', subject),
      viewProgress: can(actor, 'cohort:view-progress', subject),
    },
  };
}

/** A list entry of the cohorts an actor can see. */
export function cohortSummary(actor: Actor, c: { id: string; name: string; organisationId: string; organisationName: string; startsOn: string | null; endsOn: string | null }) {
  return { ...c, roles: actor.cohortRoles.filter((r) => r.cohortId === c.id).map((r) => r.role) };
}

/** `{ organisations }`. */
export const presentOrganisations = presenter((actor: Actor, rows: OrganisationRow[]) => ({ organisations: rows.map((o) => presentOrganisation(actor, o)) }));
/** `{ cohort }` with `can` flags. */
export const presentCohort = presenter(<X extends object>(actor: Actor, c: Omit<CohortRow, 'timeZone'>, extra?: X) => ({ cohort: cohortView(actor, c), ...(extra ?? ({} as X)) }));
