/** The projects-week module's handle on core: its stage in a cohort, the request context, lock reasons and form helpers. */
import { stageKit } from '../../server/modules/stage-kit';
export { formAction, formBody, pathId } from '../../server/http/forms';

const kit = stageKit('projects-week');

/** This module's key. */
export const KEY = kit.key;

/** Stage helpers bound to this module (see server/modules/stage-kit.ts). */
export const { loadCohort, loadStage, context, lockReason } = kit;
