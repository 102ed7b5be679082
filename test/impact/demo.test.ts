/** The demo seed fills the impact view: a year and more of incident counts falling after the programme, the first
 * cohort's two graduates certified and delivering courses, learners' answers — and every record still verifies. */
import { eq } from 'drizzle-orm';
import { organisations } from '../../server/db/tables';
import { verifyLedger } from '../../server/ledger';
import { organisationImpact } from '../../server/impact/queries';
import { computeReadiness } from '../../server/readiness/queries';
import { seedDemo } from '../../seed/demo';
import { startTestApp, type TestApp } from '../support/app';

jest.setTimeout(180_000);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await seedDemo(t.database.db, t.config, t.cadre.modules);
});
afterAll(() => t.stop());

describe('the demo’s impact', () => {
  it('has a believable before/after and every part of the view filled in', async () => {
    const [client] = await t.database.db.select().from(organisations).where(eq(organisations.kind, 'client'));
    const { model, courses, history, words } = await organisationImpact(t.cadre.ctx, client.id);
    expect(model.months.filter((m) => m.totals).length).toBeGreaterThanOrEqual(12);
    expect(model.unit).toBe('bed-days');
    const { before, after } = model.comparison;
    expect(before && after).toBeTruthy();
    expect(after!.restraints).toBeLessThan(before!.restraints);
    expect(after!.proneRestraints).toBeLessThan(before!.proneRestraints);
    expect(model.milestones.map((m) => m.kind)).toEqual(expect.arrayContaining(['cohort-start', 'certified', 'first-course']));
    expect(courses.length).toBeGreaterThanOrEqual(5);
    expect(model.learners.overall.responses).toBeGreaterThan(30);
    expect(model.learners.overall.change).toBeGreaterThan(0);
    expect(words.length).toBeGreaterThan(10);
    expect(history.some((h) => h.earlier.length)).toBe(true);
    // A service that opened later.
    const firstMonth = (name: string) => history.filter((h) => h.current.serviceName === name).map((h) => h.current.month).sort()[0];
    expect(firstMonth('The Mews') > firstMonth('Harbour House')).toBe(true);
  });

  it('certifies the first cohort’s graduates (ready on the readiness model too) and keeps the ledger whole', async () => {
    const all = await t.database.query(`select id, name from cohorts order by name`);
    const { cohorts: readiness } = await computeReadiness(t.cadre.ctx, { cohortIds: all.rows.map((r) => String(r.id)) });
    const first = readiness.find((c) => c.name === 'Harbourside trainers — first cohort');
    expect(first?.counts).toMatchObject({ candidates: 2, ready: 2, atRisk: 0 });
    expect((await verifyLedger(t.database.db)).ok).toBe(true);
  });

  it('shows the lead, the admin and a new trainer their pages', async () => {
    const login = async (email: string) => {
      const agent = t.anonymous();
      await agent.post('/api/v1/session').send({ email, password: 'cadre-demo' }).expect(200);
      return agent;
    };
    const lead = await login('lead@cadre.test');
    const impact = await lead.get('/impact').expect(303);
    const page = await lead.get(impact.headers.location).expect(200);
    expect(page.text).toContain('fewer');
    expect(page.text).toContain('data-testid="chart-incidents"');
    expect(page.text).toContain('Harbourside trainers — first cohort started');
    expect((await lead.get('/lead').expect(200)).text).toContain('href="/impact"');
    const admin = await login('admin@cadre.test');
    expect((await admin.get('/impact').expect(200)).text).toContain('Harbourside Care');
    const trainer = await login('trainer1@cadre.test');
    const mine = await trainer.get('/courses').expect(200);
    expect(mine.text).toContain('Record a course');
    expect(mine.text).toContain('Harbour House training room');
  });
});
