/**
 * The CPD log on a trainer's record (17.4) through HTTP on the real app: the trainer adds an entry with an evidence
 * file, edits and deletes entries; a date in the future or a missing field comes back as a sentence linked to its
 * field with what was typed kept; the lead and an admin read the log and download the evidence but may not change it;
 * the history says what changed.
 */
import { newCertificateCode } from '../../server/credentials/code';
import { writeIssue } from '../../server/credentials/ledger';
import { londonDate } from '../../server/progression/kinds/answers';
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
  for (const holderId of [w.a.candidate.id, w.a.otherCandidate.id]) {
    const at = new Date(Date.now() - 30 * DAY);
    await t.database.db.transaction((tx) => writeIssue(tx, { code: newCertificateCode(), holderId, organisationId: w.a.org.id, cohortId: w.a.cohort.id, programmeTemplateId: null, programmeName: 'Trainer programme', competencies: [], signedBy: w.a.mentor.id, at, expiresAt: new Date(at.getTime() + 365 * DAY) }));
  }
});
afterAll(() => t.stop());

const page = (userId = w.a.candidate.id) => `/organisations/${w.a.org.id}/trainers/${userId}`;
const entries = (html: string) => html.split('data-testid="cpd-entry"').slice(1);

test('the trainer keeps their CPD log: add with evidence, refused dates and missing fields, edit, delete; others only read', async () => {
  const trainer = await t.loginAs(w.a.candidate.email);
  const first = await trainer.get(page());
  expect(first.text).toContain('data-testid="cpd-add-form"');
  expect(first.text).toContain('0 hours of CPD in the last 12 months.');
  const token = await t.csrf(trainer, page());

  // A date in the future, and no hours: both said as sentences linked to their fields; what was typed stays.
  const refused = await trainer.post(`${page()}/cpd`).set('x-csrf-token', token).field('doneOn', day(3)).field('activity', 'Conference on restraint reduction').field('reflection', 'Learned a lot.');
  expect(refused.status).toBe(400);
  expect(refused.text).toMatch(/<a href="#cpd-hours">Enter how many hours it took\.<\/a>/);
  expect(refused.text).toContain('value="Conference on restraint reduction"');
  const future = await trainer.post(`${page()}/cpd`).set('x-csrf-token', token).field('doneOn', day(3)).field('hours', '3').field('activity', 'Conference on restraint reduction').field('reflection', 'Learned a lot.');
  expect(future.status).toBe(400);
  expect(future.text).toMatch(/<a href="#cpd-doneOn">The date is in the future: enter the day you did the activity \(today at the latest\)\.<\/a>/);
  expect(future.text).toMatch(/<details open data-testid="cpd-add">/);

  const added = await trainer.post(`${page()}/cpd`).set('x-csrf-token', token).field('doneOn', day(-10)).field('hours', '2.5').field('activity', 'Positive behaviour support course').field('reflection', 'Planning proactive strategies first.').attach('files', PNG, { filename: 'attendance.png', contentType: 'image/png' });
  expect(added.status).toBe(303);
  expect((await trainer.post(`${page()}/cpd`).set('x-csrf-token', token).field('doneOn', day(0)).field('hours', '1').field('activity', 'Reading: RRN standards').field('reflection', 'Refreshed the standards.')).status).toBe(303);
  const withTwo = await trainer.get(added.headers.location);
  expect(withTwo.text).toContain('CPD entry added to your log.');
  expect(withTwo.text).toContain('3.5 hours of CPD in the last 12 months.');
  const [reading, course] = entries(withTwo.text);
  expect(reading).toContain('Reading: RRN standards');
  expect(course).toContain('Planning proactive strategies first.');
  expect(course).toMatch(/<a href="[^"]+\/file">attendance\.png<\/a>/);
  const editHref = /href="([^"#]+\/edit)#cpd-edit"/.exec(course)?.[1] as string;
  const entryPath = editHref.replace(/\/edit$/, '');

  // The lead reads the log and downloads the evidence; they are offered no change and may not make one.
  const lead = await t.loginAs(w.a.lead.email);
  const leadView = await lead.get(page());
  expect(leadView.text).toContain('Positive behaviour support course');
  expect(leadView.text).not.toContain('data-testid="cpd-add-form"');
  expect(leadView.text).not.toContain('data-testid="cpd-edit-link"');
  const file = await lead.get(`${entryPath}/file`).buffer(true);
  expect(file.status).toBe(200);
  expect(file.headers['content-disposition']).toContain('attendance.png');
  expect((await lead.post(`${page()}/cpd`).set('x-csrf-token', await t.csrf(lead, page())).field('doneOn', day(-1)).field('hours', '1').field('activity', 'Lead adds').field('reflection', 'Not theirs.')).status).toBe(403);
  const admin = await t.loginAs(w.admin.email);
  expect((await admin.get(editHref)).status).toBe(403);
  expect((await admin.get(page())).text).toContain('3.5 hours of CPD in the last 12 months.');
  // Another trainer cannot reach this entry through their own record.
  const other = await t.loginAs(w.a.otherCandidate.email);
  expect((await other.get(editHref.replace(w.a.candidate.id, w.a.otherCandidate.id))).status).toBe(404);

  // Edit: the form comes filled in; a bad edit keeps what was typed; a good one saves and keeps the file.
  const edit = await trainer.get(editHref);
  expect(edit.text).toContain('value="Positive behaviour support course"');
  expect(edit.text).toContain('value="2.5"');
  expect(edit.text).toContain('attaching one replaces “attendance.png”');
  const badEdit = await trainer.post(entryPath).set('x-csrf-token', token).field('doneOn', day(-10)).field('hours', '0').field('activity', 'PBS course (edited)').field('reflection', 'Planning proactive strategies first.');
  expect(badEdit.status).toBe(400);
  expect(badEdit.text).toContain('<a href="#cpd-edit-hours">The number of hours must be more than 0.</a>');
  expect(badEdit.text).toContain('value="PBS course (edited)"');
  expect((await trainer.post(entryPath).set('x-csrf-token', token).field('doneOn', day(-11)).field('hours', '3').field('activity', 'PBS course (edited)').field('reflection', 'Planning proactive strategies first.')).status).toBe(303);
  const edited = await trainer.get(page());
  expect(edited.text).toContain('4 hours of CPD in the last 12 months.');
  expect(entries(edited.text)[1]).toMatch(/PBS course \(edited\)[\s\S]*attendance\.png/);

  // Delete: gone from the log; the history keeps what it was.
  expect((await trainer.post(`${entryPath}/delete`).set('x-csrf-token', token)).status).toBe(303);
  const deleted = await trainer.get(page());
  expect(entries(deleted.text)).toHaveLength(1);
  expect(deleted.text).toContain('1 hour of CPD in the last 12 months.');
  const history = deleted.text.split('data-testid="record-change"').slice(1).map((h) => /<th scope="row" class="wide">([^<]*)</.exec(h)?.[1] ?? '');
  expect(history).toEqual([
    expect.stringMatching(/^CPD logged: “Positive behaviour support course”, 2.5 hours on /),
    expect.stringMatching(/^CPD logged: “Reading: RRN standards”, 1 hour on /),
    expect.stringMatching(/^CPD entry edited: “PBS course \(edited\)”, 3 hours on /),
    expect.stringMatching(/^CPD entry deleted: “PBS course \(edited\)”, 3 hours on /),
  ]);
  expect((await trainer.get(editHref)).status).toBe(404);
});
