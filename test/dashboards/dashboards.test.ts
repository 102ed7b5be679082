import { eq } from 'drizzle-orm';
import { cohortStages } from '../../server/db/tables';
import { coDeliveryLiveRooms } from '../../modules/co-delivery/schema';
import { startTestApp, type TestApp } from '../support/app';
import { assess, buildReadinessWorld, dayOffset, mark, request, signAll, type ReadinessWorld } from '../readiness/world';

let t: TestApp;
let w: ReadinessWorld;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildReadinessWorld(t.database.db);
});

const cohortUrls = (cohortId: string) => [
  `/cohorts/${cohortId}/readiness`,
  `/cohorts/${cohortId}/readiness.csv`,
  `/cohorts/${cohortId}/signoffs.csv`,
  `/cohorts/${cohortId}/report.pdf`,
  `/api/v1/cohorts/${cohortId}/readiness`,
  `/api/v1/cohorts/${cohortId}/readiness.csv`,
  `/api/v1/cohorts/${cohortId}/signoffs.csv`,
  `/api/v1/cohorts/${cohortId}/report.pdf`,
];

describe('tenant isolation', () => {
  it('answers 404 to a lead of another organisation for every readiness page and export', async () => {
    const lead = await t.loginAs(w.a.lead.email);
    for (const url of cohortUrls(w.b.cohort.id)) expect([url, (await lead.get(url)).status]).toEqual([url, 404]);
    for (const url of cohortUrls(w.a.cohort.id)) expect([url, (await lead.get(url)).status]).toEqual([url, 200]);
  });

  it('answers 404 to a mentor of another cohort, and 200 for their own', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    for (const url of cohortUrls(w.b.cohort.id)) expect([url, (await mentor.get(url)).status]).toEqual([url, 404]);
    expect((await mentor.get(`/cohorts/${w.a.cohort.id}/readiness`)).status).toBe(200);
  });

  it('answers 403 to a candidate for their own cohort\'s readiness and every dashboard, 404 for another cohort', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    for (const url of cohortUrls(w.a.cohort.id)) expect([url, (await candidate.get(url)).status]).toEqual([url, 403]);
    for (const url of cohortUrls(w.b.cohort.id)) expect([url, (await candidate.get(url)).status]).toEqual([url, 404]);
    for (const url of ['/lead', '/mentor', '/admin/overview', '/api/v1/dashboards/lead', '/api/v1/dashboards/mentor', '/api/v1/dashboards/admin']) {
      expect([url, (await candidate.get(url)).status]).toEqual([url, 403]);
    }
  });

  it('keeps the lead dashboard to the lead\'s own organisation', async () => {
    const lead = await t.loginAs(w.a.lead.email);
    const res = await lead.get('/api/v1/dashboards/lead');
    expect(res.status).toBe(200);
    expect(res.body.cohorts.map((c: { name: string }) => c.name)).toEqual(['Cohort A']);
    const page = await lead.get('/lead');
    expect(page.text).toContain('Cohort A');
    expect(page.text).not.toContain('Cohort B');
    expect(page.text).not.toContain('Candidate B');
  });

  it('keeps the mentor dashboard to the mentor\'s cohorts, and the admin overview to admins', async () => {
    await request(t.database.db, { cohortId: w.b.cohort.id, candidateId: w.b.candidate.id, competencyId: w.comps[0].id, status: 'pending', mentorId: w.b.mentor.id });
    const mentor = await t.loginAs(w.a.mentor.email);
    const res = await mentor.get('/api/v1/dashboards/mentor');
    expect(res.body.waiting).toEqual([]);
    expect(res.body.cohorts.map((c: { name: string }) => c.name)).toEqual(['Cohort A']);
    const lead = await t.loginAs(w.a.lead.email);
    expect((await lead.get('/admin/overview')).status).toBe(403);
    expect((await t.anonymous().get('/lead')).status).toBe(302);
    expect((await t.anonymous().get('/api/v1/dashboards/lead')).status).toBe(401);
  });
});

