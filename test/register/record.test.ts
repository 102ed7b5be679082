/**
 * A trainer's record page (17.4) through HTTP on the real app: the lead of the trainer's organisation, an admin and the
 * trainer themself see the same record — level, standing in the register's words, each certificate (code, issued,
 * expiry), refresher, first aid, the CPD log with the last 12 months' hours, and the history of changes with who made
 * each by name. The register links to it by the trainer's name; the trainer reaches it from the menu. Nobody else sees it.
 */
import { newCertificateCode } from '../../server/credentials/code';
import { writeIssue } from '../../server/credentials/ledger';
import { cpdEntries, trainerRecordChanges } from '../../server/db/tables';
import { londonDate } from '../../server/progression/kinds/answers';
import { ensureTrainerRecord } from '../../server/register/records';
import { hoursSince, yearAgo } from '../../server/register/record';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
let codeA = '';
const DAY = 86_400_000;
const dayOffset = (days: number) => londonDate(new Date(Date.now() + days * DAY));

async function issue(holderId: string, tenant: World['a'], expiresAt: Date) {
  const code = newCertificateCode();
  await t.database.db.transaction((tx) =>
    writeIssue(tx, { code, holderId, organisationId: tenant.org.id, cohortId: tenant.cohort.id, programmeTemplateId: null, programmeName: 'Trainer programme', competencies: [], signedBy: tenant.mentor.id, at: new Date(expiresAt.getTime() - 365 * DAY), expiresAt }),
  );
  return code;
}

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
  codeA = await issue(w.a.candidate.id, w.a, new Date(Date.now() + 200 * DAY));
  await issue(w.a.otherCandidate.id, w.a, new Date(Date.now() - 3 * DAY));
  await issue(w.b.candidate.id, w.b, new Date(Date.now() + 100 * DAY));
  const db = t.database.db;
  const record = await ensureTrainerRecord(db, w.a.candidate.id, w.a.org.id);
  await db.insert(cpdEntries).values([
    { trainerRecordId: record.id, doneOn: dayOffset(-20), hours: 2.5, activity: 'De-escalation workshop', reflection: 'Practised calm, open stances.' },
    { trainerRecordId: record.id, doneOn: dayOffset(-400), hours: 6, activity: 'Old conference', reflection: 'More than a year ago.' },
  ]);
  await db.insert(trainerRecordChanges).values({ trainerRecordId: record.id, actorId: w.admin.id, change: 'First aid (ILS) expiry set to 1 March 2027', reason: 'New certificate seen', at: new Date(Date.now() - DAY) });
});
afterAll(() => t.stop());

const recordPath = (tenant: World['a'], userId: string) => `/organisations/${tenant.org.id}/trainers/${userId}`;

test('twelve months of CPD: from the day after the same day a year ago to today', () => {
  expect(yearAgo('2026-12-02')).toBe('2025-12-03');
  expect(yearAgo('2028-02-29')).toBe('2027-03-01');
  expect(hoursSince([{ doneOn: '2025-12-02', hours: 3 }, { doneOn: '2025-12-03', hours: 1.5 }, { doneOn: '2026-12-02', hours: 1 }, { doneOn: '2026-12-03', hours: 9 }], '2025-12-03', '2026-12-02')).toBe(2.5);
});

test('the lead opens a trainer’s record from the register by name and sees the whole record', async () => {
  const lead = await t.loginAs(w.a.lead.email);
  const register = await lead.get(`/organisations/${w.a.org.id}/register`);
  expect(register.text).toContain(`<a href="${recordPath(w.a, w.a.candidate.id)}">Candidate A</a>`);
  const page = await lead.get(recordPath(w.a, w.a.candidate.id));
  expect(page.status).toBe(200);
  expect(page.text).toContain('Candidate A — trainer record');
  expect(page.text).toMatch(/data-testid="record-standing"><span class="status status-active">Active<\/span> The certificate is current\./);
  expect(page.text).toMatch(/data-testid="record-level">Associate trainer</);
  expect(page.text).toContain(codeA);
  expect(page.text).toMatch(/data-testid="record-first-aid">Not recorded</);
  expect(page.text).toContain('2.5 hours of CPD in the last 12 months.');
  expect(page.text).toContain('De-escalation workshop');
  expect(page.text).toContain('Practised calm, open stances.');
  expect(page.text).toContain('Old conference');
  const change = page.text.split('data-testid="record-change"')[1];
  expect(change).toContain('First aid (ILS) expiry set to 1 March 2027');
  expect(change).toContain('<td data-label="Who">Admin</td>');
  expect(change).toContain('New certificate seen');
  // A lapsed trainer's record says so in the register's words.
  const lapsed = await lead.get(recordPath(w.a, w.a.otherCandidate.id));
  expect(lapsed.text).toContain('The certificate has expired; a refresher renews it.');
  expect(lapsed.text).toContain('No changes yet');
});

test('the trainer reaches their own record from the menu; an admin sees any; others are refused', async () => {
  const trainer = await t.loginAs(w.a.candidate.email);
  const home = await trainer.get('/certificates/mine');
  expect(home.text).toMatch(new RegExp(`href="${recordPath(w.a, w.a.candidate.id)}"[^>]*>My trainer record<`));
  const own = await trainer.get(recordPath(w.a, w.a.candidate.id));
  expect(own.status).toBe(200);
  expect(own.text).toContain('<h1>My trainer record</h1>');
  expect(own.text).not.toContain('href="/organisations/'.concat(w.a.org.id, '/register"'));
  const mine = await trainer.get('/trainers/mine');
  expect(mine.status).toBe(303);
  expect(mine.headers.location).toBe(recordPath(w.a, w.a.candidate.id));
  // Another trainer's record is not theirs to see.
  expect((await trainer.get(recordPath(w.a, w.a.otherCandidate.id))).status).toBe(404);

  const admin = await t.loginAs(w.admin.email);
  expect((await admin.get(recordPath(w.b, w.b.candidate.id))).status).toBe(200);
  expect((await admin.get('/certificates/mine')).text).not.toContain('My trainer record');
  // Someone who is not on that register has no record there.
  expect((await admin.get(recordPath(w.b, w.a.candidate.id))).status).toBe(404);

  const lead = await t.loginAs(w.a.lead.email);
  expect((await lead.get(recordPath(w.b, w.b.candidate.id))).status).toBe(404);
  const mentor = await t.loginAs(w.a.mentor.email);
  expect((await mentor.get(recordPath(w.a, w.a.candidate.id))).status).toBe(404);
});
