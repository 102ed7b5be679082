/** Eligibility commands: the candidate records evidence for a requirement, a mentor confirms or returns it, an admin
 * turns the cohort's requirement on or off. Each write is one transaction with its ledger entry or audit event. */
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { audit } from '../audit';
import type { CohortRow } from '../cohorts/queries';
import { cohortPeople } from '../cohorts/queries';
import type { AppContext } from '../context';
import type { EligibilityRequirement } from '../db/schema/register';
import { cohortStages, eligibilityRecords } from '../db/tables';
import { insertFileRows, storedFiles } from '../evidence/store';
import { ConflictError, NotFoundError } from '../errors';
import { invalid } from '../http/validate';
import { deliver, notify } from '../notifications';
import { londonDate } from '../progression/kinds/answers';
import { ledgerEligibility } from './ledger';
import { ELIGIBILITY_KIND, firstStage, requiresEligibility } from './queries';
import { mayDecideEligibility, requirementInfo, yearsSince } from './rules';
import type { DecisionInput, EvidenceInput } from './schemas';

/** Records (or replaces) the candidate's evidence for one requirement; it waits for a mentor again. */
export async function submitEligibility(ctx: AppContext, actor: Actor, cohort: CohortRow, requirement: EligibilityRequirement, input: EvidenceInput, uploaded: Express.Multer.File[]) {
  const info = requirementInfo(requirement);
  const now = new Date();
  const today = londonDate(now);
  const problems: { field: string; message: string }[] = [];
  if (info.dated === 'sinceOn') {
    if (!input.sinceOn) problems.push({ field: 'sinceOn', message: 'Enter the date you started working in a support or care role.' });
    else if (yearsSince(input.sinceOn, today).months < 24) problems.push({ field: 'sinceOn', message: `The programme asks for at least two years' continuous work in a support or care role; from this start date you have ${yearsSince(input.sinceOn, today).words}.` });
  }
  if (info.dated === 'expiresOn') {
    if (!input.expiresOn) problems.push({ field: 'expiresOn', message: 'Enter the date your first aid certificate expires.' });
    else if (input.expiresOn < today) problems.push({ field: 'expiresOn', message: 'This first aid certificate has expired: record a current one.' });
  }
  const written = storedFiles(ctx.storage, uploaded);
  if (written.items.length > 1) problems.push({ field: 'files', message: 'Attach one file (or describe the document instead).' });
  if (!written.items.length && !input.document) problems.push({ field: 'document', message: 'Attach the document or describe it (for example “original certificate seen by my manager”).' });
  if (problems.length) throw invalid(problems);
  try {
    const { row, rows } = await ctx.db.transaction(async (tx) => {
      const [file] = await insertFileRows(tx, actor.id, written);
      const values = {
        cohortId: cohort.id,
        candidateId: actor.id,
        requirement,
        description: input.description,
        sinceOn: info.dated === 'sinceOn' ? (input.sinceOn ?? null) : null,
        expiresOn: info.dated === 'expiresOn' ? (input.expiresOn ?? null) : null,
        fileId: file?.id ?? null,
        document: file ? null : (input.document ?? null),
        status: 'submitted' as const,
        submittedAt: now,
        decidedBy: null,
        decidedAt: null,
        returnReason: null,
      };
      const [saved] = await tx
        .insert(eligibilityRecords)
        .values(values)
        .onConflictDoUpdate({ target: [eligibilityRecords.cohortId, eligibilityRecords.candidateId, eligibilityRecords.requirement], set: values })
        .returning();
      const seq = await ledgerEligibility(tx, { recordId: saved.id, cohortId: cohort.id, candidateId: actor.id, actorId: actor.id, requirement, status: 'submitted', description: saved.description, sinceOn: saved.sinceOn, expiresOn: saved.expiresOn, fileId: saved.fileId, document: saved.document, reason: null, at: now });
      const [row] = await tx.update(eligibilityRecords).set({ ledgerSeq: seq }).where(eq(eligibilityRecords.id, saved.id)).returning();
      const mentors = await cohortPeople(tx, cohort.id, 'mentor');
      const rows = await notify(
        tx,
        mentors.filter((m) => m.userId !== actor.id).map((m) => ({ userId: m.userId, kind: 'eligibility.submitted', title: `${actor.name} recorded ${info.yours.replace('your ', 'their ')}`, body: 'Check the evidence and confirm it or return it with a reason.', link: `/cohorts/${cohort.id}/candidates/${actor.id}/eligibility` })),
      );
      return { row, rows };
    });
    written.claim();
    await deliver(ctx, rows);
    return row;
  } catch (err) {
    await written.discard();
    throw err;
  }
}

