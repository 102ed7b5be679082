/**
 * The statement budget: the SQL statements each page sends, counted by the app itself (server/db/statements.ts), for
 * a small world (the demo: 3 candidates) and a large one (scripts/seed-large.ts: 10,000 candidates). A page read
 * again with nothing changed stays within its budget and sends exactly as many statements in both worlds; the first
 * read (nothing cached) is bounded by the number of requirement kinds, never by the number of candidates.
 */
import type TestAgent from 'supertest/lib/agent';
import { seedLarge } from '../../scripts/seed-large';
import { seedDemo } from '../../seed/demo';
import { startTestApp, type TestApp } from '../support/app';

// Seeding 10,000 candidates into PGlite takes a while on a busy machine.
jest.setTimeout(300_000);

/** Statements allowed per page once nothing has changed since the last read. */
const BUDGET = { progress: 4, mentor: 8, lead: 8 };
/** The first read computes everything: bounded by kinds and modules, whatever the number of candidates (each module
 * hook read once — the mentor dashboard's running-now rooms and the per-programme content brought it from 40 to 43). */
const FIRST_READ_LIMIT = 45;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

async function login(email: string): Promise<TestAgent> {
  const agent = t.anonymous();
  await agent.post('/api/v1/session').send({ email, password: 'cadre-demo' }).expect(200);
  return agent;
}

/** The statements of a first and a second read of `url`. */
async function reads(agent: TestAgent, url: string): Promise<{ first: number; again: number; texts: string[] }> {
  const first = await t.statementsOf(await agent.get(url).expect(200));
  // The worst case of a second read: the data versions and the session row read again, as after any write (and
  // always on PostgreSQL).
  t.database.forgetHeldReads?.();
  const again = await t.statementsOf(await agent.get(url).expect(200));
  return { first: first.count, again: again.count, texts: again.texts };
}

/** The candidate's own timeline (where /me/progress sends them). */
async function timelineOf(agent: TestAgent): Promise<string> {
  const res = await agent.get('/me/progress').expect(302);
  expect(res.headers.location).toMatch(/^\/cohorts\/[^/]+\/candidates\/[^/]+$/);
  return res.headers.location;
}

type Pages = Record<keyof typeof BUDGET, { first: number; again: number; texts: string[] }>;

async function measure(people: { candidate: string; mentor: string; lead: string }): Promise<Pages> {
  const candidate = await login(people.candidate);
  const mentor = await login(people.mentor);
  const lead = await login(people.lead);
  return {
    progress: await reads(candidate, await timelineOf(candidate)),
    mentor: await reads(mentor, '/mentor'),
    lead: await reads(lead, '/lead'),
  };
}

describe('statements per page', () => {
  let small: Pages;
  let large: Pages;
  beforeAll(async () => {
    await seedDemo(t.database.db, t.config, t.cadre.modules);
    small = await measure({ candidate: 'candidate1@cadre.test', mentor: 'mentor1@cadre.test', lead: 'lead@cadre.test' });
    const seeded = await seedLarge(t.database, { force: true });
    expect(Number(seeded.counts.candidates)).toBe(10_005); // the demo's 5 (3 in the running cohort, the finished cohort's 2 graduates) and the large world's 10,000
    // Added beside the demo, the large world's logins carry a suffix: lead1.<tag>@large.test.
    const suffix = seeded.leadEmail.slice('lead1'.length, -'@large.test'.length);
    // mentor1 of the large world mentors several cohorts; lead1 leads 25 cohorts (500 candidates).
    large = await measure({ candidate: `candidate1${suffix}@large.test`, mentor: `mentor1${suffix}@large.test`, lead: seeded.leadEmail });
  });

  it.each(Object.keys(BUDGET) as (keyof typeof BUDGET)[])('the %s page stays within its budget, the same with 5 candidates and with 10,000', (page) => {
    expect({ page, statements: small[page].again, sql: small[page].texts }).toEqual({ page, statements: expect.any(Number), sql: expect.any(Array) });
    expect(small[page].again).toBeLessThanOrEqual(BUDGET[page]);
    expect({ page, large: large[page].again, sql: large[page].texts }).toEqual({ page, large: small[page].again, sql: expect.any(Array) });
  });

  it.each(Object.keys(BUDGET) as (keyof typeof BUDGET)[])('the first read of the %s page is bounded by kinds, not by candidates', (page) => {
    expect(small[page].first).toBeLessThanOrEqual(FIRST_READ_LIMIT);
    expect(large[page].first).toBeLessThanOrEqual(FIRST_READ_LIMIT);
  });
});
