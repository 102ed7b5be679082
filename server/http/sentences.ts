/** Field problems as sentences a person can act on ("Enter the cohort's name.", "The pass mark must be 100 or less."),
 * never "name — must be text". Every ValidationError's fields pass through `asSentence`, so schemas and commands may
 * keep writing short fragments ("must be at most 200 characters"); a schema field can name itself with
 * `.meta({ label: 'name of the cohort', missing: 'Give the cohort a name' })`. */
import { z } from 'zod';

/** What a schema field may say about itself (zod `.meta()`), used by error sentences and generated forms. */
export type FieldMeta = {
  /** The field in words, as it reads inside a sentence: "pass mark", "rubric". */
  label?: string;
  /** The sentence shown when the field is left empty: "Give the cohort a name". */
  missing?: string;
  /** Help shown under the input of a generated form. */
  hint?: string;
};

/** Field names whose words are not just their letters. */
const WORDS: Record<string, string> = {
  email: 'e-mail address',
  startsOn: 'start date',
  endsOn: 'end date',
  passThreshold: 'pass mark',
  passMark: 'pass mark',
  startDay: 'start day',
  endDay: 'end day',
  startsAt: 'start time',
  endsAt: 'end time',
  slotAt: 'time slot',
  moduleKey: 'stage type',
  staffCount: 'number of staff',
  confirm: 'password confirmation',
  current: 'current password',
  refId: 'evidence',
  clientId: 'client ID',
  coDeliverySessionId: 'co-delivery session',
  '(body)': 'request',
};

/** 'cohortId' → 'cohort', 'staffCount' → 'number of staff', 'criteria.2.title' → 'title'. */
export function labelOf(field: string): string {
  const parts = field.split('.').filter((p) => !/^\d+$/.test(p) && !/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(p));
  const last = parts[parts.length - 1] ?? field;
  if (WORDS[last]) return WORDS[last];
  return last
    .replace(/([a-z])Ids?$/, '$1')
    .replace(/([a-z])At$/, '$1 time')
    .replace(/([a-z])([A-Z])/g, (_m, a: string, b: string) => `${a} ${b.toLowerCase()}`)
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}

// zod's own (English) default messages start like these; they are replaced, never shown.
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

