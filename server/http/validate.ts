/** Validation at the edge: zod schemas in, typed values or a ValidationError naming each field out. */
import { z } from 'zod';
import { ValidationError, type FieldProblem } from '../errors';
import { textProblems } from './text-rule';

/** Turns zod issues into field problems a person can act on. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(body)';
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), message: `not a field this accepts: ${issue.keys.join(', ')}` };
    }
    return { field, message: issue.message };
  });
}

/** The 400 for a list of field problems: one sentence naming each field. */
export function invalid(fields: FieldProblem[], what = 'request'): ValidationError {
  const error = new ValidationError(`The ${what} has ${fields.length === 1 ? 'a problem' : `${fields.length} problems`}: ${fields.map((f) => `${f.field} — ${f.message}`).join('; ')}`, fields);
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
  throw invalid(fieldProblems(result.error), what);
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
