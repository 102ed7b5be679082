/** zod schemas for sign-off requests and decisions; form and multipart bodies are normalised first. */
import { z } from 'zod';
import { id, text } from '../http/validate';
import { fromChoiceValue } from '../evidence/describe';
import { DECISION_ACTIONS } from './rules';

/** A cited reference: any installed evidence kind (checked against the registry, and the record, by the command). */
const reference = z.object({
  refType: z.string({ message: 'must name a kind of evidence' }).trim().min(1, 'must name a kind of evidence').max(60, 'is not a kind of evidence Cadre knows'),
  refId: text(80),
  caption: z.string().trim().max(500).optional(),
});

const referenceList = z.array(reference).max(10, 'at most 10 references');

/** A multipart field carries a list as JSON text; the same schema reads both shapes, so the document shows both. */
const referencesField = z.union([
  referenceList,
  z
    .string()
    .transform((s, c) => {
      if (!s.trim()) return [];
      try {
        return JSON.parse(s) as unknown;
      } catch {
        c.issues.push({ code: 'custom', message: 'must be a list of references, as JSON', input: s });
        return z.NEVER;
      }
    })
    .pipe(referenceList),
]);

/** A candidate's request: competency, reflection and references (files come as multipart `files`). */
export const requestInput = z.object({
  competencyId: id,
  reflection: text(5000, 20).refine((s) => s.length >= 20, 'must be at least 20 characters: say what you did and what you learned'),
  references: referencesField.optional(),
});

/** The page form's request: the competency comes from the address, evidence as ticked choices (`<kind>/<id>`). */
export const requestForm = z.preprocess((body) => normaliseRequestBody(body), requestInput.omit({ competencyId: true }));

/** The "attach as evidence" form: the competency is chosen in the form, the note comes ticked. */
export const attachForm = z.preprocess((body) => normaliseRequestBody(body), requestInput.extend({ competencyId: z.string({ message: 'choose the competency this evidence shows' }).uuid('choose the competency this evidence shows') }));

/** A mentor's decision. */
export const decisionInput = z.object({
  action: z.enum(DECISION_ACTIONS, { message: 'must be sign_off, decline, more_evidence, countersign or revoke' }),
  rating: z.coerce.number().int('must be a whole number').min(0).optional(),
  note: z.string().trim().max(4000, 'must be at most 4000 characters').optional().transform((s) => s || undefined),
});

/** A bulk sign-off: it rests on named evidence (a session, a register) that must be on every candidate's record. */
export const bulkInput = z.object({
  competencyId: id,
  candidateIds: z.array(id).min(1, 'choose at least one candidate').max(200),
  evidence: z.array(reference.omit({ caption: true }), { message: 'choose the session or register this sign-off rests on' }).min(1, 'choose the session or register this sign-off rests on').max(5),
  rating: z.coerce.number({ message: 'choose a rating' }).int().min(0),
  note: z.string().trim().max(4000).optional().transform((s) => s || undefined),
});

/** Turns a form or multipart body into the JSON shape: `references` as JSON text, or ticked `evidence` choices. */
export function normaliseRequestBody(body: unknown): Record<string, unknown> {
  const b = { ...((body ?? {}) as Record<string, unknown>) };
  delete b._csrf;
  if (typeof b.references === 'string') {
    try {
      b.references = b.references.trim() ? JSON.parse(b.references) : undefined;
    } catch {
      b.references = 'not JSON';
    }
  }
  const chosen = choicesOf(b.evidence);
  if (chosen.length) b.references = [...((Array.isArray(b.references) ? b.references : []) as unknown[]), ...chosen];
  delete b.evidence;
  return b;
}

/** Form checkboxes arrive as a string or an array. */
export function asList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : [];
}

/** The decision form: an empty rating is no rating; `back` is the page the form was on (same-origin only). */
export const decisionForm = z.preprocess(
  (b) => ({ ...(b as Record<string, unknown>), rating: (b as Record<string, unknown>)?.rating || undefined }),
  decisionInput.extend({ back: z.unknown().optional() }),
);

/** Ticked `<kind>/<id>` choices as references (a value without a slash stays, to be refused by the schema). */
function choicesOf(v: unknown): { refType: string; refId: string }[] {
  return asList(v).map((value) => fromChoiceValue(value) ?? { refType: value, refId: '' });
}

/** The bulk form: ticked candidates arrive as one value or many; the session it rests on as a choice. */
export const bulkForm = z.preprocess((b) => {
  const body = (b ?? {}) as Record<string, unknown>;
  return { ...body, candidateIds: asList(body.candidateIds), evidence: choicesOf(body.evidence) };
}, bulkInput);

/** What the sign-off pages read from the address: a done message key and a live note to pre-fill (a repeated
 * parameter uses its first value; anything else is ignored). */
export const pageQuery = {
  parse(query: unknown) {
    const q = (query ?? {}) as Record<string, unknown>;
    const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
    const done = first(q.done);
    const note = first(q.evidenceNote);
    const competency = first(q.competencyId);
    const uuid = (v: unknown) => (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v) ? v : undefined);
    return { done: typeof done === 'string' ? done : undefined, evidenceNote: uuid(note), competencyId: uuid(competency) };
  },
};
