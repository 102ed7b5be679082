/** Who records attainment for a group: the candidate who leads it, or a mentor shadow-scoring the same learners. */
import type { Request } from 'express';
import { z } from 'zod';
import { actorOf, can, grant, invalid, ValidationError, type FieldProblem, type Grant, type StageCandidateSubject, type StageRuntime } from '../../server/modules/kit';
import { getGroup } from './commands';
import type { AttainmentLevel, coDeliveryGroups } from './schema';
import { level } from './inputs';

/** A group with the role in which the actor records for it. */
export type GroupSubject = StageCandidateSubject & { row: typeof coDeliveryGroups.$inferSelect; role: 'candidate' | 'mentor' };

/** A route's `authorize` for `/groups/:groupId/…`: the candidate who leads the group records for it
 * (`co-delivery:record` on their own record); anyone else is asked for `co-delivery:shadow` on the leader's record
 * (a mentor shadow-scoring the same learners; 404 "That group" outside the actor's world). */
export function onGroup(rt: StageRuntime) {
  return async (req: Request, { params }: { params: { cohortId: string; groupId: string } }): Promise<Grant<GroupSubject>> => {
    const actor = actorOf(req);
    const { cohort, stage } = await rt.stage.load(params.cohortId);
    const row = await getGroup(rt, stage, params.groupId);
    const own = row.candidateId === actor.id && can(actor, 'co-delivery:record', { type: 'candidate', cohort, candidateId: actor.id });
    const subject: GroupSubject = { type: 'candidate', cohort, candidateId: row.candidateId, stage, row, role: own ? 'candidate' : 'mentor' };
    return grant(own ? 'co-delivery:record' : 'co-delivery:shadow', subject, 'That group');
  };
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
  if (problems.length) throw invalid(problems);
  return entries;
}

/** The attainment form as the router parses it (and the OpenAPI document shows): `a_<learnerId>_<outcomeId>` → a level. */
export const attainmentForm = z
  .record(z.string(), z.unknown())
  .describe('One field per learner and outcome: a_<learnerId>_<outcomeId> = not_yet, partly or achieved')
  .transform((fields, zctx) => {
    try {
      return readAttainmentForm(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== '')));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const f of err.fields) zctx.addIssue({ code: 'custom', path: [f.field], message: f.message });
      return z.NEVER;
    }
  });
