/** Reads for co-delivery: sessions, outcomes, groups with learners, attainment grids and assessor agreement. */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { cohortPeople, cohortStages, users, type Db, type Evaluation, type StageRow } from '../../server/modules/kit';
import { coDeliveryAttainment, coDeliveryGroups, coDeliveryLearners, coDeliveryOutcomes, coDeliverySessions } from './schema';
import { attainmentRecordedKind } from './kinds';
import { levelLabel } from './catalogue';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One co-delivery session with the cohort it belongs to, or null (for the live feedback rooms). */
export async function getCoDeliverySession(db: Db, id: string) {
  if (!UUID.test(id)) return null;
  const [row] = await db
    .select({
      id: coDeliverySessions.id,
      cohortStageId: coDeliverySessions.cohortStageId,
      cohortId: cohortStages.cohortId,
      title: coDeliverySessions.title,
      startsAt: coDeliverySessions.startsAt,
      endsAt: coDeliverySessions.endsAt,
      location: coDeliverySessions.location,
    })
    .from(coDeliverySessions)
    .innerJoin(cohortStages, eq(cohortStages.id, coDeliverySessions.cohortStageId))
    .where(eq(coDeliverySessions.id, id));
  return row ?? null;
}

/** The course's sessions in time order. */
export async function listSessions(db: Db, stageId: string) {
  return db.select().from(coDeliverySessions).where(eq(coDeliverySessions.cohortStageId, stageId)).orderBy(asc(coDeliverySessions.startsAt));
}

/** The course's learning outcomes in order. */
export async function listOutcomes(db: Db, stageId: string) {
  return db.select().from(coDeliveryOutcomes).where(eq(coDeliveryOutcomes.cohortStageId, stageId)).orderBy(asc(coDeliveryOutcomes.position));
}

/** Groups (optionally only those one candidate leads) with their leader's name and learners. */
export async function listGroups(db: Db, stageId: string, candidateId?: string) {
  const groups = await db
    .select({ id: coDeliveryGroups.id, name: coDeliveryGroups.name, candidateId: coDeliveryGroups.candidateId, candidateName: users.name, sessionId: coDeliveryGroups.sessionId })
    .from(coDeliveryGroups)
    .innerJoin(users, eq(users.id, coDeliveryGroups.candidateId))
    .where(candidateId ? and(eq(coDeliveryGroups.cohortStageId, stageId), eq(coDeliveryGroups.candidateId, candidateId)) : eq(coDeliveryGroups.cohortStageId, stageId))
    .orderBy(asc(coDeliveryGroups.name));
  const learners = groups.length
    ? await db.select().from(coDeliveryLearners).where(inArray(coDeliveryLearners.groupId, groups.map((g) => g.id))).orderBy(asc(coDeliveryLearners.label))
    : [];
  return groups.map((g) => ({ ...g, learners: learners.filter((l) => l.groupId === g.id) }));
}

/** Every attainment judgement on learners of the stage (optionally of some groups). */
async function judgements(db: Db, stageId: string, groupIds?: string[]) {
  return db
    .select({
      learnerId: coDeliveryAttainment.learnerId,
      outcomeId: coDeliveryAttainment.outcomeId,
      recorderId: coDeliveryAttainment.recorderId,
      role: coDeliveryAttainment.role,
      level: coDeliveryAttainment.level,
      recordedAt: coDeliveryAttainment.recordedAt,
      groupId: coDeliveryLearners.groupId,
      leaderId: coDeliveryGroups.candidateId,
    })
    .from(coDeliveryAttainment)
    .innerJoin(coDeliveryLearners, eq(coDeliveryLearners.id, coDeliveryAttainment.learnerId))
    .innerJoin(coDeliveryGroups, eq(coDeliveryGroups.id, coDeliveryLearners.groupId))
    .where(groupIds ? and(eq(coDeliveryGroups.cohortStageId, stageId), inArray(coDeliveryGroups.id, groupIds)) : eq(coDeliveryGroups.cohortStageId, stageId))
    .orderBy(asc(coDeliveryAttainment.recordedAt));
}

