/** Sign-off commands: request (or resubmit) and mentors' decisions — each one transaction, one ledger entry each. */
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import type { CohortRow } from '../cohorts/queries';
import type { Db } from '../db';
import { cohortMembers, signoffRequests, type DecisionKind, type SignoffStatus } from '../db/tables';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import { citeEvidence } from '../evidence/describe';
import { insertFileRows, storedFiles } from '../evidence/store';
import { cohortPeople } from '../cohorts/queries';
import { deliver, notify, type NewNotification } from '../notifications';
import { competencyInFramework, currentRequest, requestInCohort, type CompetencyWithScale } from './load';
import { fileEvidence, recordSignoffStep, refEvidence } from './ledger';
import { assertTransition, mayRequest, RESUBMITTABLE, type DecisionAction } from './rules';

/** A reference to evidence held elsewhere in Cadre, by its kind's key ('co-delivery:live-note', 'transfer-week:register'…). */
export type EvidenceRef = { refType: string; refId: string; caption?: string };

/** References under their kind's key (an older alias such as 'live_note' is stored as the key it stands for). */
function canonical(ctx: AppContext, refs: EvidenceRef[]): EvidenceRef[] {
  return refs.map((r) => ({ ...r, refType: ctx.registry.evidence.keyOf.get(r.refType) ?? r.refType }));
}

/** What a candidate sends with a request. */
export type SignoffRequestInput = {
  competencyId: string;
  reflection: string;
  references?: EvidenceRef[];
  files?: Express.Multer.File[];
};

/** Locks (candidate, competency) for the transaction, so two submissions cannot both create a request. */
async function lockPair(tx: Db, candidateId: string, competencyId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`signoff:${candidateId}:${competencyId}`}))`);
}

async function mentorIds(tx: Db, cohortId: string, except?: string): Promise<string[]> {
  const rows = await tx
    .select({ id: cohortMembers.userId })
    .from(cohortMembers)
    .where(and(eq(cohortMembers.cohortId, cohortId), eq(cohortMembers.role, 'mentor'), except ? ne(cohortMembers.userId, except) : undefined));
  return rows.map((r) => r.id);
}

/** A candidate asks for a competency to be signed off (or resubmits a declined / more-evidence request). */
export async function requestSignoff(ctx: AppContext, actor: Actor, cohort: CohortRow, candidateId: string, input: SignoffRequestInput) {
  const competency = await competencyInFramework(ctx.db, cohort.frameworkId, input.competencyId);
  const written = storedFiles(ctx.storage, input.files ?? []);
  const checked = written.items;
  const refs = canonical(ctx, input.references ?? []);
  try {
    // Evidence must exist and be on this candidate's record (their own, or a session of their cohort they took part in).
    await citeEvidence(ctx, { cohortId: cohort.id, candidateId, actorId: actor.id }, refs);
    const { request, rows, resubmitted } = await ctx.db.transaction(async (tx) => {
      await lockPair(tx, candidateId, competency.id);
      const current = await currentRequest(tx, cohort.id, candidateId, competency.id);
      if (current && !mayRequest(current.status)) {
        const why = { pending: 'is already waiting for a mentor', awaiting_countersign: 'is signed and waiting for a second mentor’s countersignature', signed: 'is already signed off' } as Record<string, string>;
        throw new ConflictError(`“${competency.name}” ${why[current.status]}, so there is nothing to request.`);
      }
      const resubmit = !!current && RESUBMITTABLE.includes(current.status);
      if (current?.status === 'more_evidence' && !checked.length && !refs.length) {
        throw new ValidationError('Your mentor asked for more evidence: attach at least one file or reference.', [{ field: 'files', message: 'attach at least one piece of new evidence' }]);
      }
      if (!resubmit && !checked.length && !refs.length) {
        throw new ValidationError('Add at least one piece of evidence — a file or a reference to a live note.', [{ field: 'files', message: 'attach at least one piece of evidence' }]);
      }
      const now = new Date();
      const [request] = resubmit
        ? await tx.update(signoffRequests).set({ reflection: input.reflection, status: 'pending', submittedAt: now, updatedAt: now, rating: null, signedBy: null, signedAt: null }).where(eq(signoffRequests.id, current!.id)).returning()
        : await tx.insert(signoffRequests).values({ cohortId: cohort.id, candidateId, competencyId: competency.id, reflection: input.reflection, status: 'pending', submittedAt: now, createdAt: now, updatedAt: now }).returning();
      const fileRows = await insertFileRows(tx, actor.id, written);
      const evidence = [...fileRows.map((f) => fileEvidence(f)), ...refs.map((r) => refEvidence(r.refType, r.refId, r.caption))];
      await recordSignoffStep(tx, request, resubmit ? 'resubmit' : 'submit', actor.id, { status: 'pending', competencyCode: competency.code, reflection: input.reflection, evidence, at: now });
      const mentors = await mentorIds(tx, cohort.id, actor.id);
      const rows = await notify(
        tx,
        mentors.map((userId) => ({
          userId,
          kind: 'signoff.requested',
          title: `${actor.name} ${resubmit ? 'resubmitted' : 'asked for'} a sign-off: ${competency.name}`,
          body: `${actor.name} ${resubmit ? 'resubmitted' : 'requested'} sign-off of “${competency.name}” with ${evidence.length} new piece${evidence.length === 1 ? '' : 's'} of evidence.`,
          link: `/cohorts/${cohort.id}/signoffs#request-${request.id}`,
        })),
      );
      return { request, rows, resubmitted: resubmit };
    });
    written.claim(); // the rows are committed: the files stay
    await deliver(ctx, rows);
    return { request, resubmitted };
  } catch (err) {
    await written.discard();
    throw err;
  }
}

