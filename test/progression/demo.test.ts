import { eq } from 'drizzle-orm';
import { ledgerEntries, signoffDecisions, signoffRequests, users } from '../../server/db/tables';
import { computeProgress } from '../../server/progression/engine';
import { seedDemo } from '../../seed/demo';
import { startTestApp, type TestApp } from '../support/app';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(120_000);

let t: TestApp;
/** When the demo was seeded (by the first test; the second reads what it wrote). */
let seededAt = 0;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe('demo seed: pre-load and the Zoom introduction', () => {
  it('puts candidate 1 part-way through pre-load and candidates 2 and 3 past both stages', async () => {
    seededAt = Date.now();
    const { cohortId } = await seedDemo(t.database.db, t.config, t.cadre.modules);
    const idOf = async (email: string) => (await t.database.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0].id;
    const progress = (await computeProgress(t.cadre.ctx, { cohortIds: [cohortId] })).get(cohortId);
    const c1 = progress?.get(await idOf('candidate1@cadre.test')) ?? [];
    expect(c1[0]).toMatchObject({ key: 'preload-video', status: 'in_progress' });
    expect(c1[0].complete[0].reason).toBe("Watch 'Non-escalation basics' to 90% — you are at 64%; 'De-escalation in the first minute' to 90% — you are at 20%; 'Restraint as a last resort' to 90% — you are at 0%.");
    expect(c1[1]).toMatchObject({ key: 'zoom-intro', status: 'locked' });
    for (const email of ['candidate2@cadre.test', 'candidate3@cadre.test']) {
      const stages = progress?.get(await idOf(email)) ?? [];
      expect(stages.slice(0, 2).map((s) => s.status)).toEqual(['complete', 'complete']);
    }
    // The candidate's own page explains it.
    const agent = t.anonymous();
    await agent.post('/api/v1/session').send({ email: 'candidate1@cadre.test', password: 'cadre-demo' }).expect(200);
    const page = await agent.get(`/cohorts/${cohortId}/candidates/${await idOf('candidate1@cadre.test')}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('you are at');
    const player = await agent.get(`/cohorts/${cohortId}/stages/preload-video`);
    expect(player.text).toContain('data-testid="video-player"');
    // Their mentor's view of the same page speaks to the mentor, about Sam, and leads to Sam's whole record.
    const mentor = t.anonymous();
    await mentor.post('/api/v1/session').send({ email: 'mentor1@cadre.test', password: 'cadre-demo' }).expect(200);
    const seen = await mentor.get(`/cohorts/${cohortId}/candidates/${await idOf('candidate1@cadre.test')}`);
    expect(seen.text).toContain('Sam is at 64%');
    const main = seen.text.slice(seen.text.indexOf('<main'), seen.text.indexOf('</main>'));
    expect(main.match(/.{0,60}(\byou are at\b|\byour\b|You are here).{0,40}/gi)).toBeNull();
    expect(seen.text).toContain('Sam’s competencies and evidence');
    expect(seen.text).toContain('Sam’s assessments');
    expect(seen.text).toContain(`href="/cohorts/${cohortId}/live"`);
  });
});

describe('demo seed: the record reads as lived, not as seeded (issue 10.6)', () => {
  it('dates each sign-off request, decision and its ledger entry in the past weeks, never at the seeding time', async () => {
    expect(seededAt).toBeGreaterThan(0);
    const db = t.database.db;
    const requests = await db.select({ submittedAt: signoffRequests.submittedAt }).from(signoffRequests);
    const decisions = await db.select({ createdAt: signoffDecisions.createdAt, seq: signoffDecisions.ledgerSeq }).from(signoffDecisions);
    const entries = new Map((await db.select({ seq: ledgerEntries.seq, recordedAt: ledgerEntries.recordedAt }).from(ledgerEntries)).map((e) => [e.seq, Date.parse(e.recordedAt)]));
    expect(requests.length).toBeGreaterThan(5);
    expect(decisions.length).toBeGreaterThan(5);
    const hourBeforeSeeding = seededAt - 3_600_000 + 60_000;
    for (const at of [...requests.map((r) => r.submittedAt.getTime()), ...decisions.map((d) => d.createdAt.getTime())]) expect(at).toBeLessThan(hourBeforeSeeding);
    // Each decision's ledger entry carries the decision's own time.
    for (const d of decisions) expect(entries.get(d.seq as number)).toBe(d.createdAt.getTime());
    // Spread over weeks, as a programme's decisions are.
    const times = decisions.map((d) => d.createdAt.getTime());
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(20 * 86_400_000);
  });
});
