/**
 * The trainer register (17.4) through HTTP on the real app: certificates issued through the ledger put people on
 * their organisation's register; an expired one shows its trainer lapsed (page and CSV); a lead sees only their own
 * organisation's register (another's is not found), a candidate cannot open it, and the provider sees every one.
 */
import { newCertificateCode } from '../../server/credentials/code';
import { writeIssue } from '../../server/credentials/ledger';
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
  expect(page.text).toContain('Lapsed: the certificate has expired; a refresher renews it.');
  expect(page.text).toContain('Active: the certificate is current.');
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
