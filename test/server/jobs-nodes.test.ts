/** The job queue on PostgreSQL when several nodes start together: each creates the same queues at once (pg-boss 10
 * creates a queue's partition without a lock, and PostgreSQL may pick one of them as a deadlock victim); every node
 * must come up with every queue. Runs where DATABASE_URL is set. */
import { openPostgres, type Database } from '../../server/db';
import { startJobs, type Jobs } from '../../server/jobs';
import { createLogger } from '../../server/logger';
import { openTestDatabase, type TestDatabase } from '../support/db';

const maybe = process.env.DATABASE_URL ? describe : describe.skip;

maybe('job queues created by several nodes at once', () => {
  let database: TestDatabase;
  const pools: Database[] = [];
  const nodes: Jobs[] = [];
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await Promise.allSettled(pools.map((p) => p.close()));
    await database.drop();
  });

  it('three nodes registering the same eight queues together all succeed', async () => {
    const logger = createLogger('silent');
    for (let i = 0; i < 3; i++) pools.push(await openPostgres(database.url as string, { max: 4 }));
    nodes.push(...(await Promise.all(pools.map((p) => startJobs(p, logger, { maintenance: false })))));
    const names = Array.from({ length: 8 }, (_, i) => `together-${i}`);
    const results = await Promise.allSettled(nodes.flatMap((n) => names.map((name) => n.enqueue(name, { n: 1 }))));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
  });
});
