/** Seeds the programme's competency framework and the rubrics (filled in by the sign-offs/rubrics feature). */
import type { Db } from '../server/db';

/** Returns the framework id. */
export async function seedFrameworkAndRubrics(db: Db): Promise<{ frameworkId: string | null }> {
  void db;
  return { frameworkId: null };
}
