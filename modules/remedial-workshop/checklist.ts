/** The rollout-readiness checklist: its items come from the stage's configuration, with sensible defaults. */
import { z } from 'zod';
import { can, ForbiddenError, type Actor, type CohortRow, type StageRow } from '../../server/modules/kit';

/** One checklist item. */
export type ChecklistItem = { key: string; label: string };

/** The standard items, used when a stage configures none. */
export const DEFAULT_CHECKLIST: ChecklistItem[] = [
  { key: 'course-dates', label: 'Dates booked for the first in-house courses' },
  { key: 'equipment', label: 'Equipment and a safe practice space (mats, room, first aid) in place' },
  { key: 'policies', label: 'Restraint-reduction and restrictive-practice policies reviewed against the training' },
  { key: 'incident-recording', label: 'Incident recording in place, including every use of restraint' },
  { key: 'post-incident-support', label: 'Post-incident support route agreed for the people supported and for staff' },
  { key: 'supervision', label: 'Trainer supervision and annual refresher arrangements made' },
  { key: 'learner-records', label: 'Learner attainment records and certificates ready' },
];

/** The stage configuration this module reads. */
export const configSchema = z
  .object({
    checklist: z
      .array(z.object({ key: z.string().regex(/^[a-z0-9-]{1,60}$/, 'must be a short kebab-case key'), label: z.string().min(1).max(300) }))
      .min(1)
      .default(DEFAULT_CHECKLIST),
  })
  .loose();

/** The checklist items of a stage (its configuration's, or the defaults). */
export function checklistOf(stage: Pick<StageRow, 'config'>): ChecklistItem[] {
  const parsed = configSchema.safeParse(stage.config ?? {});
  return parsed.success ? parsed.data.checklist : DEFAULT_CHECKLIST;
}

/** Only the lead or the mentor may tick the checklist (403 before the body is even read). */
export function mayTick(actor: Actor, cohort: CohortRow): void {
  const subject = { type: 'cohort' as const, cohort };
  if (!can(actor, 'remedial-workshop:tick-lead', subject) && !can(actor, 'remedial-workshop:tick-mentor', subject)) throw new ForbiddenError();
}
