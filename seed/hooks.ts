/** Seed steps owned by the core features (frameworks, rubrics, sign-offs, live notes). Each feature fills its part. */
import type { Db } from '../server/db';
import type { StageRow } from '../server/progression/types';

/** Demo people and progress, for features that seed after the stages. */
export type DemoWorld = { cohortId: string; people: Record<string, string>; reached: Record<string, number>; stages: StageRow[] };

/** Seeds the competency framework and the rubrics; returns the framework id (null until the feature exists). */
export async function seedFrameworkAndRubrics(db: Db): Promise<{ frameworkId: string | null }> {
  void db;
  return { frameworkId: null };
}

/** Seeds sign-offs, assessments and other cross-stage demo records. */
export async function seedDemoExtras(db: Db, world: DemoWorld): Promise<void> {
  void db;
  void world;
}
