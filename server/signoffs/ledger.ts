/**
 * Sign-offs in the ledger: the one writer of a step (entry + decision row + evidence rows, all at the same instant)
 * and the projection checker that folds those entries back into what `signoff_requests`, `signoff_decisions` and
 * `signoff_evidence` must hold.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { signoffDecisions, signoffEvidence, type DecisionKind, type SignoffStatus } from '../db/tables';
import { appendLedger, type LedgerRow } from '../ledger';
import { bySubject, defineProjection, firstDifference, missingRow, NO_ENTRY, num, str, type Disagreement, type LedgerFact, type ProjectionScope } from '../ledger/projections';
import { rows as query } from '../readiness/sql';
import { sha256 } from '../util/canonical';
import { STATUS_WORDS } from './rules';

/** One piece of evidence as the ledger records it (a file with its name and digest, or a reference). */
export type EvidenceFact = { id: string; fileId: string | null; fileName: string | null; fileSha256: string | null; refType: string | null; refId: string | null; caption: string | null };

/** A file piece of evidence. */
export function fileEvidence(file: { id: string; displayName: string; sha256: string }, caption?: string | null): EvidenceFact {
  return { id: randomUUID(), fileId: file.id, fileName: file.displayName, fileSha256: file.sha256, refType: null, refId: null, caption: caption ?? null };
}

/** A reference piece of evidence (a live note, a session, a register…). */
export function refEvidence(refType: string, refId: string, caption?: string | null): EvidenceFact {
  return { id: randomUUID(), fileId: null, fileName: null, fileSha256: null, refType, refId, caption: caption ?? null };
}

/** The request a step belongs to. */
export type RequestRef = { id: string; cohortId: string; candidateId: string; competencyId: string };

/** What a step records. `reflection` is given when the step sets it (submit, resubmit, a bulk sign-off that creates the request). */
export type StepFacts = {
  status: SignoffStatus;
  competencyCode: string;
  rating?: number | null;
  note?: string | null;
  bulk?: boolean;
  reflection?: string;
  evidence?: EvidenceFact[];
  at: Date;
};

/** Appends a step to the ledger and writes its decision row and evidence rows at the same instant; returns the entry. */
export async function recordSignoffStep(tx: Db, req: RequestRef, kind: DecisionKind, actorId: string, facts: StepFacts): Promise<LedgerRow> {
  const evidence = facts.evidence ?? [];
  const entry = await appendLedger(tx, {
    kind: `signoff.${kind}`,
    actorId,
    cohortId: req.cohortId,
    candidateId: req.candidateId,
    subjectType: 'signoff_request',
    subjectId: req.id,
    at: facts.at,
    payload: {
      competencyId: req.competencyId,
      competencyCode: facts.competencyCode,
      status: facts.status,
      rating: facts.rating ?? null,
      note: facts.note ?? null,
      ...(facts.bulk ? { bulk: true } : {}),
      ...(facts.reflection !== undefined ? { reflectionSha256: sha256(facts.reflection) } : {}),
      ...(evidence.length ? { evidence } : {}),
    },
  });
  if (evidence.length) {
    await tx.insert(signoffEvidence).values(evidence.map((e) => ({ id: e.id, requestId: req.id, fileId: e.fileId, refType: e.refType, refId: e.refId, caption: e.caption, addedBy: actorId, createdAt: facts.at })));
  }
  await tx.insert(signoffDecisions).values({ requestId: req.id, kind, actorId, rating: facts.rating ?? null, note: facts.note ?? null, ledgerSeq: entry.seq, createdAt: facts.at });
  return entry;
}

type Expected = {
  seq: number;
  cohortId: string | null;
  candidateId: string | null;
  competencyId: string | null;
  competencyCode: string | null;
  status: string | null;
  rating: number | null;
  signedBy: string | null;
  countersignedBy: string | null;
  signedAt: Date | null;
  submittedAt: Date | null;
  updatedAt: Date;
  reflectionSha256: string | null;
};

