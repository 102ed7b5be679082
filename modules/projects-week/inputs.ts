/** Input schemas for projects week (shared by the pages and the JSON API). */
import { z } from 'zod';
import { id, text, zonedLocalTime } from '../../server/modules/kit';

const meetingUrl = z
  .url({ protocol: /^https?$/, message: 'must be a web address starting https://' })
  .max(500, 'must be at most 500 characters');

/** An ISO date-time with an offset (API), e.g. 2026-03-10T10:00:00Z. */
export const slotAt = z.iso.datetime({ offset: true, message: 'must be a date and time such as 2026-03-10T10:00:00Z' }).transform((s) => new Date(s));

/** A date-time from a form's `datetime-local` field (wall-clock; the route reads it in the cohort's organisation's zone). */
export const localSlot = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'must be a date and time');

/** Add a knowledge module to this cohort's projects week. */
export const moduleInput = z.strictObject({
  title: text(200),
  summary: text(2000).optional(),
  rubricKey: z.string().regex(/^[a-z0-9-]{2,80}$/, 'must be a rubric key such as knowledge-module').default('knowledge-module'),
});

/** Assign a module to a candidate, optionally with the delivery slot and meeting link. */
export const assignmentInput = z.strictObject({ candidateId: id, moduleId: id, slotAt: slotAt.optional(), meetingUrl: meetingUrl.optional() });

/** The same from a form. */
export const assignmentForm = assignmentInput.extend({ slotAt: localSlot.optional() });

/** Schedule (or reschedule) a delivery slot. */
export const slotInput = z.strictObject({ slotAt, meetingUrl: meetingUrl.optional() });

/** The same from a form. */
export const slotForm = z.strictObject({ slotAt: localSlot, meetingUrl: meetingUrl.optional() });

/** The instant as a `datetime-local` value in `zone` (the cohort's organisation's). */
export function toLocalSlot(d: Date | null, zone: string): string {
  return d ? zonedLocalTime(d, zone) : '';
}
