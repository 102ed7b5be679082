/** Rubric commands: an admin creates a rubric; mentors and candidates record assessments (never overwritten). */
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import { getCohort, type CohortRow } from '../cohorts/queries';
import { grant } from '../http/router';
import type { Db } from '../db';
import { audit } from '../audit';
import { assessments, assessmentScores, cohortStages, rubricCriteria, rubricDescriptors, rubricLevels, rubrics } from '../db/tables';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import { deliver, notify } from '../notifications';
import type { RubricGrid } from './queries';
import type { AssessmentInput, RubricInput } from './schemas';
import { scoreAssessment } from './score';

/** Writes a rubric row (at `version` of `key`) with its levels, criteria and descriptors inside `tx`. */
async function insertRubric(tx: Db, key: string | null, version: number, input: RubricInput) {
  const [rubric] = await tx.insert(rubrics).values({ key, version, name: input.name, description: input.description || null, passThreshold: input.passThreshold }).returning();
  const levels = await tx.insert(rubricLevels).values(input.levels.map((l, position) => ({ rubricId: rubric.id, position, label: l.label, points: l.points }))).returning();
  levels.sort((a, b) => a.position - b.position);
  const criteria = await tx
    .insert(rubricCriteria)
    .values(input.criteria.map((c, position) => ({ rubricId: rubric.id, position, title: c.title, description: c.description || null, weight: c.weight, mustPass: c.mustPass, passLevel: c.passLevel })))
    .returning();
  criteria.sort((a, b) => a.position - b.position);
  const descriptors = criteria.flatMap((c, i) => levels.map((l, j) => ({ criterionId: c.id, levelId: l.id, text: input.criteria[i].descriptors[j] || '' })));
  if (descriptors.length) await tx.insert(rubricDescriptors).values(descriptors);
  return { rubric, criteria: criteria.length, levels: levels.length };
}

/** Creates a rubric with its levels, criteria and descriptors in one transaction (admins only; checked by the route). */
export async function createRubric(db: Db, actorId: string | null, input: RubricInput) {
  return db.transaction(async (tx) => {
    if (input.key) {
      const [taken] = await tx.select({ id: rubrics.id }).from(rubrics).where(eq(rubrics.key, input.key));
      if (taken) throw new ConflictError(`A rubric with the key “${input.key}” already exists; choose another key.`);
    }
    const { rubric, criteria, levels } = await insertRubric(tx, input.key ?? null, 1, input);
    await audit(tx, { actorId, action: 'rubric.created', subjectType: 'rubric', subjectId: rubric.id, after: { key: rubric.key, name: rubric.name, passThreshold: rubric.passThreshold, criteria, levels } });
    return rubric;
  });
}

/** Saves an edit as the rubric's next version (same key) and marks `previous` superseded, in one transaction:
 * assessments already made keep the version they were scored against; new ones use the new version. */
export async function publishRubricVersion(db: Db, actorId: string, previous: RubricGrid, input: RubricInput) {
  return db.transaction(async (tx) => {
    const [current] = await tx.select({ supersededAt: rubrics.supersededAt, archivedAt: rubrics.archivedAt }).from(rubrics).where(eq(rubrics.id, previous.id)).for('update');
    if (!current || current.supersededAt) throw new ConflictError(`“${previous.name}” was changed by someone else meanwhile; open the latest version and make your change there.`);
    if (current.archivedAt) throw new ConflictError(`“${previous.name}” has been retired and cannot be edited.`);
    const { rubric, criteria, levels } = await insertRubric(tx, previous.key, previous.version + 1, input);
    await tx.update(rubrics).set({ supersededAt: new Date() }).where(eq(rubrics.id, previous.id));
    await audit(tx, {
      actorId,
      action: 'rubric.version_published',
      subjectType: 'rubric',
      subjectId: rubric.id,
      before: { id: previous.id, version: previous.version, passThreshold: previous.passThreshold, criteria: previous.criteria.length },
      after: { key: rubric.key, version: rubric.version, name: rubric.name, passThreshold: rubric.passThreshold, criteria, levels },
    });
    return rubric;
  });
}

