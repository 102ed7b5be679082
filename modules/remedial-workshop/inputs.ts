/** Input schemas for the remedial workshop (shared by the pages and the JSON API). */
import { z } from 'zod';
import { id, text } from '../../server/modules/kit';

/** A deep-dive topic request. */
export const topicInput = z.strictObject({
  text: text(1000, 5),
  // The form sends the framework's code ("D6") or "" for none; the command checks it is in the programme's framework.
  competencyCode: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, 'choose a competency from the list').optional())
    .optional(),
  criterionId: id.optional(),
});

const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { message: 'must be true or false' });

/** Marks a topic covered (or not). */
export const coverInput = z.strictObject({ covered: bool });

/** Ticks (or unticks) a checklist item as the lead or as the mentor. */
export const tickInput = z.strictObject({ as: z.enum(['lead', 'mentor'], { message: 'must be lead or mentor' }), ticked: bool });

/** The mentor's final readiness sign-off for a candidate. */
export const signoffInput = z.strictObject({ candidateId: id, note: text(2000).optional(), overrideReason: text(2000).optional() });
