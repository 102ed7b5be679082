/**
 * What each way of asking the database gives back, the same on PGlite and PostgreSQL: Drizzle's columns as their
 * types (timestamps as Dates, dates as 'YYYY-MM-DD'), and raw queries (the session store, the job queue) with dates
 * as Dates and arrays of them as arrays of Dates — in and out of transactions. (On PGlite, Drizzle's own parser table
 * is no longer handed to each query: the client returns its types as text by default, and raw queries parse them.)
 */
import { eq, sql } from 'drizzle-orm';
import { organisations } from '../../server/db/tables';
import { openTestDatabase, type TestDatabase } from '../support/db';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.drop());

const at = new Date('2026-03-29T00:30:00.000Z');

it("gives Drizzle's columns back as their types, outside and inside a transaction", async () => {
  const [org] = await database.db.insert(organisations).values({ name: 'Values Care', kind: 'client' }).returning();
  expect(org.createdAt).toBeInstanceOf(Date);
  await database.db.transaction(async (tx) => {
    const [again] = await tx.select().from(organisations).where(eq(organisations.id, org.id));
    expect(again.createdAt).toBeInstanceOf(Date);
    expect(again.createdAt.getTime()).toBe(org.createdAt.getTime());
  });
  const result = await database.db.execute(sql`select ${at.toISOString()}::timestamptz as at, date '2026-03-29' as day`);
  // PGlite's and node-postgres' results differ in type but both carry `rows`.
  const [row] = (result as unknown as { rows: { at: unknown; day: unknown }[] }).rows;
  // `execute` hands back the driver's values as Drizzle asks for them: text, which each column type then maps.
  expect(new Date(String(row.at)).getTime()).toBe(at.getTime());
  expect(String(row.day)).toBe('2026-03-29');
});

it('gives raw queries dates as Dates and arrays of them as arrays of Dates', async () => {
  const { rows } = await database.query('select $1::timestamptz as at, array[$1::timestamptz, $1::timestamptz] as ats, 3::int as n, $2::text as word', [at.toISOString(), 'kept']);
  expect(rows[0]).toEqual({ at, ats: [at, at], n: 3, word: 'kept' });
  const script = await database.script(`select '${at.toISOString()}'::timestamptz as at`);
  expect(script.rows[0]).toEqual({ at });
});