/** A mentor's decision: what to do, with a rating (sign-off) or a note (required to decline, ask or revoke). */
export type DecisionInput = { action: DecisionAction; rating?: number; note?: string };


function checkDecisionInput(input: DecisionInput, competency: CompetencyWithScale) {
  const scale = competency.ratingScale;
  if (input.action === 'sign_off') {
    if (input.rating === undefined) throw new ValidationError('Choose a rating to sign off.', [{ field: 'rating', message: 'is required to sign off' }]);
    if (input.rating < scale.competentFrom || input.rating >= scale.levels.length) {
      throw new ValidationError(`A sign-off needs a rating of ${scale.levels[scale.competentFrom]} or above. To say “not yet”, decline with feedback instead.`, [
        { field: 'rating', message: `must be ${scale.levels.slice(scale.competentFrom).join(', ')}` },
      ]);
    }
  }
  const needsNote = { decline: 'feedback so the candidate knows what to do next', more_evidence: 'what evidence is missing', revoke: 'the reason for revoking' } as Partial<Record<DecisionAction, string>>;
  const need = needsNote[input.action];
  if (need && !input.note) throw new ValidationError(`Write ${need}.`, [{ field: 'note', message: `is required: ${need}` }]);
}

/** Applies a mentor's decision to a request (sign off, decline, more evidence, countersign, revoke). The route has
 * authorised it (`decisionGrant`) and loaded `found`. */
export async function decideSignoff(ctx: AppContext, actor: Actor, cohort: CohortRow, found: { id: string; candidateId: string; competencyId: string }, input: DecisionInput) {
  const requestId = found.id;
  const competency = await competencyInFramework(ctx.db, cohort.frameworkId, found.competencyId);
  checkDecisionInput(input, competency);
  const { request, rows } = await ctx.db.transaction(async (tx) => {
    const current = await requestInCohort(tx, cohort.id, requestId, true);
    assertTransition(input.action, current.status, competency.name, competency.safetyCritical);
    const now = new Date();
    let patch: Partial<typeof signoffRequests.$inferInsert>;
    let kind: DecisionKind = input.action;
    switch (input.action) {
      case 'sign_off':
        patch = competency.safetyCritical
          ? { status: 'awaiting_countersign', rating: input.rating, signedBy: actor.id }
          : { status: 'signed', rating: input.rating, signedBy: actor.id, signedAt: now };
        kind = 'sign_off';
        break;
      case 'countersign':
        if (current.signedBy === actor.id) throw new ForbiddenError('You signed this off yourself, so a different mentor must countersign it.');
        patch = { status: 'signed', countersignedBy: actor.id, signedAt: now };
        break;
      case 'decline':
        patch = { status: 'declined' };
        break;
      case 'more_evidence':
        patch = { status: 'more_evidence' };
        break;
      case 'revoke':
        patch = { status: 'revoked' };
        break;
    }
    const [request] = await tx.update(signoffRequests).set({ ...patch, updatedAt: now }).where(eq(signoffRequests.id, current.id)).returning();
    await recordSignoffStep(tx, request, kind, actor.id, { rating: input.action === 'sign_off' ? input.rating : null, note: input.note ?? null, status: request.status, competencyCode: competency.code, at: now });
    const link = `/cohorts/${cohort.id}/candidates/${request.candidateId}/competencies#competency-${competency.id}`;
    const words: Record<DecisionAction, string> = {
      sign_off: request.status === 'signed' ? `${actor.name} signed off “${competency.name}”.` : `${actor.name} signed off “${competency.name}”. As it is safety-critical, a second mentor will countersign it before it counts.`,
      countersign: `${actor.name} countersigned “${competency.name}”. It now counts as signed.`,
      decline: `${actor.name} declined “${competency.name}” for now: ${input.note ?? ''} You can resubmit when ready.`,
      more_evidence: `${actor.name} asked for more evidence for “${competency.name}”: ${input.note ?? ''}`,
      revoke: `${actor.name} revoked the sign-off of “${competency.name}”: ${input.note ?? ''}`,
    };
    const items: NewNotification[] = [{ userId: request.candidateId, kind: `signoff.${input.action}`, title: words[input.action].split('. ')[0].replace(/\.$/, ''), body: words[input.action], link }];
    if (request.status === 'awaiting_countersign') {
      for (const userId of await mentorIds(tx, cohort.id, actor.id)) {
        if (userId === request.candidateId) continue;
        items.push({ userId, kind: 'signoff.countersign_needed', title: `Countersignature needed: ${competency.name}`, body: `${actor.name} signed off a safety-critical competency; a second mentor must countersign it.`, link: `/cohorts/${cohort.id}/signoffs#request-${request.id}` });
      }
    }
    return { request, rows: await notify(tx, items) };
  });
  await deliver(ctx, rows);
  return request;
}

