/** Seed steps owned by the core features. Each feature owns one file and fills its function. */
import type { Db } from '../server/db';
import type { StageRow } from '../server/progression/types';
import { seedFrameworkAndRubrics } from './framework';
import { seedSignoffs } from './signoffs';
import { seedLiveNotes } from './live';

export { seedFrameworkAndRubrics };

/** Demo people and progress, for features that seed after the stages. */
export type DemoWorld = { cohortId: string; people: Record<string, string>; reached: Record<string, number>; stages: StageRow[]; frameworkId: string | null };

/** Seeds sign-offs, assessments, live notes and other cross-stage demo records. */
export async function seedDemoExtras(db: Db, world: DemoWorld): Promise<void> {
  await seedSignoffs(db, world);
  await seedLiveNotes(db, world);
}
