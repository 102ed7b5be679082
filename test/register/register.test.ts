/**
 * The trainer register (17.4) through HTTP on the real app: certificates issued through the ledger put people on
 * their organisation's register; an expired one shows its trainer lapsed (page and CSV); a lead sees only their own
 * organisation's register (another's is not found), a candidate cannot open it, and the provider sees every one.
 * Each trainer's observation sampling (last observed, due now) is on the page and in the CSV.
 */
import { asc, eq } from 'drizzle-orm';
import { newCertificateCode } from '../../server/credentials/code';
import { certificates, impactCourses, rubricCriteria } from '../../server/db/tables';
import { createRubric } from '../../server/rubrics/commands';
import { writeIssue, writeRevocation } from '../../server/credentials/ledger';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;

async function issue(holderId: string, tenant: World['a'], expiresAt: Date) {
  await t.database.db.transaction((tx) =>
    writeIssue(tx, { code: newCertificateCode(), holderId, organisationId: tenant.org.id, cohortId: tenant.cohort.id, programmeTemplateId: null, programmeName: 'Trainer programme', competencies: [], signedBy: tenant.mentor.id, at: new Date(expiresAt.getTime() - 365 * 86_400_000), expiresAt }),
  );
}

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
  await issue(w.a.candidate.id, w.a, new Date(Date.now() + 200 * 86_400_000));
  await issue(w.a.otherCandidate.id, w.a, new Date(Date.now() - 3 * 86_400_000));
  await issue(w.b.candidate.id, w.b, new Date(Date.now() + 100 * 86_400_000));
});
afterAll(() => t.stop());

