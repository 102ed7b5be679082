/** Impact policies: who records and edits delivered courses, and who sees an organisation's impact. */
import type { Actor } from '../auth/actor';
import { cohortRelation, leadsOrganisation, relatedToCohort, type CohortRef } from './relations';

/** A delivered course as policies need it. */
export type CourseRef = { trainerId: string; coTrainerId: string | null };

/** Actions on one delivered course. */
export type CourseAction = 'course:view' | 'course:edit' | 'course:observe' | 'course:pick';

/** Actions on an organisation's impact data: see the impact view and courses; enter incident data and settings. */
export type ImpactAction = 'impact:view' | 'impact:manage';

/** True when `actor` delivers courses as a trainer of `cohort` (for now: any candidate or mentor of the cohort). */
export function trainsFor(actor: Actor, cohort: CohortRef): boolean {
  const rel = cohortRelation(actor, cohort);
  return rel.candidate || rel.mentor;
}

/** A course: its trainers (while still a candidate or mentor of the cohort) edit it; the organisation's lead, the
 * provider's admins and the cohort's mentors see it; the cohort's other mentors observe it; admins pick it for observation; a peer of the cohort is refused; anyone else never learns of it. */
export function decideCourse(actor: Actor, action: string, cohort: CohortRef, course: CourseRef): 'allow' | 'forbid' | 'hide' {
  const rel = cohortRelation(actor, cohort);
  if (!relatedToCohort(rel)) return 'hide';
  const ownCourse = (course.trainerId === actor.id || course.coTrainerId === actor.id) && trainsFor(actor, cohort);
  if (action === 'course:edit') return ownCourse ? 'allow' : 'forbid';
  if (action === 'course:view') return ownCourse || rel.admin || rel.lead || rel.mentor ? 'allow' : 'forbid';
  // Observing for quality assurance: a mentor of the cohort, never one of the course's own trainers.
  if (action === 'course:observe') return rel.mentor && course.trainerId !== actor.id && course.coTrainerId !== actor.id ? 'allow' : 'forbid';
  // Picking a course for observation by hand: the provider's admins.
  if (action === 'course:pick') return rel.admin ? 'allow' : 'forbid';
  return 'forbid';
}

/** An organisation's impact: its lead and the provider's admins; other members of the organisation are refused. */
export function decideImpact(actor: Actor, action: string, organisationId: string): 'allow' | 'forbid' | 'hide' | undefined {
  if (action !== 'impact:view' && action !== 'impact:manage') return undefined;
  if (actor.isAdmin) return 'allow';
  return leadsOrganisation(actor, organisationId) ? 'allow' : 'forbid';
}
