/** What a cohort's programme says, for the impact view: what it teaches, by name (the knowledge modules and practical
 * sessions a new trainer may have covered in a course, and the learning outcomes the questionnaire asks about), and
 * when each trainer was certified (the final readiness sign-off). Stage modules answer through their manifest's
 * `curriculum` and `certifications` hooks: core never reads a module's tables. */
import { and, asc, inArray, lt } from 'drizzle-orm';
import type { Db } from '../db';
import { cohortStages } from '../db/tables';
import { RETIRED_POSITION } from '../progression/registry';
import type { StageRow } from '../progression/types';
import type { AppRegistry } from '../modules/registry';

/** One thing a programme teaches, as its trainers and learners know it. */
export type CurriculumItem = { kind: 'knowledge' | 'practical' | 'outcome'; title: string };

/** A stage module's answer: what its stages (of one cohort) teach. */
export type CurriculumHook = (db: Db, stages: StageRow[]) => Promise<CurriculumItem[]>;

/** A cohort's curriculum in teaching order, without repeats. */
export type Curriculum = { knowledge: string[]; practical: string[]; outcomes: string[] };

/** A final readiness sign-off: this candidate was certified as a trainer in that stage at `at`. */
export type Certification = { stageId: string; candidateId: string; at: Date };

/** A stage module's answer: the final readiness sign-offs given in its stages (of any cohorts). */
export type CertificationsHook = (db: Db, stages: StageRow[]) => Promise<Certification[]>;

/** What these functions need: the database and the app's registry of module hooks (`ctx` will do). */
export type ProgrammeContext = { db: Db; registry: Pick<AppRegistry, 'curriculum' | 'certifications'> };

/** Learning outcomes used when the programme lists none, so a questionnaire can always be answered. */
export const FALLBACK_OUTCOMES = [
  'Explain why restraint is only ever a last resort',
  'Notice early signs of distress and respond to prevent escalation',
  'Use de-escalation to help a person feel calmer and safer',
];

/** The live stages of some cohorts, grouped by module key. */
async function stagesByModule(db: Db, cohortIds: string[]): Promise<Map<string, StageRow[]>> {
  const byModule = new Map<string, StageRow[]>();
  if (!cohortIds.length) return byModule;
  const stages = (await db
    .select()
    .from(cohortStages)
    .where(and(inArray(cohortStages.cohortId, cohortIds), lt(cohortStages.position, RETIRED_POSITION)))
    .orderBy(asc(cohortStages.position))) as StageRow[];
  for (const s of stages) byModule.set(s.moduleKey, [...(byModule.get(s.moduleKey) ?? []), s]);
  return byModule;
}

/** The curriculum of one cohort, gathered from its live stages' modules. */
export async function cohortCurriculum({ db, registry }: ProgrammeContext, cohortId: string): Promise<Curriculum> {
  const byModule = await stagesByModule(db, [cohortId]);
  const answers = await Promise.all([...byModule].map(([key, list]) => registry.curriculum.get(key)?.(db, list) ?? Promise.resolve([])));
  const items = answers.flat();
  const titles = (kind: CurriculumItem['kind']) => [...new Set(items.filter((i) => i.kind === kind).map((i) => i.title.trim()).filter(Boolean))];
  return { knowledge: titles('knowledge'), practical: titles('practical'), outcomes: titles('outcome') };
}

/** Every final readiness sign-off in some cohorts, by cohort id (one call per module, whatever the number of cohorts). */
export async function cohortCertifications({ db, registry }: ProgrammeContext, cohortIds: string[]): Promise<Map<string, Certification[]>> {
  const byModule = await stagesByModule(db, cohortIds);
  const out = new Map<string, Certification[]>(cohortIds.map((id) => [id, []]));
  await Promise.all(
    [...byModule].map(async ([key, list]) => {
      const hook = registry.certifications.get(key);
      if (!hook) return;
      const cohortOf = new Map(list.map((s) => [s.id, s.cohortId]));
      for (const c of await hook(db, list)) out.get(cohortOf.get(c.stageId) ?? '')?.push(c);
    }),
  );
  return out;
}
