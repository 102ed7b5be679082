/** Demo records of candidates who finished the programme: every competency signed off (countersigned where
 * safety-critical, each decision in the ledger) and a passed practical-session assessment in co-delivery. */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../server/db';
import { assessments, assessmentScores, cohortStages, competencies } from '../server/db/tables';
import { writeSignoffStory } from '../server/signoffs/story';
import { loadRubric } from '../server/rubrics/queries';
import { scoreAssessment } from '../server/rubrics/score';

const DAY = 86_400_000;

/** What the graduates' records need: the cohort, its start, its framework, the two mentors. */
export type GraduateWorld = { cohortId: string; startsOn: Date; frameworkId: string | null; graduates: string[]; mentor: string; countersigner: string };

/** Signs off every competency of the framework for each graduate, spread over the cohort's weeks, each step through
 * the ledger at its own past time (the same writer the app's records are checked against). */
async function signEverything(db: Db, w: GraduateWorld): Promise<void> {
  if (!w.frameworkId) return;
  const comps = await db.select().from(competencies).where(eq(competencies.frameworkId, w.frameworkId));
  for (const [gi, candidateId] of w.graduates.entries()) {
    for (const [ci, competency] of comps.entries()) {
      const submittedAt = new Date(w.startsOn.getTime() + (20 + ci * 3 + gi) * DAY + 10 * 3_600_000);
      const at = (days: number) => new Date(submittedAt.getTime() + days * DAY);
      await db.transaction((tx) =>
        writeSignoffStory(tx, {
          cohortId: w.cohortId,
          candidateId,
          competency,
          reflection: `What I did on the first cohort for ${competency.code} ${competency.name}, with my mentor's notes.`,
          submittedAt,
          // No citable record of the first cohort's sessions was kept in Cadre: the reflection tells the story, and
          // nothing is cited that would resolve to "evidence that Cadre can no longer find".
          evidence: [],
          steps: [
            { kind: 'sign_off', by: w.mentor, rating: 2, note: null, at: at(2) },
            ...(competency.safetyCritical ? [{ kind: 'countersign' as const, by: w.countersigner, note: null, at: at(3) }] : []),
          ],
        }),
      );
    }
  }
}

/** A passed mentor assessment of each graduate's practical session in the co-delivery stage. */
async function passPractical(db: Db, w: GraduateWorld): Promise<void> {
  const rubric = await loadRubric(db, 'practical-session');
  const [stage] = await db.select().from(cohortStages).where(and(eq(cohortStages.cohortId, w.cohortId), eq(cohortStages.moduleKey, 'co-delivery')));
  if (!rubric || !stage) return;
  for (const candidateId of w.graduates) {
    const levels = Object.fromEntries(rubric.criteria.map((c) => [c.id, Math.max(c.passLevel, 2)]));
    const score = scoreAssessment(rubric, levels);
    const at = new Date(`${stage.startsOn ?? w.startsOn.toISOString().slice(0, 10)}T15:00:00Z`);
    const [a] = await db
      .insert(assessments)
      .values({ rubricId: rubric.id, cohortId: w.cohortId, candidateId, assessorId: w.countersigner, kind: 'mentor', contextType: 'stage', contextId: stage.id, cohortStageId: stage.id, comment: 'Safe, calm and accurate; ready to deliver.', percent: score.percent, passed: score.passed, mustPassFailed: score.mustPassFailed, createdAt: at })
      .returning();
    await db.insert(assessmentScores).values(rubric.criteria.map((c) => ({ assessmentId: a.id, criterionId: c.id, levelPosition: levels[c.id] })));
  }
}

/** Seeds the graduates' sign-offs and assessments. */
export async function seedGraduateRecords(db: Db, w: GraduateWorld): Promise<void> {
  await signEverything(db, w);
  await passPractical(db, w);
}
