/** The transfer-week module's handle on core: its stage in a cohort, the request context, lock reasons and form helpers. */
import { stageKit } from '../../server/modules/stage-kit';
import type { Db } from '../../server/db';
export { formAction, formBody, pathId } from '../../server/http/forms';

const kit = stageKit('transfer-week');

/** This module's key. */
export const KEY = kit.key;

/** Stage helpers bound to this module (see server/modules/stage-kit.ts). */
export const { loadCohort, loadStage, context, lockReason } = kit;

/** A candidate logs moments only once transfer week is open for them (409 with the reason while it is locked). */
export function assertOpenFor(db: Db, cohortId: string, candidateId: string): Promise<void> {
  return kit.assertOpenFor(db, cohortId, candidateId, 'Transfer week');
}
