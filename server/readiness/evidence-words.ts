/** Evidence in words for the exports: a file by its name and type, a module's record (a live note, a session) by
 * the sentence its evidence kind resolves it to — never an id. */
import type { Db } from '../db';
import type { EvidenceKinds } from '../evidence/kinds';
import { resolveEvidence } from '../evidence/kinds';
import { EVIDENCE_TYPES } from '../evidence/sniff';
import type { EvidenceItem, SignoffRecord } from './records';

const typeWords = new Map(EVIDENCE_TYPES.map((t) => [t.mime, t.label]));

/** What a file's type is called ("PDF", "Word document"); a generic word for anything else. */
export const fileTypeWords = (mime: string | null) => (mime && typeWords.get(mime)) || 'file';

const withCaption = (text: string, caption: string | null) => (caption ? `${text} — “${caption}”` : text);

/** One file's line: "“Debrief notes.pdf” (PDF) — “caption”". */
function fileLine(e: EvidenceItem): string {
  return withCaption(`“${e.fileName ?? 'A file'}” (${fileTypeWords(e.mimeType)})`, e.caption);
}

/**
 * The words for every sign-off's evidence, by request id, in the order cited. References are resolved per candidate
 * (one `resolve` per installed kind each); one that no longer resolves, or not to this candidate, is said so.
 */
export async function evidenceWords(ctx: { db: Db; registry: { evidence: EvidenceKinds } }, cohortId: string, actorId: string, list: SignoffRecord[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const byCandidate = new Map<string, SignoffRecord[]>();
  for (const r of list) byCandidate.set(r.candidateId, [...(byCandidate.get(r.candidateId) ?? []), r]);
  for (const [candidateId, records] of byCandidate) {
    const refs = records.flatMap((r) => r.evidence.filter((e) => e.refType && e.refId).map((e) => ({ refType: e.refType as string, refId: e.refId as string })));
    const answers = refs.length ? await resolveEvidence(ctx, { cohortId, candidateId, actorId }, refs) : [];
    let next = 0;
    for (const r of records) {
      out.set(
        r.id,
        r.evidence.map((e) => {
          if (!(e.refType && e.refId)) return fileLine(e);
          const answer = answers[next++];
          const found = answer?.evidence;
          if (!found || !found.belongs) return e.caption ? `“${e.caption}” (the record it points to could not be found)` : 'A record that could not be found';
          return withCaption(found.description ? `${found.label} (${found.description})` : found.label, e.caption);
        }),
      );
    }
  }
  return out;
}
