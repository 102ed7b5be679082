/** The one text rule at the edge: no NUL characters and no broken (unpaired surrogate) characters in any string. */
import type { FieldProblem } from '../errors';

const NUL = '\u0000';
// An unpaired UTF-16 surrogate: a high one not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` is not acceptable text, or null when it is. */
export function textProblem(value: string): string | null {
  if (value.includes(NUL)) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(value)) return 'contains a broken character (an unpaired surrogate); retype it';
  return null;
}

/** Every string inside `input` (keys too) that breaks the rule, named by its path (`notes.2.text`). */
export function textProblems(input: unknown, prefix = '', depth = 0): FieldProblem[] {
  if (typeof input === 'string') {
    const message = textProblem(input);
    return message ? [{ field: prefix || '(body)', message }] : [];
  }
  if (!input || typeof input !== 'object' || depth > 32 || Buffer.isBuffer(input)) return [];
  const out: FieldProblem[] = [];
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const field = prefix ? `${prefix}.${key}` : key;
    const keyProblem = textProblem(key);
    if (keyProblem) out.push({ field: field.replaceAll(NUL, '?').replace(/[\uD800-\uDFFF]/g, '?'), message: `has a name that ${keyProblem}` });
    else out.push(...textProblems(value, field, depth + 1));
  }
  return out;
}
