/** The impact numbers against hand-computed fixtures (test/impact/fixture.ts): a month with no data, a correction, a
 * service added later, the milestones; then the same model's pure functions on small cases (bed days, no "before"). */
import { organisationImpact } from '../../server/impact/queries';
import { buildImpact, compare, incidentSeries, type Milestone } from '../../server/impact/model';
import type { CountVersion } from '../../server/impact/incident-queries';
import { startTestApp, type TestApp } from '../support/app';
import type { World } from '../support/factories';
import { EXPECTED_COMPARISON, EXPECTED_RATES, loadFixture } from './fixture';
import { buildImpactWorld } from './world';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildImpactWorld(t);
  await loadFixture(t, w);
});
afterAll(() => t.stop());

describe('the impact of the fixture organisation', () => {
  it('adds the services that reported each month, leaves March blank, uses June’s corrected values and rates per service', async () => {
    const { model, history } = await organisationImpact(t.cadre.ctx, w.a.org.id);
    expect(model.unit).toBe('service');
    expect(model.months.map((m) => m.month)).toEqual(['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06']);
    expect(model.months.map((m) => m.services)).toEqual([1, 1, 0, 2, 2, 2]);
    expect(model.months[2]).toMatchObject({ totals: null, rates: null, label: 'Mar 2025' });
    expect(model.months.map((m) => m.rates?.restraints ?? null)).toEqual(EXPECTED_RATES);
    expect(model.months.map((m) => m.rates?.proneRestraints ?? null)).toEqual([3, 4, null, 1, 0.5, 0.5]);
    // June: Harbour House corrected to 6, 4, 1, 0, 0, 0 plus The Mews 2, 2, 0, 0, 1, 0.
    expect(model.months[5].totals).toEqual({ aggression: 8, restraints: 6, proneRestraints: 1, seclusions: 0, staffInjuries: 1, personInjuries: 0 });
    // April: the service added later counts from its first month.
    expect(model.months[3].totals).toEqual({ aggression: 13, restraints: 8, proneRestraints: 2, seclusions: 0, staffInjuries: 1, personInjuries: 1 });
    const june = history.find((h) => h.current.month === '2025-06' && h.current.serviceName === 'Harbour House');
    expect(june?.current).toMatchObject({ version: 2, restraints: 4, proneRestraints: 1 });
    expect(june?.earlier.map((e) => [e.version, e.restraints, e.proneRestraints])).toEqual([[1, 7, 2]]);
  });

  it('marks the milestones in their months and compares before with after without claiming a cause', async () => {
    const { model } = await organisationImpact(t.cadre.ctx, w.a.org.id);
    expect(model.milestones.map((m) => [m.kind, m.date, m.label])).toEqual([
      ['cohort-start', '2025-03-10', 'Spring cohort started'],
      ['certified', '2025-04-28', '1 trainer certified (Spring cohort)'],
      ['first-course', '2025-05-20', 'First course delivered by a new trainer'],
    ]);
    expect(model.months.map((m) => m.milestones)).toEqual([[], [], ['Spring cohort started'], ['1 trainer certified (Spring cohort)'], ['First course delivered by a new trainer'], []]);
    expect(model.comparison.before).toEqual({ from: '2025-01', to: '2025-02', months: 2, restraints: 9, proneRestraints: 3.5 });
    expect(model.comparison.after).toEqual({ from: '2025-05', to: '2025-06', months: 2, restraints: 3, proneRestraints: 0.5 });
    expect(model.comparison.text.startsWith(EXPECTED_COMPARISON)).toBe(true);
    expect(model.incidentsSummary).toBe('5 months of incident data from 2 services, January 2025 to June 2025; 1 month has no data and is left blank, not counted as zero.');
    expect(model.courses).toMatchObject({ total: 1, attendees: 11 });
    expect(model.courses.summary).toBe('1 new trainer has delivered 1 course to 11 frontline staff since May 2025 (a person who attended two courses is counted twice).');
  });

  it('shows the same numbers on the page: the table with the blank month, the comparison, the milestone list', async () => {
    const lead = await t.loginAs(w.a.lead.email);
    const page = await lead.get(`/organisations/${w.a.org.id}/impact`).expect(200);
    // A month's row as its cells read (each cell carries its column's data-label for the tablet's cards).
    const row = (month: string) => {
      const html = new RegExp(`<th scope="row">${month}</th>([\\s\\S]*?)</tr>`).exec(page.text)?.[1] ?? '';
      return [...html.matchAll(/<td\b([^>]*)>([^<]*)<\/td>/g)].map((m) => [/data-label="([^"]*)"/.exec(m[1])?.[1] ?? /colspan="(\d+)"/.exec(m[1])?.[0] ?? '', m[2]]);
    };
    expect(row('Mar 2025')).toEqual([['colspan="8"', 'No data for this month'], ['Milestone', '1']]);
    expect(row('Jun 2025').slice(0, 8)).toEqual([
      ['Services reporting', '2'],
      ['Incidents of aggression', '8'],
      ['Restraints', '6'],
      ['Prone or floor restraints', '1'],
      ['Seclusions', '0'],
      ['Injuries to staff', '1'],
      ['Injuries to people supported', '0'],
      ['Restraints per service', '3'],
    ]);
    expect(page.text).toContain('67% fewer');
    expect(page.text).toContain('does not show that the programme caused the change');
    expect(page.text).toMatch(/<li>10 Mar 2025 — Spring cohort started<\/li><li>28 Apr 2025 — 1 trainer certified \(Spring cohort\)<\/li><li>20 May 2025 — First course delivered by a new trainer<\/li>/);
    // The chart's spec carries the gap as null and the milestones as numbered markers at their months.
    const spec = JSON.parse(/data-chart="([^"]+)"[^>]*data-testid="chart-rate"/.exec(page.text)?.[1].replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&#x3D;/g, '=') as string);
    expect(spec.datasets[0].data).toEqual(EXPECTED_RATES);
    expect(spec.markers).toEqual([{ index: 2, label: '1' }, { index: 3, label: '2' }, { index: 4, label: '3' }]);
  });
});