/** A bulk sign-off: one competency for several candidates after a session, each its own request and decision. */
export type BulkInput = { competencyId: string; candidateIds: string[]; evidence: { refType: string; refId: string }[]; rating: number; note?: string };

/** Signs one competency for several candidates in one transaction; returns who was signed and who was skipped. */
export async function bulkSignoff(ctx: AppContext, actor: Actor, cohort: CohortRow, input: BulkInput) {
  const competency = await competencyInFramework(ctx.db, cohort.frameworkId, input.competencyId);
  checkDecisionInput({ action: 'sign_off', rating: input.rating }, competency);
  if (input.candidateIds.includes(actor.id)) throw new ForbiddenError('You cannot sign off your own competency; another mentor must.');
  const members = await ctx.db.select({ id: cohortMembers.userId }).from(cohortMembers).where(and(eq(cohortMembers.cohortId, cohort.id), eq(cohortMembers.role, 'candidate')));
  const known = new Set(members.map((m) => m.id));
  const strangers = input.candidateIds.filter((id) => !known.has(id));
  if (strangers.length) throw new ValidationError(`${strangers.length} of the people chosen ${strangers.length === 1 ? 'is not a candidate' : 'are not candidates'} of this cohort.`, [{ field: 'candidateIds', message: 'must be candidates of this cohort' }]);
  const status: SignoffStatus = competency.safetyCritical ? 'awaiting_countersign' : 'signed';
  const refs = canonical(ctx, input.evidence);
  const names = new Map((await cohortPeople(ctx.db, cohort.id, 'candidate')).map((p) => [p.userId, p.name]));
  // The session or register it rests on must be on every chosen candidate's record.
  for (const candidateId of new Set(input.candidateIds)) await citeEvidence(ctx, { cohortId: cohort.id, candidateId, actorId: actor.id }, refs, 'evidence', names.get(candidateId));
  const result = await ctx.db.transaction(async (tx) => {
    const signed: { candidateId: string; requestId: string; status: SignoffStatus }[] = [];
    const skipped: { candidateId: string; reason: string }[] = [];
    const items: NewNotification[] = [];
    for (const candidateId of [...new Set(input.candidateIds)]) {
      await lockPair(tx, candidateId, competency.id);
      const current = await currentRequest(tx, cohort.id, candidateId, competency.id);
      if (current && (current.status === 'signed' || current.status === 'awaiting_countersign')) {
        skipped.push({ candidateId, reason: current.status === 'signed' ? 'already signed off' : 'already signed, waiting for a countersignature' });
        continue;
      }
      const now = new Date();
      const patch = { status, rating: input.rating, signedBy: actor.id, signedAt: status === 'signed' ? now : null, updatedAt: now };
      const [request] =
        current && (current.status === 'pending' || current.status === 'more_evidence')
          ? await tx.update(signoffRequests).set(patch).where(eq(signoffRequests.id, current.id)).returning()
          : await tx.insert(signoffRequests).values({ cohortId: cohort.id, candidateId, competencyId: competency.id, reflection: '', ...patch, submittedAt: now, createdAt: now }).returning();
      const created = request.id !== current?.id;
      const evidence = refs.map((r) => refEvidence(r.refType, r.refId));
      await recordSignoffStep(tx, request, 'sign_off', actor.id, { rating: input.rating, note: input.note ?? null, status, competencyCode: competency.code, bulk: true, evidence, at: now, ...(created ? { reflection: '' } : {}) });
      signed.push({ candidateId, requestId: request.id, status });
      items.push({ userId: candidateId, kind: 'signoff.sign_off', title: `${actor.name} signed off “${competency.name}”`, body: `${actor.name} signed off “${competency.name}” after a session${status === 'awaiting_countersign' ? '; a second mentor will countersign it before it counts' : ''}.`, link: `/cohorts/${cohort.id}/candidates/${candidateId}/competencies#competency-${competency.id}` });
    }
    return { signed, skipped, rows: await notify(tx, items) };
  });
  await deliver(ctx, result.rows);
  return { signed: result.signed, skipped: result.skipped };
}
