/** Input schemas for co-delivery (shared by the pages and the JSON API). */
import { z } from 'zod';
import { id, text } from '../../server/modules/kit';

/** A learner's attainment on one outcome. */
export const level = z.enum(['not_yet', 'partly', 'achieved'], { message: 'must be not_yet, partly or achieved' });

const instant = z.iso.datetime({ offset: true, message: 'must be a date and time such as 2026-03-10T09:30:00Z' }).transform((s) => new Date(s));
// A form's wall-clock time (`datetime-local`); the route reads it in the cohort's organisation's zone (zonedToUtc).
const local = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'must be a date and time');

const endsAfterStart = { message: 'must be after the start', path: ['endsAt'] };

/** A course session (API: ISO date-times with an offset). */
export const sessionInput = z
  .strictObject({ title: text(200), startsAt: instant, endsAt: instant, location: text(200).optional() })
  .refine((s) => s.endsAt > s.startsAt, endsAfterStart);

/** A course session from a form (`datetime-local` wall-clock times, same format, so they compare as text). */
export const sessionForm = z
  .strictObject({ title: text(200), startsAt: local, endsAt: local, location: text(200).optional() })
  .refine((s) => s.endsAt > s.startsAt, endsAfterStart);

/** A learning outcome. */
export const outcomeInput = z.strictObject({ text: text(300) });

/** A small group led by a candidate, optionally in one session. */
export const groupInput = z.strictObject({ name: text(120), candidateId: id, sessionId: id.optional() });

/** Learners to add to a group: names or anonymous codes. */
export const learnersInput = z.strictObject({ labels: z.array(text(120), { message: 'must be a list of names or codes' }).min(1, 'add at least one learner').max(60, 'add at most 60 learners at a time') });

/** The same from a form: one learner per line. */
export const learnersForm = z.strictObject({
  labels: z
    .string({ message: 'is required' })
    .transform((s) => s.split(/\r?\n/).map((l) => l.trim()).filter(Boolean))
    .pipe(learnersInput.shape.labels),
});

/** Attainment entries for learners of one group. */
export const attainmentInput = z.strictObject({
  entries: z.array(z.strictObject({ learnerId: id, outcomeId: id, level }), { message: 'must be a list of { learnerId, outcomeId, level }' }).min(1, 'record at least one judgement'),
});

