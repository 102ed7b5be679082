/** Which impact links the main navigation shows a person (computed from the policy's facts, never in a template). */
import type { Actor } from '../auth/actor';

/** `impact`: the lead's and admin's impact view; `courses`: a trainer's "My courses". */
export function impactNav(actor: Actor): { impact: boolean; courses: boolean } {
  return {
    impact: actor.isAdmin || actor.orgRoles.some((m) => m.role === 'lead' && m.kind === 'client'),
    courses: actor.cohortRoles.some((c) => c.role === 'candidate' || c.role === 'mentor'),
  };
}
