/**
 * Expiry warnings (17.4) on a fake clock (`now` passed in; no sleeps), on the real app and database: 60/30/7 days
 * before a certificate or first aid expires the trainer gets one notification and one branded e-mail per threshold,
 * re-runs send nothing, after downtime only the nearest threshold goes out, topics are independent, two scans at once
 * warn once, and the real job queue runs the scan and the per-trainer jobs.
 */
import { and, eq } from 'drizzle-orm';
import { newCertificateCode } from '../../server/credentials/code';
import { writeIssue } from '../../server/credentials/ledger';
import { expiryWarnings, notifications, trainerRecords } from '../../server/db/tables';
import { scanExpiries, scheduleNextScan, SCAN_JOB, warnTrainer, WARNING_KIND } from '../../server/register/warnings';
import { startTestApp, type TestApp } from '../support/app';
import { buildUser, buildWorld, type World } from '../support/factories';

jest.setTimeout(120_000);

const DAY = 86_400_000;
let t: TestApp;
let w: World;

/** Issues `holderId` a certificate at tenant's organisation expiring at noon UTC on `expiresOn`. */
async function issue(holderId: string, tenant: World['a'], expiresOn: string) {
  const expiresAt = new Date(`${expiresOn}T12:00:00Z`);
  await t.database.db.transaction((tx) =>
    writeIssue(tx, { code: newCertificateCode(), holderId, organisationId: tenant.org.id, cohortId: tenant.cohort.id, programmeTemplateId: null, programmeName: 'Trainer programme', competencies: [], signedBy: tenant.mentor.id, at: new Date(expiresAt.getTime() - 365 * DAY), expiresAt }),
  );
}
const before = (iso: string, days: number) => new Date(new Date(`${iso}T12:00:00Z`).getTime() - days * DAY);
const ctx = () => t.cadre.ctx;
const warningsOf = async (userId: string) => (await t.database.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, WARNING_KIND)))).map((n) => n.title);

beforeAll(async () => {
  t = await startTestApp({ jobPollSeconds: 0.5 });
  w = await buildWorld(t.database.db);
});
afterAll(() => t.stop());

test('a certificate warns once at 60, 30 and 7 days — none at 61, none on a re-run — in-app and by branded e-mail', async () => {
  const who = { userId: w.a.candidate.id, organisationId: w.a.org.id };
  await issue(who.userId, w.a, '2027-03-01');
  expect(await t.database.db.select().from(trainerRecords).where(eq(trainerRecords.userId, who.userId))).toHaveLength(0);
  expect(await warnTrainer(ctx(), who, before('2027-03-01', 61))).toEqual([]);
  expect((await warnTrainer(ctx(), who, before('2027-03-01', 60))).map((d) => d.threshold)).toEqual([60]);
  // The trainer had no record: the first warning made one.
  expect(await t.database.db.select().from(trainerRecords).where(eq(trainerRecords.userId, who.userId))).toHaveLength(1);
  expect(await warnTrainer(ctx(), who, before('2027-03-01', 60))).toEqual([]);
  expect(await warnTrainer(ctx(), who, before('2027-03-01', 45))).toEqual([]);
  expect((await warnTrainer(ctx(), who, before('2027-03-01', 30))).map((d) => d.threshold)).toEqual([30]);
  expect(await warnTrainer(ctx(), who, before('2027-03-01', 29))).toEqual([]);
  expect((await warnTrainer(ctx(), who, before('2027-03-01', 7))).map((d) => d.threshold)).toEqual([7]);
  expect(await warnTrainer(ctx(), who, before('2027-03-01', 1))).toEqual([]);
  expect(await warningsOf(who.userId)).toEqual(['Your trainer certificate expires in 60 days', 'Your trainer certificate expires in 30 days', 'Your trainer certificate expires in 7 days']);
  const mail = await t.mailTo(w.a.candidate.email, 3);
  expect(mail.subject).toBe('Your trainer certificate expires in 7 days');
  expect(mail.text).toContain('Your trainer certificate for Client A expires on 1 March 2027 (in 7 days).');
  const branded = t.cadre.ctx.mailer.outbox.filter((m) => m.to === w.a.candidate.email);
  expect(branded).toHaveLength(3);
  expect(branded[2].html).toContain('<!doctype html>');
  expect(branded[2].text).toMatch(/— .+\n$/);
});

test('after downtime only the nearest crossed threshold is sent, not three at once', async () => {
  const who = { userId: w.a.otherCandidate.id, organisationId: w.a.org.id };
  await issue(who.userId, w.a, '2027-04-10');
  expect((await warnTrainer(ctx(), who, before('2027-04-10', 5))).map((d) => d.threshold)).toEqual([7]);
  expect(await warnTrainer(ctx(), who, before('2027-04-10', 3))).toEqual([]);
  expect(await warningsOf(who.userId)).toEqual(['Your trainer certificate expires in 5 days']);
});

