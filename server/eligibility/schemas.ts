/** Eligibility inputs, validated at the edge: the evidence form, a mentor's decision, the cohort setting. */
import { z } from 'zod';
import { isoDate, text } from '../http/validate';

const optionalText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`).optional().transform((v) => v || undefined);
const optionalDate = z.union([z.literal(''), isoDate]).optional().transform((v) => v || undefined);

/** The requirement named in the address. */
export const requirementParams = z.object({ cohortId: z.uuid(), userId: z.uuid(), requirement: z.enum(['qualification', 'experience', 'first-aid']) });

/** The candidate's evidence for one requirement (a page form, optionally multipart with one file in `files`). */
export const evidenceForm = z.strictObject({
  description: text(500).meta({ label: 'What it is', missing: 'Say what it is' }),
  sinceOn: optionalDate.meta({ label: 'The start date' }),
  expiresOn: optionalDate.meta({ label: 'The expiry date' }),
  document: optionalText(500).meta({ label: 'The document' }),
});
/** A parsed evidence form. */
export type EvidenceInput = z.output<typeof evidenceForm>;

/** A mentor's decision: confirm, or return with a reason (the command insists on the reason for a return). */
export const decisionForm = z.strictObject({
  decision: z.enum(['confirm', 'return']).meta({ label: 'The decision', missing: 'Choose whether to confirm it or return it' }),
  reason: optionalText(1000).meta({ label: 'The reason' }),
});
/** A parsed decision. */
export type DecisionInput = z.output<typeof decisionForm>;

/** The cohort setting (a checkbox: present means on). */
export const settingForm = z.strictObject({ required: z.enum(['on']).optional() });
