/**
 * First aid (ILS) renewal on a trainer's record (17.4) through HTTP on the real app: the trainer records the new
 * expiry date with evidence; a date that is not in the future, or no evidence, comes back as a sentence linked to its
 * field; the record and the register show the new date, the history keeps the renewal with its evidence file (the lead
 * downloads it), and the expiry warnings use the new date (fake clock).
 */
import { newCertificateCode } from '../../server/credentials/code';
import { writeIssue } from '../../server/credentials/ledger';
import { helpers } from '../../server/http/views';
import { londonDate } from '../../server/progression/kinds/answers';
import { warnTrainer } from '../../server/register/warnings';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';
import { PNG } from '../signoffs/support';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
const DAY = 86_400_000;
const day = (offset: number) => londonDate(new Date(Date.now() + offset * DAY));

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
  const at = new Date(Date.now() - 30 * DAY);
  await t.database.db.transaction((tx) => writeIssue(tx, { code: newCertificateCode(), holderId: w.a.candidate.id, organisationId: w.a.org.id, cohortId: w.a.cohort.id, programmeTemplateId: null, programmeName: 'Trainer programme', competencies: [], signedBy: w.a.mentor.id, at, expiresAt: new Date(at.getTime() + 365 * DAY) }));
});
afterAll(() => t.stop());

const path = () => `/organisations/${w.a.org.id}/trainers/${w.a.candidate.id}`;

test('the trainer records a renewed first aid certificate with evidence; the register and the warnings use the new date', async () => {
  const trainer = await t.loginAs(w.a.candidate.email);
  const first = await trainer.get(path());
  expect(first.text).toMatch(/data-testid="record-first-aid">Not recorded</);
  expect(first.text).toContain('data-testid="first-aid-form"');
  const token = await t.csrf(trainer, path());

  const past = await trainer.post(`${path()}/first-aid`).set('x-csrf-token', token).field('expiresOn', day(0)).field('document', 'Certificate seen by my manager');
  expect(past.status).toBe(400);
  expect(past.text).toMatch(/<a href="#first-aid-expiresOn">That date is not in the future: a current certificate expires after today\. Enter the expiry date printed on your new certificate\.<\/a>/);
  expect(past.text).toMatch(/<details open data-testid="first-aid-renew">/);
  const bare = await trainer.post(`${path()}/first-aid`).set('x-csrf-token', token).field('expiresOn', day(30));
  expect(bare.status).toBe(400);
  expect(bare.text).toMatch(/<a href="#first-aid-document">Attach the new certificate or describe it/);
  expect(bare.text).toContain(`value="${day(30)}"`);

  const renewed = await trainer.post(`${path()}/first-aid`).set('x-csrf-token', token).field('expiresOn', day(30)).attach('files', PNG, { filename: 'ils-certificate.png', contentType: 'image/png' });
  expect(renewed.status).toBe(303);
  const after = await trainer.get(renewed.headers.location);
  expect(after.text).toContain('First aid (ILS) expiry recorded.');
  expect(after.text).toContain(`data-testid="record-first-aid">${helpers.date(day(30))}<`);
  const change = after.text.split('data-testid="record-change"')[1];
  expect(change).toMatch(/First aid \(ILS\) renewed: expires /);
  const fileHref = /Evidence: <a href="([^"]+)">ils-certificate\.png<\/a>/.exec(change)?.[1] as string;
  expect(fileHref).toBeTruthy();

  // The lead sees the new date on the register and downloads the evidence; they may not record one themself.
  const lead = await t.loginAs(w.a.lead.email);
  const register = await lead.get(`/organisations/${w.a.org.id}/register`);
  expect(register.text).toContain(`<td data-label="First aid (ILS) expires">${helpers.date(day(30))}</td>`);
  const file = await lead.get(fileHref).buffer(true);
  expect(file.status).toBe(200);
  expect(file.headers['content-disposition']).toContain('ils-certificate.png');
  expect((await lead.get(path())).text).not.toContain('data-testid="first-aid-form"');
  expect((await lead.post(`${path()}/first-aid`).set('x-csrf-token', await t.csrf(lead, path())).field('expiresOn', day(90)).field('document', 'Lead says so')).status).toBe(403);

  // The warnings read the renewed date: 30 days before it, the first aid warning names it.
  const sent = await warnTrainer(t.cadre.ctx, { userId: w.a.candidate.id, organisationId: w.a.org.id }, new Date());
  expect(sent).toEqual(expect.arrayContaining([expect.objectContaining({ topic: 'first-aid', dueOn: day(30), threshold: 30 })]));
});
