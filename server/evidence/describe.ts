/**
 * Evidence in words, and evidence checked when cited. Every screen and report that shows a cited reference asks
 * `describeEvidence`; every command that cites one asks `citeEvidence`; every form lists `evidenceChoices` — so a
 * reference is never a typed id, never shown as one, and never accepted unless it exists and is on the record.
 */
import type { Db } from '../db';
import { ValidationError, type FieldProblem } from '../errors';
import { resolveEvidence, type ChoiceScope, type EvidenceKinds, type EvidenceScope } from './kinds';

type Ctx = { db: Db; registry: { evidence: EvidenceKinds } };

/** A reference cited on one candidate's record in one cohort. */
export type CitedRef = { cohortId: string; candidateId: string; refType: string; refId: string };

/** A reference as a person reads it: what kind of thing, a one-line label, one more line, and where to see it. */
export type EvidenceWords = { kindTitle: string; label: string; description: string; href?: string };

const GONE: EvidenceWords = { kindTitle: 'Evidence', label: 'Evidence that Cadre can no longer find', description: 'It was cited when the request was made; its record has since gone.' };

/** Turns references into words, in the order given: one `resolve` per kind for each candidate record involved. */
export async function describeEvidence(ctx: Ctx, refs: CitedRef[]): Promise<EvidenceWords[]> {
  const byScope = new Map<string, number[]>();
  refs.forEach((r, i) => {
    const key = `${r.cohortId}|${r.candidateId}`;
    byScope.set(key, [...(byScope.get(key) ?? []), i]);
  });
  const out: EvidenceWords[] = refs.map(() => GONE);
  for (const indexes of byScope.values()) {
    const first = refs[indexes[0]];
    const answers = await resolveEvidence(ctx, { cohortId: first.cohortId, candidateId: first.candidateId, actorId: first.candidateId }, indexes.map((i) => refs[i]));
    answers.forEach((a, j) => {
      const kind = a.kind ? ctx.registry.evidence.byKey.get(a.kind) : undefined;
      if (!kind || !a.evidence) return;
      out[indexes[j]] = { kindTitle: kind.title, label: a.evidence.label, description: a.evidence.description, ...(a.evidence.belongs && a.evidence.href ? { href: a.evidence.href } : {}) };
    });
  }
  return out;
}

/** Refuses (400, naming `field`, or `field[i]` among several) any reference that is not a known kind, does not exist, or is not on the scope's
 * record — the candidate's own, or a session of their cohort they took part in. */
export async function citeEvidence(ctx: Ctx, scope: EvidenceScope, refs: { refType: string; refId: string }[], field = 'references', who?: string): Promise<void> {
  if (!refs.length) return;
  const answers = await resolveEvidence(ctx, scope, refs);
  const problems: FieldProblem[] = [];
  answers.forEach((a, i) => {
    const f = refs.length === 1 ? field : `${field}[${i}]`;
    if (!a.kind) problems.push({ field: f, message: 'is not a kind of evidence Cadre knows: choose it from the list' });
    else if (!a.evidence) problems.push({ field: f, message: 'does not exist: choose it from the list' });
    else if (!a.evidence.belongs) problems.push({ field: f, message: `is not on ${who ?? 'this candidate'}’s record: ${a.evidence.description}` });
  });
  if (problems.length) {
    const whose = who ? `${who}’s` : 'this candidate’s';
    throw new ValidationError(`${problems.length === 1 ? 'One piece' : `${problems.length} pieces`} of the evidence cited ${problems.length === 1 ? 'is' : 'are'} not on ${whose} record. Choose evidence from the list.`, problems);
  }
}

/** One group of things a form offers to cite (a kind of evidence, with its options in words). */
export type EvidenceGroup = { key: string; title: string; options: { value: string; label: string; description: string }[] };

/** What a form can offer to cite for a candidate (or, without one, a cohort's sessions), grouped by kind. */
export async function evidenceChoices(ctx: Ctx, scope: ChoiceScope): Promise<EvidenceGroup[]> {
  const groups: EvidenceGroup[] = [];
  for (const [key, kind] of ctx.registry.evidence.byKey) {
    if (!kind.choices) continue;
    const options = await kind.choices(ctx.db, scope);
    if (options.length) groups.push({ key, title: kind.title, options: options.map((o) => ({ value: choiceValue(key, o.refId), label: o.label, description: o.description })) });
  }
  return groups;
}

/** A form's value for one reference: `<kind>/<id>` (kind keys hold no slash). */
export function choiceValue(refType: string, refId: string): string {
  return `${refType}/${refId}`;
}

/** Reads a form's `<kind>/<id>` value back into a reference (null when it has no slash). */
export function fromChoiceValue(value: string): { refType: string; refId: string } | null {
  const at = value.lastIndexOf('/');
  return at > 0 ? { refType: value.slice(0, at), refId: value.slice(at + 1) } : null;
}
