/** Impact inputs, validated at the edge: the course form, the incident form, the import, settings, the questionnaire. */
import { z } from 'zod';
import { id, isoDate, text } from '../http/validate';
import { MAX_OUTCOMES, SAFETY_QUESTION } from './vocabulary';

/** One value or several (a checkbox group posts one field per ticked box), as a list. */
const list = (max: number, each: number) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(each, `each must be at most ${each} characters`)).max(max, `choose at most ${max}`));

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max.toLocaleString('en-GB')}`);

/** The course a trainer records (a page form; empty optional fields arrive as ''). */
export const courseForm = z.strictObject({
  deliveredOn: isoDate,
  venue: text(200),
  modules: list(40, 200),
  coTrainerId: z.union([z.literal(''), id]).optional().transform((v) => v || null),
  attendees: wholeNumber(1, 500),
  register: z.string().max(20_000, 'must be at most 20,000 characters').optional().default(''),
  durationHours: z.coerce.number({ message: 'must be a number of hours such as 3 or 6.5' }).min(0.5, 'must be at least half an hour').max(40, 'must be at most 40 hours'),
});
/** A parsed course form. */
export type CourseInput = z.output<typeof courseForm>;

/** The course list's query (a notice after saving). */
export const courseQuery = z.object({ done: z.enum(['created', 'updated', 'observed', 'picked']).optional() });

const count = wholeNumber(0, 100_000);

/** One month of one service's counts, typed in by the lead. `serviceId` picks a service; `newService` adds one. */
export const incidentForm = z.strictObject({
  serviceId: z.union([z.literal(''), id]).optional().transform((v) => v || null),
  newService: z.string().trim().max(120, 'must be at most 120 characters').optional().transform((v) => v || null),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM, such as 2025-03'),
  aggression: count,
  restraints: count,
  proneRestraints: count,
  seclusions: count,
  staffInjuries: count,
  personInjuries: count,
  occupiedBedDays: z.union([z.literal(''), wholeNumber(1, 10_000_000)]).optional().transform((v) => (v === '' || v === undefined ? null : v)),
  note: z.string().trim().max(300, 'must be at most 300 characters').optional().transform((v) => v || null),
});
/** A parsed incident form. */
export type IncidentInput = z.output<typeof incidentForm>;

/** The import's confirm step: the file's text, sent back from the preview (nothing was stored in between). */
export const importConfirmForm = z.strictObject({ csv: z.string().min(1, 'is empty: choose the file again').max(200_000, 'is too long: import at most 200,000 characters at once') });

/** The incidents page's query. */
export const incidentsQuery = z.object({ done: z.enum(['saved', 'imported', 'unchanged', 'settings']).optional(), n: z.coerce.number().int().min(0).max(100_000).optional() });

/** The organisation's impact settings. */
export const settingsForm = z.strictObject({ registerMode: z.enum(['codes', 'names'], { message: 'choose codes or names' }) });

const rating = z.enum(['1', '2', '3', '4', '5'], { message: 'choose a number from 1 to 5' }).transform(Number).optional();
const ratingFields = Object.fromEntries(Array.from({ length: MAX_OUTCOMES }, (_, i) => [[`b${i + 1}`, rating], [`a${i + 1}`, rating]]).flat()) as Record<string, typeof rating>;

/** A questionnaire answer: `b<n>`/`a<n>` confidence before/after on outcome n (1–5), what they will do differently,
 * the safety question. Which ratings are required depends on the course (checked by the command). */
export const answerForm = z.strictObject({
  ...ratingFields,
  change: z.string().trim().max(2000, 'must be at most 2,000 characters').optional().transform((v) => v || null),
  safety: z.enum(SAFETY_QUESTION.options.map((o) => o.value) as [string, ...string[]], { message: 'choose one answer' }).optional(),
});
/** A parsed questionnaire answer. */
export type AnswerInput = z.output<typeof answerForm>;

/** The questionnaire's address: an unguessable code (anything else is simply not found). */
export const questionnaireParams = z.object({ code: z.string().max(64) });
