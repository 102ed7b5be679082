/** Competency frameworks as a tree, and one candidate's competency map within their cohort. */
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import type { EvidenceKinds } from '../evidence/kinds';
import { competencies, competencyAreas, competencyFrameworks, users } from '../db/tables';
import { NotFoundError } from '../errors';
import { candidateRequests, decisionsFor, evidenceFor } from '../signoffs/queries';
import { mayRequest, mayTake, STATUS_WORDS } from '../signoffs/rules';

/** A framework with its areas and their competencies, in order. */
export async function frameworkTree(db: Db, frameworkId: string) {
  const [framework] = await db.select().from(competencyFrameworks).where(eq(competencyFrameworks.id, frameworkId));
  if (!framework) throw new NotFoundError('That competency framework');
  const [areas, comps] = await Promise.all([
    db.select().from(competencyAreas).where(eq(competencyAreas.frameworkId, frameworkId)).orderBy(asc(competencyAreas.position)),
    db.select().from(competencies).where(eq(competencies.frameworkId, frameworkId)).orderBy(asc(competencies.position)),
  ]);
  return { ...framework, areas: areas.map((a) => ({ ...a, competencies: comps.filter((c) => c.areaId === a.id) })) };
}

/** Every framework, newest first. */
export async function listFrameworks(db: Db) {
  return db.select().from(competencyFrameworks).orderBy(asc(competencyFrameworks.name));
}

/** A candidate's map: each area's competencies with the current request, its status in words, evidence and history. */
export async function competencyMap(ctx: { db: Db; registry: { evidence: EvidenceKinds } }, cohort: { id: string; frameworkId: string | null }, candidateId: string) {
  const db = ctx.db;
  if (!cohort.frameworkId) return null;
  const tree = await frameworkTree(db, cohort.frameworkId);
  const requests = await candidateRequests(db, cohort.id, candidateId);
  const current = new Map<string, (typeof requests)[number]>();
  for (const r of requests) if (!current.has(r.competencyId)) current.set(r.competencyId, r);
  const ids = [...current.values()].map((r) => r.id);
  const [evidence, decisions] = await Promise.all([evidenceFor(ctx, ids), decisionsFor(db, ids)]);
  const people = new Set([...current.values()].flatMap((r) => [r.signedBy, r.countersignedBy]).filter((x): x is string => !!x));
  const names = people.size ? new Map((await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, [...people]))).map((u) => [u.id, u.name])) : new Map<string, string>();
  let signed = 0;
  let total = 0;
  const areas = tree.areas.map((area) => ({
    id: area.id,
    name: area.name,
    description: area.description,
    competencies: area.competencies.map((c) => {
      const r = current.get(c.id);
      const status = r?.status ?? 'not_started';
      total += 1;
      if (status === 'signed') signed += 1;
      const history = r ? (decisions.get(r.id) ?? []) : [];
      const lastFeedback = [...history].reverse().find((d) => ['decline', 'more_evidence', 'revoke'].includes(d.kind) && d.note);
      return {
        id: c.id,
        code: c.code,
        name: c.name,
        description: c.description,
        safetyCritical: c.safetyCritical,
        status,
        statusWords: STATUS_WORDS[status],
        request: r
          ? {
              id: r.id,
              reflection: r.reflection,
              submittedAt: r.submittedAt,
              rating: r.rating,
              ratingLabel: r.rating !== null ? (tree.ratingScale.levels[r.rating] ?? null) : null,
              signedBy: r.signedBy ? { id: r.signedBy, name: names.get(r.signedBy) ?? '' } : null,
              countersignedBy: r.countersignedBy ? { id: r.countersignedBy, name: names.get(r.countersignedBy) ?? '' } : null,
              signedAt: r.signedAt,
              evidence: evidence.get(r.id) ?? [],
              decisions: history,
              feedback: lastFeedback?.note ?? null,
            }
          : null,
        canRequest: mayRequest(status),
        // Revoking is the mentor's; the page also asks the viewer's `can.mentor`.
        canRevoke: status !== 'not_started' && mayTake('revoke', status),
      };
    }),
  }));
  return { framework: { id: tree.id, name: tree.name, ratingScale: tree.ratingScale }, areas, summary: { signed, total } };
}
