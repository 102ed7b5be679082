/**
 * Evidence kinds: references a sign-off can cite (`{ refType, refId }`) that live in a stage module's tables.
 * Each module declares its kinds in its manifest (`evidenceKinds`); the app's registry holds them, and core asks
 * `resolveEvidence` — never the module — whether a reference exists and belongs to the candidate's record.
 */
import type { Db } from '../db';

/** Whose record the evidence is offered for, and who is asking. */
export type EvidenceScope = { cohortId: string; candidateId: string; actorId: string };

/** What one reference turned out to be. Show `label`/`description` only when `belongs` is true. */
export type ResolvedEvidence = {
  /** A sentence a person reads in place of the id ("“Clear, warm welcome…” at 02:00 — 12 Mar 2026, Group A"). */
  label: string;
  /** One more line: where it comes from and who wrote it. */
  description: string;
  /** Where to see it, when there is a page for it. */
  href?: string;
  /** True when it is about the scope's candidate, in the scope's cohort. */
  belongs: boolean;
};

/** One kind of evidence a module provides, named `<moduleKey>:<name>`. */
export type EvidenceKind = {
  /** What a person calls one of these ("Live note"). */
  title: string;
  /** Older `refType` spellings stored before the kind had its key ('live_note'). */
  aliases?: string[];
  /** Looks up many references at once (a fixed number of queries); ids that do not exist are absent from the map. */
  resolve: (db: Db, scope: EvidenceScope, refIds: string[]) => Promise<Map<string, ResolvedEvidence>>;
  /** What a person may cite, newest first, for a candidate's record (or, without `candidateId`, for anyone in the
   * cohort — a bulk sign-off's session): the lists a form offers, so nobody types an id. A fixed number of queries. */
  choices?: (db: Db, scope: ChoiceScope) => Promise<EvidenceChoice[]>;
};

/** Whose evidence a form lists: one candidate's, or (for a bulk sign-off) the cohort's sessions. */
export type ChoiceScope = { cohortId: string; candidateId?: string };

/** One thing a form offers to cite, in words. */
export type EvidenceChoice = { refId: string; label: string; description: string };

/** The evidence kinds one app has installed, by key, with aliases resolved to keys. */
export type EvidenceKinds = { byKey: ReadonlyMap<string, EvidenceKind>; keyOf: ReadonlyMap<string, string> };

/** Builds the lookup from a record of kinds (key → kind). */
export function evidenceKinds(record: Record<string, EvidenceKind>): EvidenceKinds {
  const byKey = new Map(Object.entries(record));
  const keyOf = new Map<string, string>();
  for (const [key, kind] of byKey) {
    keyOf.set(key, key);
    for (const alias of kind.aliases ?? []) keyOf.set(alias, key);
  }
  return { byKey, keyOf };
}

/** One reference and what it resolved to: `kind` is null when no installed kind answers to `refType`; `evidence` is
 * null when the kind does not know the id. */
export type EvidenceAnswer = { refType: string; refId: string; kind: string | null; evidence: ResolvedEvidence | null };

/**
 * Resolves references of any kinds for one candidate's record, in the order given — one `resolve` call per kind.
 * A caller refuses a reference whose `kind` or `evidence` is null, or whose `evidence.belongs` is false.
 */
export async function resolveEvidence(ctx: { db: Db; registry: { evidence: EvidenceKinds } }, scope: EvidenceScope, refs: { refType: string; refId: string }[]): Promise<EvidenceAnswer[]> {
  const idsByKind = new Map<string, Set<string>>();
  for (const r of refs) {
    const key = ctx.registry.evidence.keyOf.get(r.refType);
    if (!key) continue;
    const ids = idsByKind.get(key) ?? new Set<string>();
    ids.add(r.refId);
    idsByKind.set(key, ids);
  }
  const found = new Map<string, Map<string, ResolvedEvidence>>();
  for (const [key, ids] of idsByKind) found.set(key, await (ctx.registry.evidence.byKey.get(key) as EvidenceKind).resolve(ctx.db, scope, [...ids]));
  return refs.map((r) => {
    const key = ctx.registry.evidence.keyOf.get(r.refType) ?? null;
    return { refType: r.refType, refId: r.refId, kind: key, evidence: (key && found.get(key)?.get(r.refId)) || null };
  });
}
