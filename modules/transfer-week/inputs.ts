/** Input schemas for transfer week (shared by the pages and the JSON API). */
import { z } from 'zod';
import { id, isoDate, text } from '../../server/modules/kit';

/** A day's mark on the register. */
export const mark = z.enum(['present', 'late', 'absent'], { message: 'must be present, late or absent' });

/** Schedule an in-person day. */
export const dayInput = z.strictObject({ day: isoDate, venue: text(200), notes: text(2000).optional() });

/** Save a day's register: one mark per candidate (candidates left out keep their mark). */
export const registerInput = z.strictObject({
  marks: z.array(z.strictObject({ candidateId: id, mark }), { message: 'must be a list of { candidateId, mark }' }).min(1, 'mark at least one candidate'),
});

/** Log (or revise) a trainer-role moment. */
export const momentInput = z.strictObject({
  segment: text(300),
  reflection: text(5000, 20),
  dayId: id.optional(),
});

/** A mentor's decision on a moment; returning it needs a comment. */
export const decisionInput = z.strictObject({ comment: text(2000).optional() });

/** Returning a moment: the comment says what to change. */
export const returnInput = z.strictObject({ comment: text(2000) });
