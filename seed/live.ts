/** Demo live-feedback notes (filled in by the live feedback feature). */
import type { Db } from '../server/db';
import type { DemoWorld } from './hooks';

/** Seeds the demo's live notes. */
export async function seedLiveNotes(db: Db, world: DemoWorld): Promise<void> {
  void db;
  void world;
}
