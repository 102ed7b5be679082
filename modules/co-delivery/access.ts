/** Who records attainment for a group: the candidate who leads it, or a mentor shadow-scoring the same learners. */
import { authorize, can, ValidationError, type Actor, type CohortRef, type FieldProblem } from '../../server/modules/kit';
import type { AttainmentLevel } from './schema';
import { level } from './inputs';

/** The role in which `actor` records for the group; throws 404/403 for anyone else. */
export function attainmentRole(actor: Actor, cohort: CohortRef, group: { candidateId: string }): 'candidate' | 'mentor' {
  if (group.candidateId === actor.id && can(actor, 'co-delivery:record', { type: 'candidate', cohort, candidateId: actor.id })) return 'candidate';
  authorize(actor, 'co-delivery:shadow', { type: 'candidate', cohort, candidateId: group.candidateId }, 'That group');
  return 'mentor';
}

/** Reads `a_<learnerId>_<outcomeId>` fields of the attainment form, naming each field that is wrong. */
export function readAttainmentForm(body: Record<string, unknown>): { learnerId: string; outcomeId: string; level: AttainmentLevel; field: string }[] {
  const problems: FieldProblem[] = [];
  const entries: { learnerId: string; outcomeId: string; level: AttainmentLevel; field: string }[] = [];
  const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
  for (const [field, value] of Object.entries(body)) {
    const m = new RegExp(`^a_(${uuid})_(${uuid})$`, 'i').exec(field);
    if (!m) {
      problems.push({ field, message: 'is not a field of this form' });
      continue;
    }
    const parsed = level.safeParse(value);
    if (parsed.success) entries.push({ learnerId: m[1], outcomeId: m[2], level: parsed.data, field });
    else problems.push({ field, message: 'must be not yet, partly or achieved' });
  }
  if (problems.length) throw new ValidationError(`The attainment form has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.map((p) => `${p.field} — ${p.message}`).join('; ')}`, problems);
  return entries;
}
