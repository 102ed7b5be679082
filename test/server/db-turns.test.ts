/** The embedded database lets the event loop turn between the statements it runs on its root connection, so a busy
 * server still accepts new connections and reads every socket (libuv accepts one connection per loop iteration);
 * a transaction's statements run back to back, since it holds the database until it ends. */
import { openTestDatabase, type TestDatabase } from '../support/db';

const embedded = process.env.DATABASE_URL ? it.skip : it;

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.drop());

/** How many times the event loop turned (a setImmediate chain ran) while `work` was running. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  return turns;
}

embedded('turns the event loop between root statements, even when fifty are sent at once', async () => {
  const turns = await turnsDuring(() => Promise.all(Array.from({ length: 50 }, (_, i) => database.query('select $1::int as n', [i]))));
  expect(turns).toBeGreaterThanOrEqual(1);
  const sequential = await turnsDuring(async () => {
    for (let i = 0; i < 50; i++) await database.query('select $1::int as n', [i]);
  });
  expect(sequential).toBeGreaterThanOrEqual(50);
});
