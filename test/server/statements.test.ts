/** The statement counter: every statement a request or a block sends is counted, in its own async context. */
import { sql } from 'drizzle-orm';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../server/app';
import { countStatements } from '../../server/db/statements';
import { organisations } from '../../server/db/tables';
import { startTestApp, testConfig, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
});
afterAll(() => t.stop());

describe('countStatements', () => {
  it('counts plain statements and a transaction as BEGIN, its statements and COMMIT', async () => {
    const db = t.database.db;
    const plain = await countStatements(async () => {
      await db.execute(sql`select 1`);
      await db.select().from(organisations);
    });
    expect(plain.count).toBe(2);
    const tx = await countStatements(() =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        await tx.execute(sql`select 2`);
      }),
    );
    expect(tx.texts).toEqual(['BEGIN', 'select 1', 'select 2', 'COMMIT'].map((s) => expect.stringMatching(new RegExp(`^${s}$`, 'i'))));
    const failed = await countStatements(() => db.transaction(async (tx) => tx.execute(sql`select nope`)).catch(() => 'failed'));
    expect(failed.result).toBe('failed');
    expect(failed.texts[0]).toMatch(/^begin$/i);
    expect(failed.texts[failed.texts.length - 1]).toMatch(/^rollback$/i);
  });

  it('counts the raw query function too (the session store uses it)', async () => {
    const raw = await countStatements(() => t.database.query('select 1'));
    expect(raw.count).toBe(1);
  });

});

describe('per request', () => {
  it('gives each request its own count, even when many run at once', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    // The first request after login loads the actor into the cache (issue 14.2); count the warm requests.
    await agent.get('/api/v1/me').expect(200);
    const one = await t.statementsOf(await agent.get('/api/v1/me').expect(200));
    expect(one.count).toBeGreaterThan(0);
    const many = await Promise.all(Array.from({ length: 12 }, () => agent.get('/api/v1/me').expect(200)));
    const counts = await Promise.all(many.map(async (res) => (await t.statementsOf(res)).count));
    expect(counts).toEqual(counts.map(() => one.count));
  });

  it('a repeat view of a timeline sends no statement on the embedded database until something is written, and one on PostgreSQL (the session row with the cohort’s data versions)', async () => {
    const agent = await t.loginAs(w.a.candidate.email);
    const timeline = (await agent.get('/me/progress').expect(302)).headers.location as string;
    await agent.get(timeline).expect(200);
    const again = await t.statementsOf(await agent.get(timeline).expect(200));
    if (t.database.kind === 'pglite') {
      expect(again.texts).toEqual([]);
      // Anyone's write (here another person's login) makes the next view ask the database for its session again.
      await t.loginAs(w.a.mentor.email);
      const afterWrite = await t.statementsOf(await agent.get(timeline).expect(200));
      expect(afterWrite.texts.some((text) => /from session/.test(text))).toBe(true);
    } else {
      expect(again.texts).toHaveLength(1);
      expect(again.texts[0]).toMatch(/data_versions[\s\S]*session/);
    }
  });

  it('writes the count into the request log line', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const config = testConfig();
    const other = await createApp({ database: t.database, config, logger: pino({ level: 'info' }, sink) });
    await request(other.server).get('/login').expect(200);
    await other.close();
    const line = lines.find((l) => l.msg === 'request' && l.url === '/login');
    expect(line).toMatchObject({ status: 200, statements: expect.any(Number) });
  });
});