test('a lead sees their organisation’s register, with a lapsed trainer shown lapsed; the CSV says the same', async () => {
  const lead = await t.loginAs(w.a.lead.email);
  const home = await lead.get('/cohorts');
  expect(home.text).toContain(`href="/organisations/${w.a.org.id}/register"`);
  const page = await lead.get(`/organisations/${w.a.org.id}/register`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('2 trainers, 1 lapsed');
  expect(page.text).toContain('Candidate A2');
  expect(page.text).toContain('The certificate has expired; a refresher renews it.');
  expect(page.text).toContain('The certificate is current.');
  expect(page.text).not.toContain('Candidate B');
  const csv = await lead.get(`/organisations/${w.a.org.id}/register/register.csv`);
  expect(csv.status).toBe(200);
  expect(csv.text).toMatch(/Client A,Candidate A2,Associate trainer,Lapsed,/);
});

test('a lead of organisation A cannot see organisation B’s register; a candidate cannot open one; the provider sees all', async () => {
  const lead = await t.loginAs(w.a.lead.email);
  expect((await lead.get(`/organisations/${w.b.org.id}/register`)).status).toBe(404);
  expect((await lead.get(`/organisations/${w.b.org.id}/register/register.csv`)).status).toBe(404);
  expect((await lead.get('/register')).status).toBe(403);
  const candidate = await t.loginAs(w.a.candidate.email);
  expect((await candidate.get(`/organisations/${w.a.org.id}/register`)).status).toBe(403);
  const admin = await t.loginAs(w.admin.email);
  const all = await admin.get('/register');
  expect(all.status).toBe(200);
  expect(all.text).toContain('3 trainers, 1 lapsed');
  expect(all.text).toContain('Candidate B');
});

test('the register shows each trainer’s sampling — last observation, whether one is due — and the CSV has it in words', async () => {
  const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric' }).format(new Date()));
  const course = (trainerId: string, deliveredOn: string, i: number) => ({ organisationId: w.a.org.id, cohortId: w.a.cohort.id, trainerId, deliveredOn, venue: `Room ${i}`, attendees: 10, registerMode: 'codes' as const, durationMinutes: 180, questionnaireCode: `regcode${year}${String(i).padStart(10, '0')}`, createdBy: trainerId, createdAt: new Date(Date.UTC(year, 0, 1) + i * 3_600_000) });
  // Candidate A: one course last year (unobserved → overdue) and one this year, which a mentor observes.
  const [, thisYears] = await t.database.db.insert(impactCourses).values([course(w.a.candidate.id, `${year - 1}-05-10`, 1), course(w.a.candidate.id, `${year}-01-02`, 2)]).returning();
  const rubric = await createRubric(t.database.db, null, { key: 'register-observation', name: 'Observed delivery', passThreshold: 50, levels: [{ label: 'Not yet', points: 0 }, { label: 'Secure', points: 2 }], criteria: [{ title: 'Keeps practice safe', weight: 1, mustPass: false, passLevel: 1, descriptors: ['', ''] }] });
  const [criterion] = await t.database.db.select().from(rubricCriteria).where(eq(rubricCriteria.rubricId, rubric.id)).orderBy(asc(rubricCriteria.position));
  const mentor = await t.loginAs(w.a.mentor.email);
  const csrf = await t.csrf(mentor, `/courses/${thisYears.id}`);
  const observed = await mentor.post(`/courses/${thisYears.id}/observations`).type('form').send({ _csrf: csrf, rubric: 'register-observation', observedOn: `${year}-01-02`, notes: 'Calm and clear.', [`level_${criterion.id}`]: '1' });
  expect(observed.status).toBe(303);

  const lead = await t.loginAs(w.a.lead.email);
  const page = await lead.get(`/organisations/${w.a.org.id}/register`);
  const rows = page.text.split('data-testid="trainer"').slice(1);
  const a = rows.find((r) => r.includes('Candidate A<')) as string;
  expect(a).toContain('Observation due');
  expect(a).toContain('Last observed 2 Jan');
  expect(a).toContain(`Overdue: 0 of 1 observed in ${year - 1}. Done: 1 of 1 observed in ${year}.`);
  const a2 = rows.find((r) => r.includes('Candidate A2<')) as string;
  expect(a2).toContain('Not observed yet');
  expect(a2).toContain('No courses recorded yet, so none due.');
  expect(a2).not.toContain('Observation due');
  const csv = await lead.get(`/organisations/${w.a.org.id}/register/register.csv`);
  expect(csv.text.startsWith('\uFEFFOrganisation,Trainer,')).toBe(true);
  expect(csv.text).toContain('Last observed,Observation due,Sampling\r\n');
  expect(csv.text).toMatch(new RegExp(`Client A,Candidate A,.*,2 Jan ${year},Yes,Overdue: 0 of 1 observed in ${year - 1}\\. Done: 1 of 1 observed in ${year}\\.`));
  expect(csv.text).toMatch(/Client A,Candidate A2,.*,Never,No,"?No courses recorded yet, so none due\."?/);
});

test('a lapsed trainer is shown lapsed on /verify and on their own certificates page — expired and revoked alike', async () => {
  const [expired] = await t.database.db.select().from(certificates).where(eq(certificates.holderId, w.a.otherCandidate.id));
  const page = await t.anonymous().get(`/verify/${expired.code}`);
  expect(page.status).toBe(200);
  expect(page.text).toMatch(/data-testid="verify-standing"><span class="status status-lapsed">Lapsed<\/span> The certificate has expired\./);
  const own = await (await t.loginAs(w.a.otherCandidate.email)).get('/certificates/mine');
  expect(own.text).toContain('On the Client A trainer register: <span class="status status-lapsed">Lapsed</span> The certificate has expired; a refresher renews it.');
  const [valid] = await t.database.db.select().from(certificates).where(eq(certificates.holderId, w.b.candidate.id));
  expect((await t.anonymous().get(`/verify/${valid.code}`)).text).toContain('<span class="status status-active">Active</span>');
  await t.database.db.transaction((tx) => writeRevocation(tx, valid, { by: w.admin.id, reason: 'Private reason kept off the page', at: new Date() }));
  const revoked = await t.anonymous().get(`/verify/${valid.code}`);
  expect(revoked.text).toMatch(/<span class="status status-lapsed">Lapsed<\/span> The certificate was revoked\./);
  expect(revoked.text).not.toContain('Private reason');
  expect((await (await t.loginAs(w.b.candidate.email)).get('/certificates/mine')).text).toContain('The certificate was revoked (Private reason kept off the page).');
});
