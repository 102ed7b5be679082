/** Demo data: the five standard modules, assignments with slots, and mentor assessments to match each candidate's point. */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { addDays, assessments, assessmentScores, rubricCriteria, rubricLevels, rubrics, type Db, type SeedContext } from '../../server/modules/kit';
import { projectsWeekAssignments, projectsWeekModules } from './schema';
import { STANDARD_MODULES } from './catalogue';

type Rubric = { id: string; passThreshold: number; criteria: { id: string; weight: number; mustPass: boolean; passLevel: number }[]; levels: { position: number; points: number }[] };

async function loadRubric(db: Db, key: string): Promise<Rubric | null> {
  const [rubric] = await db.select().from(rubrics).where(and(eq(rubrics.key, key), isNull(rubrics.archivedAt)));
  if (!rubric) return null;
  const [criteria, levels] = await Promise.all([
    db.select().from(rubricCriteria).where(eq(rubricCriteria.rubricId, rubric.id)).orderBy(asc(rubricCriteria.position)),
    db.select().from(rubricLevels).where(eq(rubricLevels.rubricId, rubric.id)).orderBy(asc(rubricLevels.position)),
  ]);
  if (!criteria.length || !levels.length) return null;
  return { id: rubric.id, passThreshold: Number(rubric.passThreshold), criteria, levels };
}

/** Writes a mentor (or self) assessment with the given level per criterion, scored the way the rubric says. */
async function writeAssessment(db: Db, r: Rubric, row: { cohortId: string; candidateId: string; assessorId: string; kind: 'mentor' | 'self'; contextId: string; cohortStageId: string; at: Date }, levelOf: (c: Rubric['criteria'][number], i: number) => number) {
  const top = r.levels[r.levels.length - 1];
  const pointsAt = (position: number) => r.levels.find((l) => l.position === position)?.points ?? 0;
  const chosen = r.criteria.map((c, i) => ({ c, level: levelOf(c, i) }));
  const max = r.criteria.reduce((s, c) => s + Number(c.weight) * top.points, 0);
  const got = chosen.reduce((s, x) => s + Number(x.c.weight) * pointsAt(x.level), 0);
  const percent = max ? Math.round((got / max) * 10000) / 100 : 0;
  const mustPassFailed = chosen.some((x) => x.c.mustPass && x.level < x.c.passLevel);
  const [a] = await db
    .insert(assessments)
    .values({ rubricId: r.id, cohortId: row.cohortId, candidateId: row.candidateId, assessorId: row.assessorId, kind: row.kind, contextType: 'module', contextId: row.contextId, cohortStageId: row.cohortStageId, percent, passed: percent >= r.passThreshold && !mustPassFailed, mustPassFailed, comment: row.kind === 'mentor' ? 'Clear, accurate and pitched well for frontline staff.' : null, createdAt: row.at })
    .returning();
  await db.insert(assessmentScores).values(chosen.map((x) => ({ assessmentId: a.id, criterionId: x.c.id, levelPosition: x.level })));
}

/** Seeds projects week: candidates past it passed three modules; the candidate in it has one passed and two to go. */
export async function seedProjectsWeek(ctx: SeedContext): Promise<void> {
  const { db, stage, people, reached, cohortId } = ctx;
  const mods = await db
    .insert(projectsWeekModules)
    .values(STANDARD_MODULES.map((m, i) => ({ cohortStageId: stage.id, position: i + 1, title: m.title, summary: m.summary })))
    .returning();
  const start = stage.startsOn ?? new Date().toISOString().slice(0, 10);
  const rubric = await loadRubric(db, 'knowledge-module');
  const involved = Object.entries(reached).filter(([, position]) => position >= stage.position);
  for (const [ci, [candidateId, position]] of involved.entries()) {
    const picks = ci % 2 === 0 ? [0, 2, 3] : [1, 2, 4];
    for (const [k, mi] of picks.entries()) {
      const slotDay = addDays(start, k + ci);
      const [assignment] = await db
        .insert(projectsWeekAssignments)
        .values({ cohortStageId: stage.id, moduleId: mods[mi].id, candidateId, slotAt: new Date(`${slotDay}T${10 + ci * 2}:00:00Z`), meetingUrl: 'https://meet.example.org/harbourside-projects', assignedBy: people.mentor1 })
        .returning();
      const done = position > stage.position || k === 0;
      if (!rubric || !done) continue;
      const at = new Date(`${slotDay}T${11 + ci * 2}:30:00Z`);
      const base = { cohortId, candidateId, contextId: assignment.id, cohortStageId: stage.id, at };
      const topPos = rubric.levels[rubric.levels.length - 1].position;
      // One non-must-pass criterion just below its pass level on the in-progress candidate's passed module: the remedial agenda picks it up.
      const belowAt = position === stage.position ? rubric.criteria.findIndex((c) => !c.mustPass && c.passLevel > rubric.levels[0].position) : -1;
      await writeAssessment(db, rubric, { ...base, assessorId: people.mentor2, kind: 'mentor' }, (c, i) => (i === belowAt ? c.passLevel - 1 : i % 2 ? topPos : Math.max(c.passLevel, topPos - 1)));
      if (position === stage.position) await writeAssessment(db, rubric, { ...base, kind: 'self', assessorId: candidateId, at: new Date(at.getTime() - 3_600_000) }, (c) => Math.max(rubric.levels[0].position, c.passLevel - 1));
    }
  }
}
