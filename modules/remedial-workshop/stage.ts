/** The remedial-workshop module's handle on core: its stage in a cohort, the request context, lock reasons and form helpers. */
import { stageKit } from '../../server/modules/stage-kit';
import { ForbiddenError } from '../../server/errors';
import type { Actor } from '../../server/auth/actor';
import { can } from '../../server/policies';
import type { CohortRow } from '../../server/cohorts/queries';
export { formAction, formBody, pathId } from '../../server/http/forms';

const kit = stageKit('remedial-workshop');

/** This module's key. */
export const KEY = kit.key;

/** Stage helpers bound to this module (see server/modules/stage-kit.ts). */
export const { loadCohort, loadStage, context, lockReason } = kit;

/** Only the lead or the mentor may tick the checklist (403 before the body is even read). */
export function mayTick(actor: Actor, cohort: CohortRow): void {
  const subject = { type: 'cohort' as const, cohort };
  if (!can(actor, `${KEY}:tick-lead`, subject) && !can(actor, `${KEY}:tick-mentor`, subject)) throw new ForbiddenError();
}