describe('the model on small cases', () => {
  const row = (month: string, serviceId: string, restraints: number, bedDays: number | null): CountVersion => ({
    id: `${serviceId}-${month}`,
    serviceId,
    serviceName: serviceId,
    month,
    version: 1,
    aggression: 0,
    restraints,
    proneRestraints: 0,
    seclusions: 0,
    staffInjuries: 0,
    personInjuries: 0,
    occupiedBedDays: bedDays,
    source: 'form',
    note: null,
    recordedByName: 'Lead',
    recordedAt: new Date(),
  });
  const ms = (kind: Milestone['kind'], date: string): Milestone => ({ kind, date, month: date.slice(0, 7), label: kind });

  it('rates per 1,000 occupied bed days when every month gives them', () => {
    // Jan: 6 restraints over 1,200 bed days = 5.0; Feb: (3+1) over (900+600) = 2.67 → 2.7.
    const { months, unit } = incidentSeries([row('2025-01', 'a', 6, 1200), row('2025-02', 'a', 3, 900), row('2025-02', 'b', 1, 600)], []);
    expect(unit).toBe('bed-days');
    expect(months.map((m) => m.rates?.restraints)).toEqual([5, 2.7]);
    expect(months.map((m) => m.bedDays)).toEqual([1200, 1500]);
  });

  it('falls back to per service when any month lacks bed days', () => {
    const { unit, months } = incidentSeries([row('2025-01', 'a', 6, 1200), row('2025-02', 'a', 3, null), row('2025-02', 'b', 1, 600)], []);
    expect(unit).toBe('service');
    expect(months.map((m) => m.rates?.restraints)).toEqual([6, 2]);
  });

  it('says plainly when there is nothing to compare', () => {
    const data = [row('2025-05', 'a', 4, null)];
    const { months, unit } = incidentSeries(data, [ms('cohort-start', '2025-03-01')]);
    expect(compare(months, [ms('cohort-start', '2025-03-01')], unit).text).toContain('There is no incident data from before the programme began (March 2025)');
    expect(compare(months, [], unit).text).toContain('No cohort has a start date yet');
    const withBefore = incidentSeries([row('2025-01', 'a', 4, null), ...data], []);
    expect(compare(withBefore.months, [ms('cohort-start', '2025-03-01')], withBefore.unit).text).toBe('No course has been delivered by the new trainers yet, so there is no “after” period to compare.');
    expect(buildImpact({ current: [], cohorts: [], certified: [], courses: [] }).comparison.text).toBe('No incident data has been entered yet, so there is nothing to compare.');
  });

  it('reports an increase as an increase', () => {
    const marks = [ms('cohort-start', '2025-02-01'), ms('first-course', '2025-03-01')];
    const { months, unit } = incidentSeries([row('2025-01', 'a', 2, null), row('2025-03', 'a', 3, null)], marks);
    expect(compare(months, marks, unit).text).toContain('there were 3 restraints per service a month (50% more)');
  });
});