/** Folds one request's entries (oldest first) into the state its row must hold. */
export function foldRequest(facts: LedgerFact[]): Expected {
  const first = facts[0];
  const s: Expected = { seq: first.seq, cohortId: first.cohortId, candidateId: first.candidateId, competencyId: str(first.payload, 'competencyId'), competencyCode: str(first.payload, 'competencyCode'), status: null, rating: null, signedBy: null, countersignedBy: null, signedAt: null, submittedAt: null, updatedAt: first.at, reflectionSha256: null };
  for (const f of facts) {
    const status = str(f.payload, 'status');
    const kind = f.kind.replace(/^signoff\./, '');
    if (f.payload.reflectionSha256 !== undefined) {
      s.reflectionSha256 = str(f.payload, 'reflectionSha256');
      s.submittedAt = f.at;
    }
    if (kind === 'submit' || kind === 'resubmit') Object.assign(s, { rating: null, signedBy: null, signedAt: null });
    if (kind === 'sign_off') Object.assign(s, { rating: num(f.payload, 'rating'), signedBy: f.actorId, signedAt: status === 'signed' ? f.at : null });
    if (kind === 'countersign') Object.assign(s, { countersignedBy: f.actorId, signedAt: f.at });
    s.status = status;
    s.seq = f.seq;
    s.updatedAt = f.at;
  }
  return s;
}

type RequestRow = {
  id: string; cohort_id: string; candidate_id: string; competency_id: string; status: string; rating: number | null; signed_by: string | null; countersigned_by: string | null;
  signed_at: string | Date | null; submitted_at: string | Date; updated_at: string | Date; reflection_sha256: string; candidate_name: string; code: string;
};
type DecisionRow = { id: string; request_id: string; kind: string; actor_id: string; rating: number | null; note: string | null; ledger_seq: string | number | null; created_at: string | Date };
type EvidenceRow = { id: string; request_id: string; file_id: string | null; file_name: string | null; file_sha256: string | null; ref_type: string | null; ref_id: string | null; caption: string | null };

const date = (v: string | Date | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));
const cohortFilter = (scope: ProjectionScope, column: string) => (scope.cohortId ? sql`${sql.raw(column)} = ${scope.cohortId}::uuid` : sql`true`);