test('the certificate and first aid warn independently', async () => {
  const who = { userId: w.b.candidate.id, organisationId: w.b.org.id };
  await issue(who.userId, w.b, '2027-06-30');
  await t.database.db.insert(trainerRecords).values({ ...who, firstAidExpiresOn: '2027-03-31' });
  // 30 days before first aid expires; the certificate is 121 days off.
  expect((await warnTrainer(ctx(), who, before('2027-03-31', 30))).map((d) => [d.topic, d.threshold])).toEqual([['first-aid', 30]]);
  // 60 days before the certificate: first aid has expired by then, so only the certificate warns.
  expect((await warnTrainer(ctx(), who, before('2027-06-30', 60))).map((d) => [d.topic, d.threshold])).toEqual([['certificate', 60]]);
  expect(await warningsOf(who.userId)).toEqual(['Your first aid (ILS) certificate expires in 30 days', 'Your trainer certificate expires in 60 days']);
  // 7 days before first aid, with the certificate 98 days off: first aid's 7 only.
  await t.database.db.update(trainerRecords).set({ firstAidExpiresOn: '2027-05-01' }).where(eq(trainerRecords.userId, who.userId));
  expect((await warnTrainer(ctx(), who, before('2027-05-01', 7))).map((d) => [d.topic, d.threshold])).toEqual([['first-aid', 7]]);
});

test('a suspended trainer and a lapsed one are not warned', async () => {
  const suspended = await buildUser(t.database.db, { name: 'Suspended Trainer', organisationId: w.a.org.id, role: 'candidate' });
  await issue(suspended.id, w.a, '2027-05-01');
  await t.database.db.insert(trainerRecords).values({ userId: suspended.id, organisationId: w.a.org.id, suspendedAt: new Date('2026-01-01T00:00:00Z'), suspensionReason: 'Under review' });
  expect(await warnTrainer(ctx(), { userId: suspended.id, organisationId: w.a.org.id }, before('2027-05-01', 30))).toEqual([]);
  // After expiry the first aid date would still be near, but a lapsed trainer is not warned.
  expect(await warnTrainer(ctx(), { userId: w.a.otherCandidate.id, organisationId: w.a.org.id }, before('2027-04-10', -1))).toEqual([]);
});

test('two scans at once through the real job queue warn each trainer exactly once; a later scan queues nothing', async () => {
  const one = await buildUser(t.database.db, { name: 'Queue Trainer', organisationId: w.b.org.id, role: 'candidate' });
  await issue(one.id, w.b, '2028-01-31');
  const at = before('2028-01-31', 30).toISOString();
  await Promise.all([ctx().jobs.enqueue(SCAN_JOB, { at }), ctx().jobs.enqueue(SCAN_JOB, { at })]);
  const deadline = Date.now() + 20_000;
  while ((await warningsOf(one.id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(await warningsOf(one.id)).toEqual(['Your trainer certificate expires in 30 days']);
  // Both scans' per-trainer jobs have run or will find it recorded: one row, and a third scan queues no job for them.
  expect(await scanExpiries(ctx(), new Date(at))).toBe(0);
  const rows = await t.database.db.select().from(expiryWarnings).innerJoin(trainerRecords, eq(trainerRecords.id, expiryWarnings.trainerRecordId)).where(eq(trainerRecords.userId, one.id));
  expect(rows).toHaveLength(1);
  expect(await warningsOf(one.id)).toHaveLength(1);
});

test('the hourly scan is queued once per hour however many nodes ask', async () => {
  const now = new Date('2030-05-05T10:20:00Z');
  expect(await scheduleNextScan(ctx(), now)).toEqual(expect.any(String));
  expect(await scheduleNextScan(ctx(), new Date('2030-05-05T10:40:00Z'))).toBeNull();
  expect(await scheduleNextScan(ctx(), new Date('2030-05-05T11:05:00Z'))).toEqual(expect.any(String));
});

test('the organisation’s leads are told too, about their trainer by name, with a link to the trainer’s record', async () => {
  const trainer = await buildUser(t.database.db, { name: 'Jordan Reyes', organisationId: w.b.org.id, role: 'candidate' });
  const who = { userId: trainer.id, organisationId: w.b.org.id };
  await issue(who.userId, w.b, '2027-05-01');
  expect((await warnTrainer(ctx(), who, before('2027-05-01', 30))).map((d) => d.threshold)).toEqual([30]);
  const toLeads = (await t.database.db.select().from(notifications).where(and(eq(notifications.userId, w.b.lead.id), eq(notifications.kind, WARNING_KIND)))).filter((n) => n.title.startsWith('Jordan Reyes'));
  expect(toLeads).toHaveLength(1);
  const [toLead] = toLeads;
  expect(toLead.title).toBe('Jordan Reyes’s trainer certificate expires in 30 days');
  expect(toLead.link).toBe(`/organisations/${w.b.org.id}/trainers/${trainer.id}`);
  const [toTrainer] = await t.database.db.select().from(notifications).where(and(eq(notifications.userId, who.userId), eq(notifications.kind, WARNING_KIND)));
  expect(toTrainer.link).toBe(toLead.link);
  // The e-mail goes after the commit: wait for it.
  const mailed = () => t.cadre.ctx.mailer.outbox.filter((m) => m.to === w.b.lead.email && m.subject === toLead.title);
  for (let i = 0; i < 50 && !mailed().length; i++) await new Promise((r) => setTimeout(r, 100));
  expect(mailed()).toHaveLength(1);
  // The lead's link opens the record.
  const lead = await t.loginAs(w.b.lead.email);
  await lead.get(toLead.link as string).expect(200);
});
