/** Test data for readiness: a framework, a rubric, cohort stages and helpers to sign, mark, waive and assess. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../server/db';
import {
  assessmentScores,
  assessments,
  cohortRequiredCompetencies,
  cohortStages,
  cohorts,
  competencies,
  competencyAreas,
  competencyFrameworks,
  rubricCriteria,
  rubricLevels,
  rubrics,
  type SignoffStatus,
} from '../../server/db/tables';
import { eq } from 'drizzle-orm';
import { writeMark, writeWaiver } from '../../server/progression/ledger';
import { refEvidence } from '../../server/signoffs/ledger';
import { writeSignoffStory, type StoryStep } from '../../server/signoffs/story';
import { buildWorld, type World } from '../support/factories';

const DAY = 86_400_000;

/** YYYY-MM-DD `n` days from now. */
export const dayOffset = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

/** A world whose two cohorts each have three stages (mentor-marked) and a three-competency framework. */
export type ReadinessWorld = World & {
  frameworkId: string;
  comps: { id: string; code: string; safetyCritical: boolean }[];
  stages: Record<'a' | 'b', { id: string; title: string }[]>;
  rubric: { id: string; criteria: { id: string; mustPass: boolean }[] };
};

/** Builds the world: stages 1–2 open now (window ends in 10 days), stage 3 opens in 20 days. */
export async function buildReadinessWorld(db: Db): Promise<ReadinessWorld> {
  const [fw] = await db.insert(competencyFrameworks).values({ name: 'Trainer framework', ratingScale: { levels: ['Not yet', 'Developing', 'Competent'], competentFrom: 1 } }).returning();
  const [area] = await db.insert(competencyAreas).values({ frameworkId: fw.id, position: 1, name: 'Delivery' }).returning();
  const comps = await db
    .insert(competencies)
    .values([
      { frameworkId: fw.id, areaId: area.id, code: 'D1', name: 'Opens a session with dignity', position: 1 },
      { frameworkId: fw.id, areaId: area.id, code: 'D2', name: 'Teaches de-escalation', position: 2 },
      { frameworkId: fw.id, areaId: area.id, code: 'S1', name: 'Demonstrates safe holds', position: 3, safetyCritical: true },
    ])
    .returning();
  const world = await buildWorld(db);
  const stages = { a: [] as { id: string; title: string }[], b: [] as { id: string; title: string }[] };
  for (const [k, t] of [['a', world.a], ['b', world.b]] as const) {
    await db.update(cohorts).set({ frameworkId: fw.id, startsOn: dayOffset(-5), endsOn: dayOffset(60) }).where(eq(cohorts.id, t.cohort.id));
    const rows = await db
      .insert(cohortStages)
      .values(
        [
          ['Pre-load videos', -5, 10],
          ['Transfer week', -1, 10],
          ['Co-delivery', 20, 25],
        ].map(([title, s, e], i) => ({
          cohortId: t.cohort.id,
          position: i + 1,
          moduleKey: 'preload-video',
          title: title as string,
          completeRequirements: [{ kind: 'mentor-marked-complete', params: {} }],
          startsOn: dayOffset(s as number),
          endsOn: dayOffset(e as number),
        })),
      )
      .returning();
    stages[k] = rows.map((r) => ({ id: r.id, title: r.title }));
  }
  const [rubric] = await db.insert(rubrics).values({ name: 'Co-delivery observation', passThreshold: 60 }).returning();
  await db.insert(rubricLevels).values([0, 1, 2].map((p) => ({ rubricId: rubric.id, position: p, label: ['Not yet', 'Competent', 'Exemplary'][p], points: p })));
  const criteria = await db
    .insert(rubricCriteria)
    .values([
      { rubricId: rubric.id, position: 1, title: 'Keeps everyone safe', weight: 2, mustPass: true, passLevel: 1 },
      { rubricId: rubric.id, position: 2, title: 'Explains clearly', weight: 1, mustPass: false, passLevel: 1 },
    ])
    .returning();
  return { ...world, frameworkId: fw.id, comps: comps.map((c) => ({ id: c.id, code: c.code, safetyCritical: c.safetyCritical })), stages, rubric: { id: rubric.id, criteria: criteria.map((c) => ({ id: c.id, mustPass: c.mustPass })) } };
}

