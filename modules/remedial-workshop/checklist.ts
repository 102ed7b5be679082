/** The rollout-readiness checklist: its items come from the stage's configuration, with sensible defaults. */
import { z } from 'zod';
import { can, type Actor, type CohortRow, type StageRow } from '../../server/modules/kit';

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

/** The action a tick is authorised as: the column it names (`as`), or — when the raw form names none it knows — the
 * column the actor holds, so a lead or mentor gets the form's 400 and anyone else the policy's 403/404. */
export function tickAction(actor: Actor, cohort: CohortRow, as: unknown): 'remedial-workshop:tick-lead' | 'remedial-workshop:tick-mentor' {
  if (as === 'lead') return 'remedial-workshop:tick-lead';
  if (as === 'mentor') return 'remedial-workshop:tick-mentor';
  return can(actor, 'remedial-workshop:tick-lead', { type: 'cohort', cohort }) ? 'remedial-workshop:tick-lead' : 'remedial-workshop:tick-mentor';
}
