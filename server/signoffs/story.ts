/** Writes a sign-off's whole story at once (demo seeds, test worlds): the request, then each step through the ledger,
 * with the row set from the entries themselves — so seeded records verify exactly like recorded ones. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { signoffRequests, type DecisionKind, type SignoffStatus } from '../db/tables';
import { factOf } from '../ledger/projections';
import { foldRequest, recordSignoffStep, type EvidenceFact } from './ledger';

/** One step after the submission, with when it happened. */
export type StoryStep = { kind: Exclude<DecisionKind, 'submit'>; by: string; rating?: number | null; note?: string | null; reflection?: string; evidence?: EvidenceFact[]; at: Date };

/** A sign-off's story: who asked for which competency, when, with what; then what mentors decided. */
export type SignoffStory = {
  cohortId: string;
  candidateId: string;
  competency: { id: string; code: string; safetyCritical: boolean };
  reflection: string;
  submittedAt: Date;
  evidence?: EvidenceFact[];
  steps: StoryStep[];
};

const after: Record<StoryStep['kind'], (safetyCritical: boolean) => SignoffStatus> = {
  resubmit: () => 'pending',
  sign_off: (sc) => (sc ? 'awaiting_countersign' : 'signed'),
  countersign: () => 'signed',
  decline: () => 'declined',
  more_evidence: () => 'more_evidence',
  revoke: () => 'revoked',
};

/** Writes the story inside `tx`; returns the request as its row now stands. */
export async function writeSignoffStory(tx: Db, story: SignoffStory) {
  const id = randomUUID();
  const { cohortId, candidateId, competency } = story;
  const ref = { id, cohortId, candidateId, competencyId: competency.id };
  await tx.insert(signoffRequests).values({ id, cohortId, candidateId, competencyId: competency.id, reflection: story.reflection, status: 'pending', submittedAt: story.submittedAt, createdAt: story.submittedAt, updatedAt: story.submittedAt });
  const entries = [await recordSignoffStep(tx, ref, 'submit', candidateId, { status: 'pending', competencyCode: competency.code, reflection: story.reflection, evidence: story.evidence, at: story.submittedAt })];
  let reflection = story.reflection;
  for (const step of story.steps) {
    if (step.reflection !== undefined) reflection = step.reflection;
    const status = after[step.kind](competency.safetyCritical);
    const rating = step.kind === 'sign_off' ? (step.rating ?? null) : null;
    entries.push(await recordSignoffStep(tx, ref, step.kind, step.by, { status, competencyCode: competency.code, rating, note: step.note ?? null, at: step.at, ...(step.kind === 'resubmit' ? { reflection, evidence: step.evidence } : {}) }));
  }
  const s = foldRequest(entries.map(factOf));
  const [row] = await tx
    .update(signoffRequests)
    .set({ reflection, status: s.status as SignoffStatus, rating: s.rating, signedBy: s.signedBy, countersignedBy: s.countersignedBy, signedAt: s.signedAt, submittedAt: s.submittedAt ?? story.submittedAt, updatedAt: s.updatedAt })
    .where(eq(signoffRequests.id, id))
    .returning();
  return row;
}
