/** On the embedded database this process is the only writer, so the data versions read between writes are reused
 * from memory (server/db/versions.ts); any write sent makes the next read ask the database again. */
import { eq } from 'drizzle-orm';
import { cohorts } from '../../server/db/tables';
import { countStatements } from '../../server/db/statements';
import { readVersions } from '../../server/db/versions';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
});
afterAll(() => t.stop());

const embedded = process.env.DATABASE_URL ? it.skip : it;
const always = it;

describe('data versions between writes', () => {
  embedded('are read once on the embedded database and again after any write, which they then show', async () => {
    const db = t.database.db;
    const cohort = w.a.cohort.id;
    const before = await countStatements(() => readVersions(db, [cohort]));
    const reused = await countStatements(() => readVersions(db, [cohort]));
    expect(reused.count).toBe(0);
    expect(reused.result.get(cohort)).toBe(before.result.get(cohort));

    await db.update(cohorts).set({ name: 'Renamed cohort' }).where(eq(cohorts.id, w.a.cohort.id));
    const after = await countStatements(() => readVersions(db, [cohort]));
    expect(after.count).toBe(1);
    expect(after.result.get(cohort)).not.toBe(before.result.get(cohort));
  });

  always('inside a transaction are always read from the database, which shows its own writes', async () => {
    const db = t.database.db;
    const cohort = w.b.cohort.id;
    const before = await readVersions(db, [cohort]);
    await db.transaction(async (tx) => {
      await tx.update(cohorts).set({ name: 'Renamed in a transaction' }).where(eq(cohorts.id, cohort));
      const inside = await countStatements(() => readVersions(tx, [cohort]));
      expect(inside.count).toBe(1);
      expect(inside.result.get(cohort)).not.toBe(before.get(cohort));
    });
  });
});
