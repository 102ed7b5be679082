/** Seed steps owned by the core features. Each feature owns one file and fills its function. */
import type { Db } from '../server/db';
import { seedFrameworkAndRubrics } from './framework';
import { seedSignoffs } from './signoffs';
import type { DemoWorld } from './world';

export { seedFrameworkAndRubrics };

/** Seeds sign-offs, assessments and other cross-stage demo records (stage modules seed their own, live notes included). */
export async function seedDemoExtras(db: Db, world: DemoWorld): Promise<void> {
  await seedSignoffs(db, world);
}
