/** Reads for sign-offs: the set-based "which competencies are signed" helper for progression, the queue, details. */
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { describeEvidence } from '../evidence/describe';
import type { EvidenceKinds } from '../evidence/kinds';
import { cohortRequiredCompetencies, cohorts, competencies, files, signoffDecisions, signoffEvidence, signoffRequests, users, type SignoffStatus } from '../db/tables';

/** One signed competency of a candidate. */
export type SignedCompetency = { competencyId: string; code: string; signedAt: Date | null; requestId: string };

/**
 * For many (cohort, candidates) items at once: cohort id → candidate id → the competencies that count as signed
 * (status `signed`, i.e. countersigned where safety-critical; revoked ones do not count). One query for all items.
 * Every requested candidate has an entry (empty when nothing is signed). Optionally limited to some codes.
 */
export async function signedCompetencies(db: Db, items: { cohortId: string; candidateIds: string[] }[], competencyCodes?: string[]): Promise<Map<string, Map<string, SignedCompetency[]>>> {
  const out = new Map<string, Map<string, SignedCompetency[]>>();
  const cohortIds = [...new Set(items.map((i) => i.cohortId))];
  const candidateIds = [...new Set(items.flatMap((i) => i.candidateIds))];
  for (const item of items) {
    const m = out.get(item.cohortId) ?? new Map<string, SignedCompetency[]>();
    for (const c of item.candidateIds) if (!m.has(c)) m.set(c, []);
    out.set(item.cohortId, m);
  }
  if (!cohortIds.length || !candidateIds.length || competencyCodes?.length === 0) return out;
  const rows = await db
    .select({ cohortId: signoffRequests.cohortId, candidateId: signoffRequests.candidateId, competencyId: competencies.id, code: competencies.code, signedAt: signoffRequests.signedAt, requestId: signoffRequests.id })
    .from(signoffRequests)
    .innerJoin(competencies, eq(competencies.id, signoffRequests.competencyId))
    .where(
      and(
        eq(signoffRequests.status, 'signed'),
        inArray(signoffRequests.cohortId, cohortIds),
        inArray(signoffRequests.candidateId, candidateIds),
        competencyCodes ? inArray(competencies.code, competencyCodes) : undefined,
      ),
    );
  for (const r of rows) {
    const list = out.get(r.cohortId)?.get(r.candidateId);
    if (list && !list.some((x) => x.competencyId === r.competencyId)) list.push({ competencyId: r.competencyId, code: r.code, signedAt: r.signedAt, requestId: r.requestId });
  }
  return out;
}

/** For many cohorts: cohort id → the competencies it requires (its chosen list, or its whole framework when none is chosen). */
export async function requiredCompetencies(db: Db, cohortIds: string[]): Promise<Map<string, { id: string; code: string; name: string; safetyCritical: boolean }[]>> {
  const out = new Map<string, { id: string; code: string; name: string; safetyCritical: boolean }[]>();
  if (!cohortIds.length) return out;
  const cols = { cohortId: cohorts.id, id: competencies.id, code: competencies.code, name: competencies.name, safetyCritical: competencies.safetyCritical };
  const [chosen, whole] = await Promise.all([
    db.select(cols).from(cohortRequiredCompetencies).innerJoin(cohorts, eq(cohorts.id, cohortRequiredCompetencies.cohortId)).innerJoin(competencies, eq(competencies.id, cohortRequiredCompetencies.competencyId)).where(inArray(cohorts.id, cohortIds)).orderBy(asc(competencies.position)),
    db.select(cols).from(cohorts).innerJoin(competencies, eq(competencies.frameworkId, cohorts.frameworkId)).where(inArray(cohorts.id, cohortIds)).orderBy(asc(competencies.position)),
  ]);
  for (const id of cohortIds) {
    const own = chosen.filter((r) => r.cohortId === id);
    out.set(id, (own.length ? own : whole.filter((r) => r.cohortId === id)).map(({ cohortId: _c, ...rest }) => rest));
  }
  return out;
}

/** One piece of evidence on a request, as every screen shows it: a file by its name, a reference in words. */
export type EvidenceItem = {
  id: string;
  kind: 'file' | 'reference';
  /** What a person reads: the file's name, or the reference in words (a note's text and time code, a session's date and group). */
  name: string;
  /** One more line for a reference (who wrote the note, in which room; the candidate's group). */
  description?: string;
  /** What kind of thing a reference is ("Live note", "Transfer-week register"). */
  kindTitle?: string;
  mimeType?: string;
  sizeBytes?: number;
  /** A file's download address. */
  href?: string;
  /** A reference's page (e.g. the note on its timeline), when there is one. */
  link?: string;
  isImage: boolean;
  isVideo?: boolean;
  /** A PDF file, with its in-place view address. */
  isPdf?: boolean;
  viewHref?: string;
  refType?: string | null;
  refId?: string | null;
  caption?: string | null;
  addedAt: Date;
};

/** Evidence of many requests: request id → items (files with their download link, references in words via the
 * evidence-kind registry — one resolve per kind for each candidate record involved). */