/** The projection checker for sign-off requests, their decisions and their evidence. */
export const signoffProjection = defineProjection({
  name: 'sign-offs',
  subjectTypes: ['signoff_request'],
  async check(db, facts, scope) {
    const [requests, decisions, evidence] = await Promise.all([
      query<RequestRow>(
        db,
        sql`select r.id, r.cohort_id, r.candidate_id, r.competency_id, r.status, r.rating, r.signed_by, r.countersigned_by, r.signed_at, r.submitted_at, r.updated_at,
              encode(sha256(convert_to(r.reflection, 'UTF8')), 'hex') as reflection_sha256, u.name as candidate_name, k.code
            from signoff_requests r join users u on u.id = r.candidate_id join competencies k on k.id = r.competency_id
            where ${cohortFilter(scope, 'r.cohort_id')} order by r.created_at, r.id`,
      ),
      query<DecisionRow>(
        db,
        sql`select d.id, d.request_id, d.kind, d.actor_id, d.rating, d.note, d.ledger_seq, d.created_at from signoff_decisions d join signoff_requests r on r.id = d.request_id
            where ${cohortFilter(scope, 'r.cohort_id')} order by d.ledger_seq nulls first, d.id`,
      ),
      query<EvidenceRow>(
        db,
        sql`select e.id, e.request_id, e.file_id, f.display_name as file_name, f.sha256 as file_sha256, e.ref_type, e.ref_id, e.caption
            from signoff_evidence e join signoff_requests r on r.id = e.request_id left join files f on f.id = e.file_id
            where ${cohortFilter(scope, 'r.cohort_id')} order by e.created_at, e.id`,
      ),
    ]);
    const total = requests.length + decisions.length + evidence.length;
    const found = (d: Disagreement) => ({ rows: total, disagreement: d });
    const subjects = bySubject(facts);
    const seen = new Set<string>();
    const about = (r: RequestRow) => `${r.candidate_name}'s sign-off of ${r.code}`;

    for (const r of requests) {
      const own = subjects.get(r.id);
      if (!own) return found({ table: 'signoff_requests', rowId: r.id, seq: null, about: about(r), problem: NO_ENTRY });
      seen.add(r.id);
      const e = foldRequest(own);
      const problem = firstDifference([
        ['status', r.status, e.status, STATUS_WORDS],
        ['rating', r.rating, e.rating],
        ['signer', r.signed_by, e.signedBy],
        ['countersigner', r.countersigned_by, e.countersignedBy],
        ['signing time', date(r.signed_at), e.signedAt],
        ['submission time', date(r.submitted_at), e.submittedAt],
        ['last change', date(r.updated_at), e.updatedAt],
        ['reflection (digest)', r.reflection_sha256, e.reflectionSha256],
        ['candidate', r.candidate_id, e.candidateId],
        ['cohort', r.cohort_id, e.cohortId],
        ['competency', r.competency_id, e.competencyId],
      ]);
      if (problem) return found({ table: 'signoff_requests', rowId: r.id, seq: e.seq, about: about(r), problem });
    }
    for (const [id, own] of subjects) {
      if (!seen.has(id)) return found({ table: 'signoff_requests', rowId: id, seq: own[0].seq, about: `the sign-off of ${str(own[0].payload, 'competencyCode') ?? 'a competency'}`, problem: missingRow(own[0].seq) });
    }

    const bySeq = new Map(facts.map((f) => [f.seq, f]));
    const decided = new Set<number>();
    const nameOf = new Map(requests.map((r) => [r.id, about(r)]));
    for (const d of decisions) {
      const seq = d.ledger_seq === null ? null : Number(d.ledger_seq);
      const f = seq === null ? undefined : bySeq.get(seq);
      const what = `a “${d.kind}” decision on ${nameOf.get(d.request_id) ?? 'a sign-off'}`;
      if (!f || f.subjectId !== d.request_id || decided.has(f.seq)) return found({ table: 'signoff_decisions', rowId: d.id, seq, about: what, problem: NO_ENTRY });
      decided.add(f.seq);
      const problem = firstDifference([
        ['kind', `signoff.${d.kind}`, f.kind],
        ['decider', d.actor_id, f.actorId],
        ['rating', d.rating, num(f.payload, 'rating')],
        ['note', d.note, str(f.payload, 'note')],
        ['time', date(d.created_at), f.at],
      ]);
      if (problem) return found({ table: 'signoff_decisions', rowId: d.id, seq: f.seq, about: what, problem });
    }
    for (const f of facts) {
      if (!decided.has(f.seq)) return found({ table: 'signoff_decisions', rowId: `for entry ${f.seq}`, seq: f.seq, about: `the “${f.kind.replace(/^signoff\./, '')}” step on ${nameOf.get(f.subjectId) ?? 'a sign-off'}`, problem: missingRow(f.seq) });
    }

    const recorded = new Map<string, { fact: EvidenceFact; seq: number; requestId: string }>();
    for (const f of facts) for (const e of (f.payload.evidence as EvidenceFact[] | undefined) ?? []) recorded.set(e.id, { fact: e, seq: f.seq, requestId: f.subjectId });
    for (const e of evidence) {
      const r = recorded.get(e.id);
      const what = `evidence on ${nameOf.get(e.request_id) ?? 'a sign-off'}`;
      if (!r) return found({ table: 'signoff_evidence', rowId: e.id, seq: null, about: what, problem: NO_ENTRY });
      const problem = firstDifference([
        ['request', e.request_id, r.requestId],
        ['file', e.file_id, r.fact.fileId],
        ['file name', e.file_name, r.fact.fileName],
        ['file contents (digest)', e.file_sha256, r.fact.fileSha256],
        ['reference type', e.ref_type, r.fact.refType],
        ['reference', e.ref_id, r.fact.refId],
        ['caption', e.caption, r.fact.caption],
      ]);
      if (problem) return found({ table: 'signoff_evidence', rowId: e.id, seq: r.seq, about: what, problem });
      recorded.delete(e.id);
    }
    for (const [id, r] of recorded) return found({ table: 'signoff_evidence', rowId: id, seq: r.seq, about: `evidence on ${nameOf.get(r.requestId) ?? 'a sign-off'}`, problem: missingRow(r.seq) });
    return { rows: total, disagreement: null };
  },
});
