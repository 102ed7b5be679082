/** A lapsed trainer is shown as such wherever they appear (17.4): the organisation's course list and the course page
 * put the register's standing beside a lapsed trainer's name, with its reason, and nothing beside an active one; the
 * cohort's certificates and a certificate's own page say where its holder stands on the register. */
import { newCertificateCode } from '../../server/credentials/code';
import { writeIssue } from '../../server/credentials/ledger';
import { eq } from 'drizzle-orm';
import { certificates, impactCourses } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
const DAY = 86_400_000;

async function issue(holderId: string, expiresAt: Date) {
  await t.database.db.transaction((tx) =>
    writeIssue(tx, { code: newCertificateCode(), holderId, organisationId: w.a.org.id, cohortId: w.a.cohort.id, programmeTemplateId: null, programmeName: 'Trainer programme', competencies: [], signedBy: w.a.mentor.id, at: new Date(expiresAt.getTime() - 365 * DAY), expiresAt }),
  );
}

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
});
afterAll(() => t.stop());

it('puts "Lapsed" and its reason beside a lapsed trainer on the course list and the course page, nothing beside an active one', async () => {
  await issue(w.a.candidate.id, new Date(Date.now() + 200 * DAY));
  await issue(w.a.otherCandidate.id, new Date(Date.now() - 3 * DAY));
  const course = (trainerId: string, i: number) => ({ organisationId: w.a.org.id, cohortId: w.a.cohort.id, trainerId, deliveredOn: '2026-06-0' + i, venue: `Room ${i}`, attendees: 10, registerMode: 'codes' as const, durationMinutes: 180, questionnaireCode: `standingcode${String(i).padStart(8, '0')}`, createdBy: trainerId });
  const [active, lapsed] = await t.database.db.insert(impactCourses).values([course(w.a.candidate.id, 1), course(w.a.otherCandidate.id, 2)]).returning();

  const lead = await t.loginAs(w.a.lead.email);
  const list = await lead.get(`/organisations/${w.a.org.id}/courses`).expect(200);
  const rows = list.text.split('<tr>').slice(2);
  const rowOf = (name: string) => rows.find((r) => new RegExp(`data-label="Trainer">${name}[ <]`).test(r)) ?? '';
  expect(rowOf(w.a.otherCandidate.name)).toMatch(/data-testid="trainer-standing"[^>]*>Lapsed</);
  expect(rowOf(w.a.candidate.name)).not.toContain('trainer-standing');

  const page = await lead.get(`/courses/${lapsed.id}`).expect(200);
  expect(page.text).toMatch(/data-testid="trainer-standing">Lapsed</);
  expect(page.text).toContain("The certificate has expired; a refresher renews it.");
  expect((await lead.get(`/courses/${active.id}`).expect(200)).text).not.toContain('trainer-standing');

  // The impact view's confidence by trainer says it too.
  const impact = (await lead.get(`/organisations/${w.a.org.id}/impact`).expect(200)).text;
  const byTrainer = impact.slice(impact.indexOf('data-testid="impact-trainers"'));
  const trainerRow = (name: string) => byTrainer.split('<tr>').find((r) => new RegExp(`<th scope="row">${name}[ <]`).test(r)) ?? '';
  expect(trainerRow(w.a.otherCandidate.name)).toMatch(/data-testid="trainer-standing">Lapsed</);
  expect(trainerRow(w.a.candidate.name)).not.toContain('trainer-standing');

  // And the organisation's observation sampling.
  const sampling = (await lead.get(`/organisations/${w.a.org.id}/sampling`).expect(200)).text;
  const sampleRow = (name: string) => sampling.split('<tr').find((r) => new RegExp(`<th scope="row" class="wide">${name}[ <]`).test(r)) ?? '';
  expect(sampleRow(w.a.otherCandidate.name)).toMatch(/data-testid="trainer-standing">Lapsed</);
  expect(sampleRow(w.a.candidate.name)).not.toContain('trainer-standing');
});

it('says on the cohort’s certificates and on the certificate where its holder stands, linking the trainer record', async () => {
  const lead = await t.loginAs(w.a.lead.email);
  const list = await lead.get(`/cohorts/${w.a.cohort.id}/certificates`).expect(200);
  const row = (name: string) => list.text.split('<tr>').find((r) => r.includes(`>${name}</a>`)) ?? '';
  expect(row(w.a.otherCandidate.name)).toMatch(/data-testid="register-standing"><span class="status status-lapsed">Lapsed<\/span><br><span class="hint">The certificate has expired/);
  expect(row(w.a.candidate.name)).toMatch(/data-testid="register-standing"><span class="status status-active">Active<\/span><\/td>/);

  const [cert] = await t.database.db.select().from(certificates).where(eq(certificates.holderId, w.a.otherCandidate.id));
  const page = await lead.get(`/certificates/${cert.id}`).expect(200);
  expect(page.text).toMatch(/data-testid="holder-standing">On the trainer register: <span class="status status-lapsed">Lapsed<\/span>/);
  expect(page.text).toContain(`href="/organisations/${w.a.org.id}/trainers/${w.a.otherCandidate.id}"`);
});
