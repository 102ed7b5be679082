/** How an actor relates to an organisation or cohort — the facts every policy is built from. */
import type { Actor, Grantee } from '../auth/actor';

export type { Grantee } from '../auth/actor';

/** A cohort as policies need it. */
export type CohortRef = { id: string; organisationId: string };

/** The roles an actor holds with respect to one cohort. */
export type CohortRelation = Record<Grantee, boolean>;

/** True when the actor leads (is the L&D lead of) the organisation. */
export function leadsOrganisation(actor: Actor, organisationId: string): boolean {
  return actor.orgRoles.some((m) => m.organisationId === organisationId && m.role === 'lead');
}

/** Every role the actor holds for `cohort`. */
export function cohortRelation(actor: Actor, cohort: CohortRef): CohortRelation {
  const has = (role: string) => actor.cohortRoles.some((c) => c.cohortId === cohort.id && c.role === role);
  return {
    admin: actor.isAdmin,
    lead: leadsOrganisation(actor, cohort.organisationId) || has('lead'),
    mentor: has('mentor'),
    candidate: has('candidate'),
    observer: has('observer'),
  };
}

/** True when the actor has any relation at all to the cohort (otherwise it is hidden: 404). */
export function relatedToCohort(rel: CohortRelation): boolean {
  return rel.admin || rel.lead || rel.mentor || rel.candidate || rel.observer;
}
