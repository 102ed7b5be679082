/**
 * Eligibility at enrolment (17.1), through HTTP on the real app: an admin makes the cohort require eligibility
 * evidence; the first stage's gate then blocks and says what is missing (linking to where the candidate acts); the
 * candidate records a qualification (with a file), two years in a care role and first aid with its expiry (described
 * documents); a mentor returns one with a reason and confirms the rest; the first stage opens. A candidate cannot
 * confirm their own evidence, another tenant's mentor cannot see it, bad input names its field and writes nothing, and
 * the ledger vouches for every record.
 */
import { eq } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { eligibilityRecords } from '../../server/db/tables';
import { ledgerProjections } from '../../server/ledger/registry';
import { verifyRecord } from '../../server/ledger/verify';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';
import { addStages } from '../progression/support';
import { PNG } from '../signoffs/support';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
let admin: TestAgent;
let candidate: TestAgent;
let mentor: TestAgent;
let tokens: Record<string, string>;

const page = (p = '') => `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/eligibility${p}`;
const isoDaysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function firstStage(agent: TestAgent) {
  const res = await agent.get(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/progress`);
  expect(res.status).toBe(200);
  const stage = res.body.stages[0] as { status: string; requirements: { when: string; met: boolean; reason: string }[] };
  return { status: stage.status, open: stage.requirements.filter((r) => r.when === 'open') };
}

const record = (fields: Record<string, string>, requirement: string, file?: boolean) => {
  const req = candidate.post(page(`/${requirement}`)).set('x-csrf-token', tokens.candidate).redirects(0);
  for (const [k, v] of Object.entries(fields)) req.field(k, v);
  return file ? req.attach('files', PNG, { filename: 'diploma.png', contentType: 'image/png' }) : req.field('files', '');
};

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
  await addStages(t.database.db, w.a.cohort.id, [{ moduleKey: 'preload-video', title: 'Pre-load' }, { moduleKey: 'zoom-intro', title: 'Zoom introduction', open: [{ kind: 'previous-stage-complete', params: {} }] }]);
  [admin, candidate, mentor] = await Promise.all([t.loginAs(w.admin.email), t.loginAs(w.a.candidate.email), t.loginAs(w.a.mentor.email)]);
  tokens = { admin: await t.csrf(admin, `/cohorts/${w.a.cohort.id}/eligibility`), candidate: await t.csrf(candidate, page()), mentor: await t.csrf(mentor, page()) };
});
afterAll(() => t.stop());

test('the setting is the admin’s: a lead or mentor cannot change it; with it on, the first stage is locked and the gate says what is missing', async () => {
  expect((await firstStage(candidate)).status).not.toBe('locked');
  const lead = await t.loginAs(w.a.lead.email);
  const leadToken = await t.csrf(lead, `/cohorts/${w.a.cohort.id}/eligibility`);
  expect((await lead.post(`/cohorts/${w.a.cohort.id}/eligibility/setting`).type('form').send({ _csrf: leadToken, required: 'on' })).status).toBe(403);
  const on = await admin.post(`/cohorts/${w.a.cohort.id}/eligibility/setting`).type('form').send({ _csrf: tokens.admin, required: 'on' }).redirects(0);
  expect(on.status).toBe(303);
  const overview = await admin.get(`/cohorts/${w.a.cohort.id}/eligibility`);
  expect(overview.text).toContain('Candidates need a mentor to confirm their eligibility before “Pre-load” opens.');
  const stage = await firstStage(candidate);
  expect(stage.status).toBe('locked');
  const gate = stage.open.find((r) => !r.met);
  expect(gate?.reason).toBe('Record your professional qualification with its evidence. Record your two years in a support or care role with its evidence. Record your first aid certificate with its evidence.');
  // The timeline links the gate to where the candidate acts.
  const timeline = await candidate.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`);
  expect(timeline.text).toMatch(new RegExp(`href="/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/eligibility"[^>]*>Record your eligibility evidence`));
});

test('bad input is refused naming its field, and nothing is written', async () => {
  const short = await record({ description: 'Support worker, Riverside Care', sinceOn: isoDaysFromNow(-400), document: 'Reference letter from my manager' }, 'experience');
  expect(short.status).toBe(400);
  expect(short.text).toContain('The programme asks for at least two years&#x27; continuous work in a support or care role; from this start date you have 1 year and 1 month.');
  expect(short.text).toContain('href="#experience-sinceOn"');
  const expired = await record({ description: 'First aid at work with ILS', expiresOn: isoDaysFromNow(-1), document: 'Certificate from St John' }, 'first-aid');
  expect(expired.status).toBe(400);
  expect(expired.text).toContain('This first aid certificate has expired: record a current one.');
  const nothing = await record({ description: 'Level 3 Diploma' }, 'qualification');
  expect(nothing.status).toBe(400);
  expect(nothing.text).toContain('Attach the document or describe it');
  expect(await t.database.db.select().from(eligibilityRecords).where(eq(eligibilityRecords.candidateId, w.a.candidate.id))).toHaveLength(0);
});

