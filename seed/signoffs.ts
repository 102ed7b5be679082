/** Demo sign-off requests, decisions and assessments (filled in by the sign-offs/rubrics feature). */
import type { Db } from '../server/db';
import type { DemoWorld } from './hooks';

/** Seeds the demo's sign-offs. */
export async function seedSignoffs(db: Db, world: DemoWorld): Promise<void> {
  void db;
  void world;
}