export async function evidenceFor(ctx: { db: Db; registry: { evidence: EvidenceKinds } }, requestIds: string[]) {
  const out = new Map<string, EvidenceItem[]>();
  if (!requestIds.length) return out;
  const rows = await ctx.db
    .select({ e: signoffEvidence, cohortId: signoffRequests.cohortId, candidateId: signoffRequests.candidateId, f: { id: files.id, displayName: files.displayName, mimeType: files.mimeType, sizeBytes: files.sizeBytes } })
    .from(signoffEvidence)
    .innerJoin(signoffRequests, eq(signoffRequests.id, signoffEvidence.requestId))
    .leftJoin(files, eq(files.id, signoffEvidence.fileId))
    .where(inArray(signoffEvidence.requestId, requestIds))
    .orderBy(asc(signoffEvidence.createdAt));
  const refs = rows.filter((r) => !r.f && r.e.refType && r.e.refId);
  const words = await describeEvidence(ctx, refs.map((r) => ({ cohortId: r.cohortId, candidateId: r.candidateId, refType: r.e.refType!, refId: r.e.refId! })));
  const wordsOf = new Map(refs.map((r, i) => [r.e.id, words[i]]));
  for (const { e, f } of rows) {
    const list = out.get(e.requestId) ?? [];
    const w = wordsOf.get(e.id);
    list.push(
      f
        ? { id: e.id, kind: 'file', name: f.displayName, mimeType: f.mimeType, sizeBytes: f.sizeBytes, href: `/evidence/${f.id}`, ...(f.mimeType === 'application/pdf' ? { isPdf: true, viewHref: `/evidence/${f.id}?view=inline` } : {}), isImage: f.mimeType.startsWith('image/'), isVideo: f.mimeType.startsWith('video/'), caption: e.caption, addedAt: e.createdAt }
        : { id: e.id, kind: 'reference', name: w?.label ?? 'Evidence that Cadre can no longer find', description: w?.description, kindTitle: w?.kindTitle, link: w?.href, refType: e.refType, refId: e.refId, isImage: false, caption: e.caption, addedAt: e.createdAt },
    );
    out.set(e.requestId, list);
  }
  return out;
}

/** Decisions of many requests, oldest first, with who made them: request id → decisions. */
export async function decisionsFor(db: Db, requestIds: string[]) {
  const out = new Map<string, { kind: string; actorId: string; actorName: string; rating: number | null; note: string | null; ledgerSeq: number | null; at: Date }[]>();
  if (!requestIds.length) return out;
  const rows = await db
    .select({ d: signoffDecisions, actorName: users.name })
    .from(signoffDecisions)
    .innerJoin(users, eq(users.id, signoffDecisions.actorId))
    .where(inArray(signoffDecisions.requestId, requestIds))
    .orderBy(asc(signoffDecisions.createdAt));
  for (const { d, actorName } of rows) {
    const list = out.get(d.requestId) ?? [];
    list.push({ kind: d.kind, actorId: d.actorId, actorName, rating: d.rating, note: d.note, ledgerSeq: d.ledgerSeq, at: d.createdAt });
    out.set(d.requestId, list);
  }
  return out;
}

/**
 * The one rule for "waiting for this mentor's decision": pending, or awaiting a countersignature from someone other
 * than its first signer — and never the mentor's own request. The dashboard's list and count and the queue's count all
 * use it, so their numbers agree.
 */
export function waitingForMentor(mentorId: string): SQL {
  return sql`(${signoffRequests.candidateId} <> ${mentorId} and (${signoffRequests.status} = 'pending' or (${signoffRequests.status} = 'awaiting_countersign' and ${signoffRequests.signedBy} is distinct from ${mentorId})))`;
}

/** Requests waiting on mentors in a cohort (or one of its requests), oldest wait first: pending ones and those needing
 * a countersignature, each with `forYou` (whether `mentorId` may decide it now, by `waitingForMentor`). */
export async function mentorQueue(db: Db, cohortId: string, mentorId: string, requestId?: string) {
  const waiting: SignoffStatus[] = ['pending', 'awaiting_countersign'];
  const rows = await db
    .select({ r: signoffRequests, candidateName: users.name, competencyName: competencies.name, competencyCode: competencies.code, safetyCritical: competencies.safetyCritical, forYou: sql<boolean>`${waitingForMentor(mentorId)}` })
    .from(signoffRequests)
    .innerJoin(users, eq(users.id, signoffRequests.candidateId))
    .innerJoin(competencies, eq(competencies.id, signoffRequests.competencyId))
    .where(and(eq(signoffRequests.cohortId, cohortId), inArray(signoffRequests.status, waiting), requestId ? eq(signoffRequests.id, requestId) : undefined))
    .orderBy(desc(signoffRequests.createdAt));
  const since = (r: (typeof rows)[number]) => (r.r.status === 'awaiting_countersign' ? r.r.updatedAt : r.r.submittedAt);
  return rows.sort((a, b) => since(a).getTime() - since(b).getTime()).map((r) => ({ ...r, forYou: r.forYou === true || String(r.forYou) === 't', waitingSince: since(r) }));
}

/** Every request of a candidate in a cohort, newest first (the map shows the newest per competency). */
export async function candidateRequests(db: Db, cohortId: string, candidateId: string) {
  return db
    .select()
    .from(signoffRequests)
    .where(and(eq(signoffRequests.cohortId, cohortId), eq(signoffRequests.candidateId, candidateId)))
    .orderBy(desc(signoffRequests.createdAt), desc(signoffRequests.updatedAt));
}

/** Who already holds a competency in a cohort (signed, or signed and waiting for a countersignature): candidate id →
 * status of their current request. One query. */
export async function holdersOf(db: Db, cohortId: string, competencyId: string): Promise<Map<string, SignoffStatus>> {
  const rows = await db
    .select({ candidateId: signoffRequests.candidateId, status: signoffRequests.status })
    .from(signoffRequests)
    .where(and(eq(signoffRequests.cohortId, cohortId), eq(signoffRequests.competencyId, competencyId)))
    .orderBy(desc(signoffRequests.createdAt), desc(signoffRequests.submittedAt));
  const out = new Map<string, SignoffStatus>();
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.candidateId)) continue;
    seen.add(r.candidateId);
    if (r.status === 'signed' || r.status === 'awaiting_countersign') out.set(r.candidateId, r.status);
  }
  return out;
}
