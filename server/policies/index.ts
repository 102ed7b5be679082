/** One `authorize(actor, action, subject)` for routes, sockets and views alike. */
import type { Actor } from '../auth/actor';
import { ForbiddenError, NotFoundError, PolicyError, UnauthenticatedError } from '../errors';
import { cohortRelation, leadsOrganisation, relatedToCohort, type CohortRef, type CohortRelation, type Grantee } from './relations';
import { decideCourse, decideImpact, type CourseAction, type CourseRef, type ImpactAction } from './impact';
import { decideTrainer, type TrainerAction } from './register';

export type { CohortRef } from './relations';

export type { Grantee } from './relations';

/** The training provider's actions (admins only). */
export type ProviderAction = 'provider:manage' | 'provider:view' | 'organisation:create' | 'cohort:create';
/** Organisation-level actions. */
export type OrganisationAction = 'organisation:view' | 'organisation:invite' | 'organisation:settings' | 'register:view';
/** Cohort-level actions. */
export type CohortAction = 'cohort:view' | 'cohort:manage' | 'cohort:add-candidate' | 'cohort:mentor' | 'cohort:view-progress' | 'cohort:sync-roster' | 'course:record';
/** Actions on one candidate's record within a cohort. */
export type CandidateAction = 'candidate:view' | 'candidate:act-as-self' | 'candidate:mentor';
/** Actions on an LMS launch (LTI): binding a course link, answering a deep-linking request. */
export type LtiAction = 'lti:bind' | 'lti:deep-link';
/** Actions on one certificate: see it (holder, their organisation's lead, admins), download its Open Badge (the
 * holder), revoke it (admins). */
export type CertificateAction = 'certificate:view' | 'certificate:badge' | 'certificate:revoke';
/** Every core action. */
export type CoreAction = ProviderAction | OrganisationAction | CohortAction | CandidateAction | LtiAction | CourseAction | ImpactAction | CertificateAction | TrainerAction;

/**
 * The capabilities stage modules declare, as types: each module merges its manifest's keys in, next to its manifest —
 * `declare module '../../server/modules/kit' { interface ModuleCapabilities extends Record<keyof typeof capabilities, true> {} }`
 * — so an action nobody declared fails the type-check. (At run time each app's grants come from its registry.)
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ModuleCapabilities {}

/** A module capability, `<module>:<verb>`. */
export type ModuleAction = keyof ModuleCapabilities;
/** Anything `authorize`/`can` may be asked about: a core action or a declared module capability. */
export type Action = CoreAction | ModuleAction;
/** The verbs of module capabilities (what `rt.stage.context(req, verb)` takes). */
export type CapabilityVerb = ModuleAction extends `${string}:${infer V}` ? V : never;

/** The subject of an authorisation question. */
export type Subject =
  | { type: 'provider' }
  | { type: 'organisation'; id: string }
  | { type: 'cohort'; cohort: CohortRef }
  | { type: 'candidate'; cohort: CohortRef; candidateId: string }
  /** The LTI launch the actor's session came from: only its own person may use it, and only teaching staff bind. */
  | { type: 'lti-launch'; userId: string | null; instructor: boolean }
  | { type: 'course'; cohort: CohortRef; course: CourseRef }
  | { type: 'certificate'; holderId: string; organisationId: string }
  /** One trainer's record on one client organisation's register. */
  | { type: 'trainer'; userId: string; organisationId: string };

const cohortRules: Record<CohortAction, Grantee[]> = {
  'cohort:view': ['admin', 'lead', 'mentor', 'candidate', 'observer'],
  'cohort:manage': ['admin'],
  'cohort:add-candidate': ['admin', 'lead'],
  'cohort:mentor': ['mentor'],
  'cohort:view-progress': ['admin', 'lead', 'mentor'],
  'cohort:sync-roster': ['admin', 'lead', 'mentor'],
  // Recording a delivered course: the cohort's trainers (for now, any candidate or mentor of it).
  'course:record': ['candidate', 'mentor'],
};

function granted(rel: CohortRelation, grantees: readonly Grantee[]): boolean {
  return grantees.some((g) => rel[g]);
}

function decideCohort(actor: Actor, action: string, cohort: CohortRef): 'allow' | 'forbid' | 'hide' {
  const rel = cohortRelation(actor, cohort);
  if (!relatedToCohort(rel)) return 'hide';
  const grantees = cohortRules[action as CohortAction] ?? actor.capabilities.get(action);
  if (!grantees) throw new PolicyError(action);
  return granted(rel, grantees) ? 'allow' : 'forbid';
}