/** A group's grid: per learner × outcome, the leader's level and the latest mentor shadow level. */
export async function attainmentGrid(db: Db, stageId: string, groupId: string) {
  const rows = await judgements(db, stageId, [groupId]);
  const candidate = new Map<string, string>();
  const mentor = new Map<string, { level: string; recorderId: string }>();
  for (const r of rows) {
    const key = `${r.learnerId}|${r.outcomeId}`;
    if (r.role === 'candidate' && r.recorderId === r.leaderId) candidate.set(key, r.level);
    if (r.role === 'mentor') mentor.set(key, { level: r.level, recorderId: r.recorderId });
  }
  return { candidate, mentor };
}

/** "Assessing the assessor": per candidate, how often their judgements match a mentor's shadow scores. */
export async function agreement(db: Db, stage: StageRow, candidateIds?: string[]) {
  const [rows, outcomes, groups] = await Promise.all([judgements(db, stage.id), listOutcomes(db, stage.id), listGroups(db, stage.id)]);
  const outcomeText = new Map(outcomes.map((o) => [o.id, o.text]));
  const learnerLabel = new Map(groups.flatMap((g) => g.learners.map((l) => [l.id, l.label] as const)));
  const byCandidate = new Map<string, { candidate: Map<string, string>; mentor: Map<string, string> }>();
  for (const r of rows) {
    const entry = byCandidate.get(r.leaderId) ?? { candidate: new Map(), mentor: new Map() };
    const key = `${r.learnerId}|${r.outcomeId}`;
    if (r.role === 'candidate' && r.recorderId === r.leaderId) entry.candidate.set(key, r.level);
    if (r.role === 'mentor') entry.mentor.set(key, r.level);
    byCandidate.set(r.leaderId, entry);
  }
  const ids = candidateIds ?? [...new Set(groups.map((g) => g.candidateId))];
  return ids.map((candidateId) => {
    const entry = byCandidate.get(candidateId);
    const both = entry ? [...entry.candidate].filter(([k]) => entry.mentor.has(k)) : [];
    const disagreements = both
      .filter(([k, level]) => entry!.mentor.get(k) !== level)
      .map(([k, level]) => {
        const [learnerId, outcomeId] = k.split('|');
        return { learnerId, learner: learnerLabel.get(learnerId) ?? '', outcomeId, outcome: outcomeText.get(outcomeId) ?? '', candidateLevel: levelLabel(level), mentorLevel: levelLabel(entry!.mentor.get(k)) };
      });
    const compared = both.length;
    const agreed = compared - disagreements.length;
    const percent = compared ? Math.round((agreed / compared) * 100) : null;
    const summary = compared
      ? `Agrees with the mentor on ${agreed} of ${compared} learner-outcome judgements (${percent}%).`
      : 'No judgements to compare yet — a mentor has not shadow-scored the same learners.';
    return { candidateId, compared, agreed, percent, summary, disagreements };
  });
}

/** Each candidate's attainment requirement, as the candidate reads it. */
export async function standings(db: Db, stage: StageRow, candidateIds: string[], now = new Date()): Promise<Map<string, Evaluation>> {
  const r = await attainmentRecordedKind.evaluate({ db, now, items: [{ stage, stages: [stage], candidateIds, params: {} }], earlier: new Map() });
  return r.get(stage.id) ?? new Map();
}

/** The candidates of the cohort, by name. */
export async function candidatesOf(db: Db, cohortId: string) {
  return (await cohortPeople(db, cohortId, 'candidate')).map((p) => ({ id: p.userId, name: p.name }));
}

/** The rubric scoring page for a candidate's delivery in a session (built by the rubrics feature); the stage id
 * makes the assessment count for this stage's `rubric-passed` requirement. */
export function assessLink(cohortId: string, candidateId: string, sessionId: string, stageId: string): string {
  return `/cohorts/${cohortId}/candidates/${candidateId}/assess/practical-session?contextType=session&contextId=${sessionId}&cohortStageId=${stageId}`;
}
