import { eq } from 'drizzle-orm';
import { users } from '../../server/db/tables';
import { computeProgress } from '../../server/progression/engine';
import { seedDemo } from '../../seed/demo';
import { startTestApp, type TestApp } from '../support/app';

// Booting PGlite and the app takes several seconds on a busy machine (jest's per-project testTimeout is not applied).
jest.setTimeout(120_000);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe('demo seed: pre-load and the Zoom introduction', () => {
  it('puts candidate 1 part-way through pre-load and candidates 2 and 3 past both stages', async () => {
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