function decideCandidate(actor: Actor, action: string, cohort: CohortRef, candidateId: string): 'allow' | 'forbid' | 'hide' {
  const rel = cohortRelation(actor, cohort);
  const own = actor.id === candidateId;
  const self = own && rel.candidate;
  const staff = rel.admin || rel.lead || rel.mentor;
  if (!self && !staff) return 'hide';
  switch (action) {
    case 'candidate:view':
      return 'allow';
    case 'candidate:act-as-self':
      return self ? 'allow' : 'forbid';
    case 'candidate:mentor':
      // Nobody is the assessor of their own record, whatever else they are in the cohort.
      return rel.mentor && !own ? 'allow' : 'forbid';
    default: {
      const grantees = actor.capabilities.get(action);
      if (!grantees) throw new PolicyError(action);
      // A candidate-scoped capability granted to 'candidate' means the candidate themself, never a peer; on their own
      // record a person holds only what a candidate holds (a mentor who is also a candidate cannot mark themself).
      const relForRecord = own ? { admin: false, lead: false, mentor: false, observer: false, candidate: self } : { ...rel, candidate: self };
      return granted(relForRecord, grantees) ? 'allow' : 'forbid';
    }
  }
}

function decideCertificate(actor: Actor, action: string, holderId: string, organisationId: string): 'allow' | 'forbid' | 'hide' {
  const holder = actor.id === holderId;
  const lead = leadsOrganisation(actor, organisationId);
  if (!actor.isAdmin && !holder && !lead) return 'hide';
  if (action === 'certificate:view') return 'allow';
  if (action === 'certificate:badge') return holder ? 'allow' : 'forbid';
  if (action === 'certificate:revoke') return actor.isAdmin && !holder ? 'allow' : 'forbid';
  return 'forbid';
}

function decide(actor: Actor, action: string, subject: Subject): 'allow' | 'forbid' | 'hide' {
  switch (subject.type) {
    case 'provider':
      return actor.isAdmin ? 'allow' : 'forbid';
    case 'organisation': {
      if (actor.isAdmin) return 'allow';
      const lead = leadsOrganisation(actor, subject.id);
      const member = actor.orgRoles.some((m) => m.organisationId === subject.id);
      if (!member) return 'hide';
      // The trainer register: the organisation's leads (and the provider's admins, above).
      if (action === 'register:view') return lead ? 'allow' : 'forbid';
      const impact = decideImpact(actor, action, subject.id);
      if (impact) return impact;
      if (action === 'organisation:view') return 'allow';
      if (action === 'organisation:invite') return lead ? 'allow' : 'forbid';
      // The organisation's settings (its time zone): its leads (and the provider's admins, above).
      if (action === 'organisation:settings') return lead ? 'allow' : 'forbid';
      return 'forbid';
    }
    case 'cohort':
      return decideCohort(actor, action, subject.cohort);
    case 'candidate':
      return decideCandidate(actor, action, subject.cohort, subject.candidateId);
    case 'lti-launch':
      if (actor.id !== subject.userId) return 'hide';
      return subject.instructor ? 'allow' : 'forbid';
    case 'course':
      return decideCourse(actor, action, subject.cohort, subject.course);
    case 'certificate':
      return decideCertificate(actor, action, subject.holderId, subject.organisationId);
    case 'trainer':
      return decideTrainer(actor, action, subject);
  }
}

/** True when `actor` may do `action` to `subject`. */
export function can(actor: Actor | undefined, action: Action, subject: Subject): boolean {
  return !!actor && decide(actor, action, subject) === 'allow';
}

/**
 * Throws unless `actor` may do `action`: 401 when anonymous, 404 when the subject is outside the actor's
 * world (its existence is not revealed), 403 when the actor can see it but may not do this.
 */
export function authorize(actor: Actor | undefined, action: Action, subject: Subject, what = 'That page'): asserts actor is Actor {
  if (!actor) throw new UnauthenticatedError();
  const decision = decide(actor, action, subject);
  if (decision === 'hide') throw new NotFoundError(what);
  if (decision === 'forbid') throw new ForbiddenError();
}

/** Throws 403 when `candidateIds` includes the actor: nobody records, marks, signs off or waives their own record,
 * whatever other role they hold in the cohort. For cohort-level actions that name candidates in their input. */
export function refuseOwnRecord(actor: { id: string }, candidateIds: Iterable<string>, what = 'your own record'): void {
  for (const id of candidateIds) {
    if (id === actor.id) throw new ForbiddenError(`You cannot act as the assessor of ${what}: another mentor of the cohort must.`);
  }
}