const STEPS: Record<SignoffStatus, StoryStep['kind'][]> = {
  pending: [],
  more_evidence: ['more_evidence'],
  declined: ['decline'],
  awaiting_countersign: ['sign_off'],
  signed: ['sign_off'],
  revoked: ['sign_off', 'revoke'],
};

/** Records a sign-off request in `status` through the ledger (signed ones signed by `mentorId`), as the app would. */
export async function request(db: Db, o: { cohortId: string; candidateId: string; competencyId: string; status: SignoffStatus; mentorId: string; countersignerId?: string; daysAgo?: number; evidence?: { refType: string; refId: string; caption?: string } }) {
  const at = new Date(Date.now() - (o.daysAgo ?? 0) * DAY);
  const [competency] = await db.select({ id: competencies.id, code: competencies.code, safetyCritical: competencies.safetyCritical }).from(competencies).where(eq(competencies.id, o.competencyId));
  // The status is reached whatever the competency: a "signed" one is countersigned only when `countersignerId` is given.
  const kinds = [...STEPS[o.status]];
  if (o.status === 'signed' && o.countersignerId) kinds.push('countersign');
  const sc = o.status === 'awaiting_countersign' || !!o.countersignerId;
  return db.transaction((tx) =>
    writeSignoffStory(tx, {
      cohortId: o.cohortId,
      candidateId: o.candidateId,
      competency: { ...competency, safetyCritical: sc },
      reflection: 'I reflected on what went well and what I would change.',
      submittedAt: at,
      evidence: o.evidence ? [refEvidence(o.evidence.refType, o.evidence.refId, o.evidence.caption)] : [],
      steps: kinds.map((kind) => ({ kind, by: kind === 'countersign' ? (o.countersignerId ?? o.mentorId) : o.mentorId, rating: kind === 'sign_off' ? 2 : null, note: kind === 'sign_off' ? null : 'Recorded for the test.', at })),
    }),
  );
}

/** Signs every competency for a candidate. */
export async function signAll(db: Db, w: ReadinessWorld, cohortId: string, candidateId: string, mentorId: string) {
  for (const c of w.comps) await request(db, { cohortId, candidateId, competencyId: c.id, status: 'signed', mentorId });
}

async function stageRef(db: Db, stageId: string) {
  const [s] = await db.select({ id: cohortStages.id, cohortId: cohortStages.cohortId, title: cohortStages.title }).from(cohortStages).where(eq(cohortStages.id, stageId));
  return s;
}

/** A mentor's completion mark, through the ledger. */
export async function mark(db: Db, stageId: string, candidateId: string, mentorId: string, daysAgo = 0) {
  const stage = await stageRef(db, stageId);
  await db.transaction((tx) => writeMark(tx, { stage, candidateId, mentorId, note: null, at: new Date(Date.now() - daysAgo * DAY) }));
}

/** A whole-stage waiver, through the ledger. */
export async function waive(db: Db, stageId: string, candidateId: string, mentorId: string, reason: string) {
  const stage = await stageRef(db, stageId);
  await db.transaction((tx) => writeWaiver(tx, { stage, candidateId, mentorId, requirementKey: null, reason, at: new Date() }));
}

/** A mentor assessment with the given level per criterion. */
export async function assess(db: Db, w: ReadinessWorld, cohortId: string, candidateId: string, mentorId: string, levels: number[], daysAgo = 0) {
  const mustPassFailed = w.rubric.criteria.some((c, i) => c.mustPass && levels[i] < 1);
  const [a] = await db
    .insert(assessments)
    .values({
      rubricId: w.rubric.id,
      cohortId,
      candidateId,
      assessorId: mentorId,
      kind: 'mentor',
      contextType: 'stage',
      contextId: randomUUID(),
      percent: 50,
      passed: !mustPassFailed,
      mustPassFailed,
      createdAt: new Date(Date.now() - daysAgo * DAY),
    })
    .returning();
  await db.insert(assessmentScores).values(w.rubric.criteria.map((c, i) => ({ assessmentId: a.id, criterionId: c.id, levelPosition: levels[i] })));
  return a;
}

/** Makes only the first two competencies required for a cohort. */
export async function requireFirstTwo(db: Db, w: ReadinessWorld, cohortId: string) {
  await db.insert(cohortRequiredCompetencies).values(w.comps.slice(0, 2).map((c) => ({ cohortId, competencyId: c.id })));
}