/** A mentor confirms a record, or returns it with a reason (never their own: the route's grant refuses that). */
export async function decideEligibility(ctx: AppContext, actor: Actor, cohort: CohortRow, candidateId: string, requirement: EligibilityRequirement, input: DecisionInput) {
  const info = requirementInfo(requirement);
  const now = new Date();
  if (input.decision === 'return' && !input.reason) throw invalid([{ field: 'reason', message: 'Say why you are returning it, so the candidate knows what to change.' }]);
  const { row, rows } = await ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(eligibilityRecords).where(and(eq(eligibilityRecords.cohortId, cohort.id), eq(eligibilityRecords.candidateId, candidateId), eq(eligibilityRecords.requirement, requirement))).for('update');
    if (!current) throw new NotFoundError('That evidence');
    if (!mayDecideEligibility(current.status)) throw new ConflictError(current.status === 'confirmed' ? 'This evidence is already confirmed.' : 'This evidence was returned; the candidate will send it again.');
    const status = input.decision === 'confirm' ? ('confirmed' as const) : ('returned' as const);
    const reason = input.decision === 'return' ? (input.reason ?? null) : null;
    const seq = await ledgerEligibility(tx, { recordId: current.id, cohortId: cohort.id, candidateId, actorId: actor.id, requirement, status, description: current.description, sinceOn: current.sinceOn, expiresOn: current.expiresOn, fileId: current.fileId, document: current.document, reason, at: now });
    const [row] = await tx.update(eligibilityRecords).set({ status, decidedBy: actor.id, decidedAt: now, returnReason: reason, ledgerSeq: seq }).where(eq(eligibilityRecords.id, current.id)).returning();
    const rows = await notify(tx, [
      status === 'confirmed'
        ? { userId: candidateId, kind: 'eligibility.confirmed', title: `${actor.name} confirmed ${info.yours}`, link: `/cohorts/${cohort.id}/candidates/${candidateId}/eligibility` }
        : { userId: candidateId, kind: 'eligibility.returned', title: `${actor.name} returned ${info.yours}`, body: reason ?? undefined, link: `/cohorts/${cohort.id}/candidates/${candidateId}/eligibility` },
    ]);
    return { row, rows };
  });
  await deliver(ctx, rows);
  return row;
}

/** Turns on (or off) "requires eligibility evidence before the first stage opens": the first stage's opening rule
 * carries (or loses) the eligibility requirement. Appended last, so existing requirements keep their positions. */
export async function setEligibilityRequired(ctx: AppContext, actor: Actor, cohort: CohortRow, required: boolean): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const stage = await firstStage(tx, cohort.id);
    if (!stage) throw invalid([{ field: 'required', message: 'This cohort has no stages yet, so there is no first stage to hold back.' }]);
    if (requiresEligibility(stage) === required) return;
    const openRequirements = required ? [...stage.openRequirements, { kind: ELIGIBILITY_KIND, params: {} }] : stage.openRequirements.filter((r) => r.kind !== ELIGIBILITY_KIND);
    await tx.update(cohortStages).set({ openRequirements }).where(eq(cohortStages.id, stage.id));
    await audit(tx, { actorId: actor.id, action: required ? 'cohort.eligibility_required' : 'cohort.eligibility_not_required', subjectType: 'cohort', subjectId: cohort.id, before: stage.openRequirements, after: openRequirements });
  });
}
