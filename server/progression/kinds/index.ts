/** The core requirement kinds, by name. Modules add their own (`<module>:<kind>`) through their manifests. */
import type { RequirementKind } from '../types';
import { attendance } from './attendance';
import { competenciesSigned } from './competencies-signed';
import { dateReached } from './date-reached';
import { eligibilityConfirmed } from './eligibility-confirmed';
import { mentorMarkedComplete } from './mentor-marked-complete';
import { previousStageComplete } from './previous-stage-complete';
import { rubricPassed } from './rubric-passed';

/** Every core kind; the engine registers these before any module's. */
export const coreKinds: Record<string, RequirementKind> = {
  'previous-stage-complete': previousStageComplete as unknown as RequirementKind,
  'date-reached': dateReached as unknown as RequirementKind,
  attendance: attendance as unknown as RequirementKind,
  'rubric-passed': rubricPassed as unknown as RequirementKind,
  'competencies-signed': competenciesSigned as unknown as RequirementKind,
  'mentor-marked-complete': mentorMarkedComplete as unknown as RequirementKind,
  'eligibility-confirmed': eligibilityConfirmed as unknown as RequirementKind,
};