test('recorded evidence waits for a mentor; the candidate cannot confirm it; a returned one says why; confirmed, the first stage opens', async () => {
  expect((await record({ description: 'Level 3 Diploma in Health and Social Care' }, 'qualification', true)).status).toBe(303);
  expect((await record({ description: 'Support worker, Riverside Care', sinceOn: isoDaysFromNow(-3 * 366), document: 'Reference letter from my manager' }, 'experience')).status).toBe(303);
  expect((await record({ description: 'First aid at work with immediate life support', expiresOn: isoDaysFromNow(200), document: 'Certificate from St John Ambulance' }, 'first-aid')).status).toBe(303);
  let gate = (await firstStage(candidate)).open.find((r) => !r.met);
  expect(gate?.reason).toBe('Your professional qualification is waiting for a mentor to confirm it. Your two years in a support or care role is waiting for a mentor to confirm it. Your first aid certificate is waiting for a mentor to confirm it.');

  // Nobody confirms their own record, and the candidate's page offers them no such button.
  expect((await candidate.post(page('/first-aid/decision')).type('form').send({ _csrf: tokens.candidate, decision: 'confirm' })).status).toBe(403);
  expect((await candidate.get(page())).text).not.toContain('data-testid="decide-');
  const other = await t.loginAs(w.b.mentor.email);
  expect((await other.get(page())).status).toBe(404);

  const file = await mentor.get(page('/qualification/file'));
  expect(file.status).toBe(200);
  expect(file.headers['content-disposition']).toContain('diploma.png');
  const noReason = await mentor.post(page('/first-aid/decision')).type('form').send({ _csrf: tokens.mentor, decision: 'return' });
  expect(noReason.status).toBe(400);
  expect(noReason.text).toContain('Say why you are returning it');
  const returned = await mentor.post(page('/first-aid/decision')).type('form').send({ _csrf: tokens.mentor, decision: 'return', reason: 'The certificate does not mention immediate life support.' }).redirects(0);
  expect(returned.status).toBe(303);
  for (const r of ['qualification', 'experience']) expect((await mentor.post(page(`/${r}/decision`)).type('form').send({ _csrf: tokens.mentor, decision: 'confirm' }).redirects(0)).status).toBe(303);
  gate = (await firstStage(candidate)).open.find((r) => !r.met);
  expect(gate?.reason).toBe('A mentor returned your first aid certificate: The certificate does not mention immediate life support. Change it and send it again.');
  expect(await t.mailTo(w.a.candidate.email, 1)).toMatchObject({ subject: expect.stringContaining('returned your first aid certificate') });

  expect((await record({ description: 'First aid at work including immediate life support (ILS)', expiresOn: isoDaysFromNow(300), document: 'Certificate from St John Ambulance, ILS module listed' }, 'first-aid')).status).toBe(303);
  expect((await mentor.post(page('/first-aid/decision')).type('form').send({ _csrf: tokens.mentor, decision: 'confirm' }).redirects(0)).status).toBe(303);
  const stage = await firstStage(candidate);
  expect(stage.status).not.toBe('locked');
  expect(stage.open.every((r) => r.met)).toBe(true);
  const shown = await candidate.get(page());
  expect(shown.text).toContain('Eligibility confirmed');

  const verified = await verifyRecord(t.database.db, ledgerProjections([]));
  expect(verified.ok).toBe(true);
  // The ledger vouches for what the gate shows: a status changed behind Cadre's back is caught, naming the row.
  await t.database.db.update(eligibilityRecords).set({ status: 'submitted' }).where(eq(eligibilityRecords.requirement, 'experience'));
  const broken = await verifyRecord(t.database.db, ledgerProjections([]));
  expect(broken.ok).toBe(false);
  expect(JSON.stringify(broken)).toContain('its status is “Waiting for a mentor” but the ledger says “Confirmed”');
  await t.database.db.update(eligibilityRecords).set({ status: 'confirmed' }).where(eq(eligibilityRecords.requirement, 'experience'));
  // A record deleted, and one inserted with no ledger entry, are caught too (issue 10.1), each naming its row.
  const db = t.database.db;
  const [experience] = await db.select().from(eligibilityRecords).where(eq(eligibilityRecords.requirement, 'experience'));
  await db.delete(eligibilityRecords).where(eq(eligibilityRecords.id, experience.id));
  const deleted = await verifyRecord(db, ledgerProjections([]));
  expect(deleted.disagreement).toMatchObject({ table: 'eligibility_records', rowId: experience.id });
  expect(deleted.summary).toMatch(/^NOT VERIFIED: the eligibility evidence do not match the ledger — .*the row is missing, but ledger entry \d+ records it/);
  await db.insert(eligibilityRecords).values(experience);
  expect((await verifyRecord(db, ledgerProjections([]))).ok).toBe(true);
  const [forged] = await db.insert(eligibilityRecords).values({ cohortId: w.a.cohort.id, candidateId: w.a.otherCandidate.id, requirement: 'qualification', description: 'Level 3 award (never recorded in Cadre)', status: 'confirmed', submittedAt: new Date(), decidedBy: w.a.mentor.id, decidedAt: new Date() }).returning();
  const inserted = await verifyRecord(db, ledgerProjections([]));
  expect(inserted.disagreement).toMatchObject({ table: 'eligibility_records', rowId: forged.id });
  expect(inserted.summary).toMatch(/no ledger entry records it/);
  await db.delete(eligibilityRecords).where(eq(eligibilityRecords.id, forged.id));
  expect((await verifyRecord(db, ledgerProjections([]))).ok).toBe(true);
});