/** Records an assessment: a mentor of the cohort (kind mentor or shadow) or the candidate themself (kind self).
 * The route authorised it (`assessmentGrant`); here are the rules about which kind each may record. */
export async function recordAssessment(ctx: AppContext, actor: Actor, cohort: CohortRow, candidateId: string, rubric: RubricGrid, input: AssessmentInput) {
  let kind = input.kind;
  if (actor.id === candidateId) {
    if (kind && kind !== 'self') throw new ForbiddenError('You can assess yourself only as a self-assessment; a mentor records the mentor assessment.');
    kind = 'self';
  } else {
    if (kind === 'self') throw new ForbiddenError('Only the candidate can record a self-assessment.');
    kind ??= 'mentor';
  }
  if (rubric.archivedAt) throw new ConflictError(`“${rubric.name}” has been retired and cannot be used for new assessments.`);
  const unknown = Object.keys(input.levels).filter((k) => !rubric.criteria.some((c) => c.id === k));
  if (unknown.length) throw new ValidationError('Some scores are for criteria this rubric does not have.', unknown.map((k) => ({ field: `levels.${k}`, message: 'not a criterion of this rubric' })));
  const score = scoreAssessment(rubric, input.levels);
  if (input.cohortStageId) {
    const [stage] = await ctx.db.select({ id: cohortStages.id }).from(cohortStages).where(and(eq(cohortStages.id, input.cohortStageId), eq(cohortStages.cohortId, cohort.id)));
    if (!stage) throw new ValidationError('That stage is not part of this cohort.', [{ field: 'cohortStageId', message: 'must be a stage of this cohort' }]);
  }
  const finalKind = kind;
  const { assessment, rows } = await ctx.db.transaction(async (tx) => {
    const [assessment] = await tx
      .insert(assessments)
      .values({ rubricId: rubric.id, cohortId: cohort.id, candidateId, assessorId: actor.id, kind: finalKind, contextType: input.contextType, contextId: input.contextId, cohortStageId: input.cohortStageId ?? null, comment: input.comment || null, percent: score.percent, passed: score.passed, mustPassFailed: score.mustPassFailed })
      .returning();
    await tx.insert(assessmentScores).values(rubric.criteria.map((c) => ({ assessmentId: assessment.id, criterionId: c.id, levelPosition: input.levels[c.id], comment: input.comments?.[c.id] || null })));
    await audit(tx, { actorId: actor.id, action: 'assessment.recorded', subjectType: 'assessment', subjectId: assessment.id, after: { rubricId: rubric.id, candidateId, kind: finalKind, percent: score.percent, passed: score.passed } });
    const rows =
      finalKind === 'self'
        ? []
        : await notify(tx, [
            {
              userId: candidateId,
              kind: 'assessment.recorded',
              title: `${actor.name} assessed you: ${rubric.name}`,
              body: `${actor.name} scored you ${score.percent}% against “${rubric.name}” (pass mark ${rubric.passThreshold}%)${score.mustPassFailed ? '; an essential criterion is not yet met' : ''}.`,
              link: `/cohorts/${cohort.id}/candidates/${candidateId}/assessments#assessment-${assessment.id}`,
            },
          ]);
    return { assessment, rows };
  });
  await deliver(ctx, rows);
  return { assessment, score };
}

/** The route's authorisation of an assessment of `:userId`: the candidate themself (self), else a mentor. */
export async function assessmentGrant(db: Db, actor: Actor | undefined, params: { cohortId: string; userId: string }) {
  const cohort = await getCohort(db, params.cohortId);
  return grant(actor?.id === params.userId ? 'candidate:act-as-self' : 'candidate:mentor', { type: 'candidate' as const, cohort, candidateId: params.userId }, 'That candidate');
}