describe('lead dashboard and cohort readiness page', () => {
  it('sends leads to /lead and mentors to /mentor from the home page', async () => {
    expect((await (await t.loginAs(w.a.lead.email)).get('/')).headers.location).toBe('/lead');
    expect((await (await t.loginAs(w.a.mentor.email)).get('/')).headers.location).toBe('/mentor');
  });

  it('shows heatmaps with words in every cell, row headers, next actions, drill-down links and chart data tables', async () => {
    const { a } = w;
    for (const s of w.stages.a) await mark(t.database.db, s.id, a.candidate.id, a.mentor.id, 3);
    await signAll(t.database.db, w, a.cohort.id, a.candidate.id, a.mentor.id);
    await assess(t.database.db, w, a.cohort.id, a.otherCandidate.id, a.mentor.id, [0, 2]);
    const lead = await t.loginAs(a.lead.email);
    const res = await lead.get(`/cohorts/${a.cohort.id}/readiness`);
    expect(res.status).toBe(200);
    const html = res.text;
    // One matrix (cards on a narrow screen): each candidate named once, as a row header linking to their record.
    expect(html).toContain('data-testid="readiness-matrix"');
    expect(html).toMatch(/<th scope="col" role="columnheader">1\. Pre-load videos<\/th>/);
    expect(html.match(/>Candidate A<\/a>/g)).toHaveLength(1);
    expect(html).toMatch(/<th scope="row" role="rowheader" class="who">\s*<a href="\/cohorts\/[\w-]+\/candidates\/[\w-]+" data-testid="candidate-name">Candidate A<\/a>/);
    expect(html).toContain(`/cohorts/${a.cohort.id}/candidates/${a.candidate.id}`);
    expect(html).toMatch(/<td role="cell" class="heat heat-complete"[^>]*><span class="cell-label">1\. Pre-load videos<\/span> Complete<span class="cell-date">/);
    expect(html).toMatch(/<li class="heat-complete"><strong>S1<\/strong> Demonstrates safe holds <span class="tag">Safety-critical<\/span> — Signed off<\/li>/);
    expect(html).toMatch(/<td role="cell" class="heat heat-not_started"[^>]*><span class="cell-label">[^<]+<\/span> Not started<\/td>/);
    expect(html).toContain('Ready to deliver — no action needed');
    // The candidate who is not ready: what would make them ready, and a date from the remaining windows.
    expect(html).toMatch(/3 competencies to be signed off \(1 safety-critical\): 3 not started\./);
    expect(html).toMatch(/data-testid="projection">(Projected ready by \d{1,2} \w{3} \d{4}|No date can be projected)/);
    expect(html).toContain('A must-pass criterion was not met in Mentor A’s latest Co-delivery observation assessment');
    expect(html).toMatch(/<strong>1<\/strong> ready to deliver/);
    expect(html).toMatch(/<strong>1<\/strong> at risk/);
    // Charts: a canvas with a text alternative and the same numbers in a table.
    // The completions chart counts the complete cells the matrix shows (three stages marked three days ago).
    expect(html).toMatch(/<canvas data-chart="[^"]+" role="img" aria-label="3 stage completions over 1 week"/);
    expect(html).toMatch(/<tfoot><tr><th scope="row">Total<\/th><td>3<\/td>/);
    expect(html.match(/heat heat-complete"/g)).toHaveLength(3);
    // One chart per rubric, its axes labelled, with its table.
    expect(html.match(/data-testid="rubric-chart"/g)).toHaveLength(1);
    expect(html).toContain('Rubric: Co-delivery observation');
    expect(html).toMatch(/axes&quot;:\{&quot;x&quot;:&quot;Average level \(1 &#x3D; lowest, 3 &#x3D; highest\)&quot;,&quot;y&quot;:&quot;Criterion&quot;\}/);
    expect(html).toMatch(/Keeps everyone safe \(must pass\)<\/th><td>1 of 3<\/td>/);
    expect(html).toContain('/static/vendor/chart.js/chart.umd.js');
    expect((await lead.get('/static/vendor/chart.js/chart.umd.js')).status).toBe(200);
    expect((await lead.get('/static/js/charts.js')).status).toBe(200);
  });

  it('compares several cohorts side by side and lists candidates needing attention', async () => {
    const { a } = w;
    // Make Cohort A's first stage overdue: both A candidates become at risk.
    await t.database.db.update(cohortStages).set({ endsOn: dayOffset(-2) }).where(eq(cohortStages.id, w.stages.a[0].id));
    const admin = await t.loginAs(w.admin.email);
    const res = await admin.get('/api/v1/dashboards/lead');
    expect(res.status).toBe(200);
    expect(res.body.cohorts.map((c: { name: string }) => c.name).sort()).toEqual(['Cohort A', 'Cohort B']);
    const cohortA = res.body.cohorts.find((c: { name: string }) => c.name === 'Cohort A');
    expect(cohortA.counts).toEqual({ candidates: 2, ready: 0, atRisk: 2, blocked: 0, inProgress: 0 });
    expect(res.body.attention.filter((x: { cohortId: string }) => x.cohortId === a.cohort.id)).toHaveLength(2);
    const page = await (await t.loginAs(a.lead.email)).get('/lead');
    expect(page.text).toContain('data-testid="cohort-compare"');
    expect(page.text).toContain('Pre-load videos is overdue');
    expect(page.text).toContain('Finish Pre-load videos — it is overdue');
  });
});

describe('mentor dashboard', () => {
  it('lists waiting sign-off requests oldest first with a link to review, upcoming stage windows, and candidates at risk', async () => {
    const { a } = w;
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: w.comps[0].id, status: 'pending', mentorId: a.mentor.id, daysAgo: 2 });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.otherCandidate.id, competencyId: w.comps[1].id, status: 'pending', mentorId: a.mentor.id, daysAgo: 5 });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.otherCandidate.id, competencyId: w.comps[2].id, status: 'declined', mentorId: a.mentor.id, daysAgo: 10 });
    const mentor = await t.loginAs(a.mentor.email);
    const res = await mentor.get('/api/v1/dashboards/mentor');
    expect(res.status).toBe(200);
    expect(res.body.waiting.map((x: { candidateName: string; waitingDays: number }) => [x.candidateName, x.waitingDays])).toEqual([
      ['Candidate A2', 5],
      ['Candidate A', 2],
    ]);
    // Changed on purpose: Review opens that one request, not the whole queue.
    expect(res.body.waiting[0].link).toBe(`/cohorts/${a.cohort.id}/signoffs/${res.body.waiting[0].id}`);
    expect(res.body.waitingTotal).toBe(2);
    expect(res.body.upcoming.map((u: { title: string }) => u.title)).toEqual(['Pre-load videos', 'Transfer week', 'Co-delivery']);
    expect(res.body.atRisk.map((x: { name: string }) => x.name)).toEqual(['Candidate A2']);
    const page = await mentor.get('/mentor');
    expect(page.status).toBe(200);
    expect(page.text.indexOf('Candidate A2')).toBeLessThan(page.text.indexOf('>Candidate A<'));
    expect(page.text).toContain(`href="/cohorts/${a.cohort.id}/signoffs"`);
    expect(page.text).toContain('2 requests are waiting, oldest first.');
  });

  it('lists under Running now each open live room with links to the room and to attainment recording; an ended room is not running', async () => {
    const { a } = w;
    const [open] = await t.database.db.insert(coDeliveryLiveRooms).values({ cohortId: a.cohort.id, candidateId: a.candidate.id, title: 'Breakaway demonstration', createdBy: a.mentor.id }).returning();
    await t.database.db.insert(coDeliveryLiveRooms).values({ cohortId: a.cohort.id, candidateId: a.candidate.id, title: 'Last week', createdBy: a.mentor.id, endedAt: new Date() });
    const mentor = await t.loginAs(a.mentor.email);
    const res = await mentor.get('/api/v1/dashboards/mentor');
    expect(res.body.running).toEqual([
      {
        cohortId: a.cohort.id,
        cohortName: a.cohort.name,
        title: 'Live room: Breakaway demonstration',
        detail: 'Candidate A is teaching',
        links: [
          { label: 'Open the live room with Candidate A', href: `/cohorts/${a.cohort.id}/live/${open.id}` },
          { label: 'Record attainment (choose the group)', href: `/cohorts/${a.cohort.id}/stages/co-delivery` },
        ],
      },
    ]);
    expect((await mentor.get('/mentor')).text).toContain(`href="/cohorts/${a.cohort.id}/live/${open.id}"`);
  });

  it('counts on the dashboard what the queue counts for the same mentor (one rule): a request they signed and that waits for another mentor\'s countersignature is in neither', async () => {
    const { a } = w;
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: w.comps[0].id, status: 'pending', mentorId: a.mentor.id, daysAgo: 2 });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.otherCandidate.id, competencyId: w.comps[1].id, status: 'awaiting_countersign', mentorId: a.mentor.id, daysAgo: 1 });
    const mentor = await t.loginAs(a.mentor.email);
    const dash = await mentor.get('/api/v1/dashboards/mentor');
    expect(dash.body.waitingTotal).toBe(1);
    const page = await mentor.get('/mentor');
    expect(page.text).toContain('1 request is waiting, oldest first.');
    expect(page.text).toMatch(/data-testid="cohort-queue-link">1 sign-off request waits for you/);
    const queue = await mentor.get(`/cohorts/${a.cohort.id}/signoffs`);
    expect(queue.text).toContain('1 request waits for your decision, longest wait first; 1 more waits for another mentor.');
    // Nothing waiting is said in words, not as a nought.
    // The waiting request goes back to its candidate for more evidence: nothing waits for this mentor now.
    await t.database.query(`update signoff_requests set status = 'more_evidence' where cohort_id = $1 and status = 'pending'`, [a.cohort.id]);
    expect((await mentor.get('/mentor')).text).toMatch(/data-testid="cohort-queue-link">No sign-off request waits for you/);
    expect((await mentor.get(`/cohorts/${a.cohort.id}/signoffs`)).text).toContain('No request waits for your decision; 1 more waits for another mentor.');
  });
});

describe('admin overview', () => {
  it('shows cohorts running, candidates ready and the requests waiting longest, across organisations', async () => {
    const { a } = w;
    for (const s of w.stages.a) await mark(t.database.db, s.id, a.candidate.id, a.mentor.id);
    await signAll(t.database.db, w, a.cohort.id, a.candidate.id, a.mentor.id);
    await request(t.database.db, { cohortId: w.b.cohort.id, candidateId: w.b.candidate.id, competencyId: w.comps[0].id, status: 'pending', mentorId: w.b.mentor.id, daysAgo: 12 });
    const admin = await t.loginAs(w.admin.email);
    const res = await admin.get('/api/v1/dashboards/admin');
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({ cohortsRunning: 2, candidates: 4, ready: 1 });
    expect(res.body.organisations.map((o: { organisationName: string; ready: number }) => [o.organisationName, o.ready])).toEqual([
      ['Client A', 1],
      ['Client B', 0],
    ]);
    expect(res.body.waiting[0]).toMatchObject({ candidateName: 'Candidate B', waitingDays: 12, organisationName: 'Client B' });
    const page = await admin.get('/admin/overview');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Overview across organisations');
    expect(page.text).toContain('12 days');
  });
});
