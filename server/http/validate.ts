/** Validation at the edge: zod schemas in, typed values or a ValidationError naming each field out. */
import { z } from 'zod';
import { ValidationError, type FieldProblem } from '../errors';
import { asSentence, composeMessage, issueSentences } from './sentences';
import { textProblems } from './text-rule';

/** Turns zod issues into field problems a person can act on: each message a sentence naming the field in words
 * (labels from the schema's `.meta({ label })`; "Enter …"/"Choose …" when the value was left out of `input`). */
export function fieldProblems(error: z.ZodError, schema?: z.ZodType, input?: unknown): FieldProblem[] {
  return issueSentences(error, schema, input);
}

/** The 400 for a list of field problems: its message is their sentences (each field problem is one), so a page
 * shows the fields alone. */
export function invalid(fields: FieldProblem[], _what = 'request'): ValidationError {
  const sentences = fields.map((f) => asSentence(f.field, f.message));
  const error = new ValidationError(composeMessage(sentences), fields.map((f, i) => ({ field: f.field, message: sentences[i] })));
  error.repeatsFields = true;
  return error;
}

/** Parses `input` with `schema` or throws a 400 ValidationError listing every problem. Text that breaks the one
 * text rule (NUL, unpaired surrogates) is refused first, whatever the schema says. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.output<S> {
  const broken = textProblems(input);
  if (broken.length) throw invalid(broken, what);
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw invalid(fieldProblems(result.error, schema, input), what);
}

/** A UUID path or body parameter, with a message that says what was wrong. */
export const id = z.uuid({ message: 'must be an id like 3f2b…, as given by Cadre' });

/** A trimmed, non-empty, length-capped string. */
export const text = (max: number, min = 1) =>
  z
    .string({ message: 'must be text' })
    .trim()
    .min(min, min === 1 ? 'is required' : `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`);

/** An e-mail address, lower-cased. */
export const email = z.email({ message: 'must be an e-mail address such as name@example.org' }).max(254).transform((s) => s.toLowerCase());

/** A calendar date `YYYY-MM-DD`. */
export const isoDate = z.iso.date({ message: 'must be a date as YYYY-MM-DD' });

/** Validates an id taken from the URL. */
export function paramId(value: unknown, name = 'id'): string {
  return parse(z.object({ [name]: id }), { [name]: value }, 'address')[name] as string;
}