/** True when `message` is already a sentence written for people (not a fragment or a zod default). */
export function isSentence(message: string): boolean {
  return /^[A-Z“'"‘]/.test(message) && !ZOD_DEFAULT.test(message);
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const stop = (s: string) => (/[.!?…]$/.test(s) ? s : `${s}.`);

/** How a field asks for a value: choose from a list, or enter it. */
export type Verb = 'Enter' | 'Choose';

/** Lists whose rows a person numbers: a field inside one names its row ("the weight of criterion 3"). */
const ROWS: Record<string, string> = { criteria: 'criterion', levels: 'level', questions: 'question', options: 'answer', items: 'item' };

/** 'criteria.2.weight' → ' of criterion 3' (the last numbered row the field sits in); '' for any other field. */
function rowOf(field: string): string {
  const parts = field.split('.');
  for (let i = parts.length - 2; i > 0; i -= 1) {
    if (/^\d+$/.test(parts[i]) && ROWS[parts[i - 1]]) return ` of ${ROWS[parts[i - 1]]} ${Number(parts[i]) + 1}`;
  }
  return '';
}

/** One field problem as a sentence: kept when it already is one; "Enter the name." when the value is missing;
 * otherwise "The <label> <fragment>." A field in a numbered row says which ("The weight of criterion 3 must be…"). */
export function asSentence(field: string, message: string, options: { missing?: boolean; verb?: Verb; meta?: FieldMeta } = {}): string {
  const label = (options.meta?.label ?? labelOf(field)) + rowOf(field);
  const verb = options.verb ?? (/Ids?$/.test(field) ? 'Choose' : 'Enter');
  const required = /^is required\b/.exec(message);
  if (options.missing || required) {
    if (options.meta?.missing) return stop(options.meta.missing);
    const rest = required ? message.slice(required[0].length).trim() : '';
    return stop(`${verb} the ${label}${rest ? ` ${rest}` : ''}`);
  }
  if (isSentence(message)) return stop(message);
  return stop(`The ${label} ${message}`);
}

/** The one message for a list of sentences (what `invalid()` says, and what an error summary need not repeat). */
export function composeMessage(sentences: string[]): string {
  if (sentences.length === 1) return sentences[0];
  return `There are ${sentences.length} problems: ${sentences.join(' ')}`;
}

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** The schema a path leads to inside `schema` (through optional, default, pipe, array and object), or undefined. */
function schemaAt(schema: z.ZodType | undefined, path: PropertyKey[]): z.ZodType | undefined {
  let here: unknown = schema;
  const metaFound = (s: unknown) => (s ? z.globalRegistry.get(s as z.ZodType) : undefined);
  for (let depth = 0; depth < 40 && here; depth++) {
    const def = defOf(here);
    if (!def) return undefined;
    if (!path.length) {
      // Stop at the outermost wrapper that carries metadata; otherwise look inside wrappers for it.
      if (metaFound(here)) return here as z.ZodType;
      const inner = def.innerType ?? (def.type === 'pipe' ? (defOf(def.out)?.type === 'transform' ? def.in : def.out) : undefined);
      if (!inner) return here as z.ZodType;
      here = inner;
      continue;
    }
    const [key, ...rest] = path;
    switch (def.type) {
      case 'object':
        here = (def.shape as Record<string, unknown>)[String(key)];
        path = rest;
        break;
      case 'array':
        here = def.element;
        path = typeof key === 'number' || /^\d+$/.test(String(key)) ? rest : path;
        break;
      case 'record':
        here = def.valueType;
        path = rest;
        break;
      case 'pipe':
        here = defOf(def.out)?.type === 'transform' ? def.in : def.out;
        break;
      default:
        here = def.innerType;
    }
  }
  return undefined;
}

/** The metadata (`.meta()`) of the field at `path` in `schema`. */
export function metaAt(schema: z.ZodType | undefined, path: PropertyKey[]): FieldMeta | undefined {
  const found = schemaAt(schema, path);
  return found ? (z.globalRegistry.get(found) as FieldMeta | undefined) : undefined;
}

/** The value at `path` in `input`. */
export function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let here = input;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PropertyKey, unknown>)[key as string];
  }
  return here;
}

const isEmpty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** zod issues as field problems whose messages are sentences (labels from the schema's `.meta()` when given). */
export function issueSentences(error: z.ZodError, schema?: z.ZodType, input?: unknown): { field: string; message: string }[] {
  return error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(body)';
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `“${k}”`).join(', ');
      return { field: issue.keys.join(', '), message: `${capital(keys)} ${issue.keys.length === 1 ? 'is not a field' : 'are not fields'} this accepts.` };
    }
    const meta = metaAt(schema, issue.path);
    const value = valueAt(input, issue.path);
    const missing = isEmpty(value) && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_format' || (issue.code === 'too_small' && issue.origin === 'string'));
    const choose = issue.code === 'invalid_value' || (issue.code === 'invalid_type' && issue.expected === 'boolean');
    // A sentence the schema wrote itself ("Choose the right answer by selecting it.") is what the person reads.
    if (isSentence(issue.message) && !(missing && meta?.missing)) return { field, message: stop(issue.message) };
    return { field, message: asSentence(field, fragmentOf(issue), { missing, verb: choose ? 'Choose' : undefined, meta }) };
  });
}

/** The schema's own message, or a plain fragment for zod's defaults. */
function fragmentOf(issue: z.core.$ZodIssue): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'number' || issue.expected === 'int' ? 'must be a number' : issue.expected === 'boolean' ? 'must be yes or no' : issue.expected === 'array' ? 'must be a list' : 'is not in the right form';
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${String(issue.minimum)}` : issue.origin === 'string' ? `must be at least ${String(issue.minimum)} characters` : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array' ? `may have at most ${String(issue.maximum)}` : issue.origin === 'string' ? `must be at most ${String(issue.maximum)} characters` : `must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'uuid' ? 'must be chosen from the list' : `is not a valid ${issue.format}`;
    default:
      return 'is not valid';
  }
}
