/**
 * Evidence must exist and belong (issue 10.2, 12.5, 12.14). A sign-off request citing a note that does not exist,
 * another candidate's note, another tenant's note, an unknown kind, or a register the candidate is not on is refused
 * with 400 naming the field and writes nothing; cited evidence is shown in words in the queue, the portfolio, the
 * export and the inspector report; "Attach as evidence" shows the note and lets the candidate pick the competency; a bulk sign-off rests on a
 * named session or register that every chosen candidate is on, and its page leaves out those who already hold it.
 */
import { signoffEvidence, signoffRequests } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import { liveNote } from '../support/evidence';
import { asBuffer, binary, pdfWords } from '../support/pdf';
import { buildSignoffWorld, onRegister, REFLECTION, requestJson, type SignoffWorld } from './support';
import { transferWeekAttendance } from '../../modules/transfer-week/schema';

jest.setTimeout(90_000);
let t: TestApp;
let w: SignoffWorld;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildSignoffWorld(t);
});

const url = () => `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`;
const NOTE_TEXT = '“You named the purpose of the session and checked everyone could hear.” at 2:05';

describe('a request cites evidence', () => {
  it.each([
    ['a note that does not exist', () => ({ refType: 'co-delivery:live-note', refId: 'not-a-real-note' }), /does not exist/],
    ['a well-formed id of no note', () => ({ refType: 'live_note', refId: '00000000-0000-4000-8000-000000000000' }), /does not exist/],
    ['another candidate’s note in the same cohort', () => ({ refType: 'co-delivery:live-note', refId: w.note[w.a.otherCandidate.id] }), /not on this candidate’s record/],
    ['a note in another organisation', () => ({ refType: 'co-delivery:live-note', refId: w.note[w.b.candidate.id] }), /not on this candidate’s record/],
    ['a kind Cadre does not know', () => ({ refType: 'photo-of-a-cat', refId: 'x' }), /not a kind of evidence/],
  ])('refuses %s with 400 naming the field, writing nothing', async (_what, ref, message) => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const res = await candidate.post(url()).send({ competencyId: w.code.D1, reflection: REFLECTION, references: [ref()] });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([expect.objectContaining({ field: 'references', message: expect.stringMatching(message) })]);
    expect(JSON.stringify(res.body)).not.toContain('can hear');
    expect(await t.database.db.select().from(signoffRequests)).toEqual([]);
    expect(await t.database.db.select().from(signoffEvidence)).toEqual([]);
  });

  it('names which of several references is wrong', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const res = await candidate.post(url()).send({ competencyId: w.code.D1, reflection: REFLECTION, references: [{ refType: 'co-delivery:live-note', refId: w.note[w.a.candidate.id] }, { refType: 'co-delivery:live-note', refId: 'nope' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['references[1]']);
  });

  it('accepts a session kind: the register of a day the candidate was there, not one they missed', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const ok = await candidate.post(url()).send({ competencyId: w.code.D1, reflection: REFLECTION, references: onRegister(w) });
    expect(ok.status).toBe(201);
    expect(ok.body.evidence[0]).toEqual(expect.objectContaining({ kindTitle: 'Transfer-week register', name: 'Transfer-week register, Tue, 3 Mar 2026 at Training room 2', description: 'Marked present on the register' }));
    await t.database.db.delete(transferWeekAttendance);
    const missed = await candidate.post(url()).send({ competencyId: w.code.D2, reflection: REFLECTION, references: onRegister(w) });
    expect(missed.status).toBe(400);
    expect(missed.body.error.fields[0].message).toMatch(/does not show this candidate there/);
  });

  it('shows the cited note in words in the portfolio, the queue, the sign-offs export and the inspector report — never its id', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await requestJson(candidate, w, 'D1')).status).toBe(201);
    const noteId = w.note[w.a.candidate.id];
    const portfolio = await candidate.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/competencies`);
    const mentor = await t.loginAs(w.a.mentor.email);
    const queue = await mentor.get(`/cohorts/${w.a.cohort.id}/signoffs`);
    for (const page of [portfolio, queue]) {
      expect(page.text).toContain(NOTE_TEXT);
      expect(page.text).toContain('noted by Mentor A in “Breakaways with the night team”');
      expect(page.text.replace(/href="[^"]*"/g, '').replace(/value="[^"]*"/g, '')).not.toContain(noteId);
    }
    const csv = await t.loginAs(w.a.lead.email).then((lead) => lead.get(`/cohorts/${w.a.cohort.id}/signoffs.csv`));
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('“You named the purpose of the session and checked everyone could hear.” at 2:05');
    expect(csv.text).toContain('noted by Mentor A');
    expect(csv.text).not.toContain(noteId);
    const pdf = await asBuffer(await t.loginAs(w.a.lead.email), `/cohorts/${w.a.cohort.id}/report.pdf`);
    expect(pdf.status).toBe(200);
    const words = pdfWords(binary(pdf));
    expect(words).toContain('You named the purpose of the session and checked everyone could hear.');
    expect(words).toContain('noted by Mentor A');
    expect(words).not.toContain(noteId);
    expect(words).not.toContain('could not be found');
  });
});

describe('choosing evidence on the page', () => {
  it('lists the candidate’s own notes and registers to tick, never a box to type an id', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const page = await candidate.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/competencies`);
    expect(page.text).not.toContain('name="liveNoteIds"');
    expect(page.text).toContain(`name="evidence" value="co-delivery:live-note/${w.note[w.a.candidate.id]}"`);
    expect(page.text).toContain(`name="evidence" value="transfer-week:register/${w.register}"`);
    expect(page.text).not.toContain(w.note[w.a.otherCandidate.id]);
  });

  it('“Attach as evidence” shows the note (text, time code, author) and lets the candidate pick the competency', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const base = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/competencies`;
    const page = await candidate.get(`${base}?evidenceNote=${w.note[w.a.candidate.id]}`);
    const panel = page.text.slice(page.text.indexOf('data-testid="attach-evidence"'), page.text.indexOf('</section>', page.text.indexOf('data-testid="attach-evidence"')));
    expect(panel).toContain(NOTE_TEXT);
    expect(panel).toContain('noted by Mentor A');
    expect(panel).toContain('<option value="">Choose a competency</option>');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const missing = await candidate.post(`${base}/request`).field('_csrf', token).field('evidence', `co-delivery:live-note/${w.note[w.a.candidate.id]}`).field('competencyId', '').field('reflection', REFLECTION);
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('<a href="#field-competencyId">Choose the competency');
    expect(missing.text).toContain(REFLECTION);
    const sent = await candidate.post(`${base}/request`).field('_csrf', token).field('evidence', `co-delivery:live-note/${w.note[w.a.candidate.id]}`).field('competencyId', w.code.D2).field('reflection', REFLECTION);
    expect(sent.status).toBe(303);
    const [row] = await t.database.db.select().from(signoffEvidence);
    expect(row).toEqual(expect.objectContaining({ refType: 'co-delivery:live-note', refId: w.note[w.a.candidate.id] }));
    // Somebody else's note is not shown, and cannot be sent by editing the form.
    const foreign = await candidate.get(`${base}?evidenceNote=${w.note[w.a.otherCandidate.id]}`);
    expect(foreign.text).not.toContain('data-testid="attach-evidence"');
    const forged = await candidate.post(`${base}/request`).field('_csrf', token).field('evidence', `co-delivery:live-note/${w.note[w.a.otherCandidate.id]}`).field('competencyId', w.code.D3).field('reflection', REFLECTION);
    expect(forged.status).toBe(400);
  });
});

describe('bulk sign-off rests on named evidence', () => {
  const bulk = () => `/api/v1/cohorts/${w.a.cohort.id}/signoffs/bulk`;

  it('refuses a bulk sign-off without evidence, or with a register a chosen candidate is not on, signing nobody', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const bare = await mentor.post(bulk()).send({ competencyId: w.code.T1, candidateIds: [w.a.candidate.id], rating: 2 });
    expect(bare.status).toBe(400);
    expect(bare.body.error.fields[0]).toEqual(expect.objectContaining({ field: 'evidence' }));
    const note = await liveNote(t.database.db, w.a.cohort.id, w.a.mentor, w.a.candidate.id, 'Only about Candidate A.');
    const partly = await mentor.post(bulk()).send({ competencyId: w.code.T1, candidateIds: [w.a.candidate.id, w.a.otherCandidate.id], rating: 2, evidence: [{ refType: 'co-delivery:live-note', refId: note }] });
    expect(partly.status).toBe(400);
    expect(partly.body.error.message).toContain('Candidate A2');
    expect(await t.database.db.select().from(signoffRequests)).toEqual([]);
  });

  it('records the register on every sign-off it makes, in words', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const res = await mentor.post(bulk()).send({ competencyId: w.code.T1, candidateIds: [w.a.candidate.id, w.a.otherCandidate.id], rating: 2, evidence: onRegister(w) });
    expect(res.status).toBe(201);
    const rows = await t.database.db.select().from(signoffEvidence);
    expect(rows.map((r) => r.refType)).toEqual(['transfer-week:register', 'transfer-week:register']);
    const candidate = await t.loginAs(w.a.candidate.email);
    const portfolio = await candidate.get(`/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/competencies`);
    expect(portfolio.text).toContain('Transfer-week register: Transfer-week register, Tue, 3 Mar 2026 at Training room 2');
  });

  it('the page shows who already holds the competency and leaves them out, and asks what it rests on', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    expect((await mentor.post(bulk()).send({ competencyId: w.code.T1, candidateIds: [w.a.candidate.id], rating: 2, evidence: onRegister(w) })).status).toBe(201);
    const page = await mentor.get(`/cohorts/${w.a.cohort.id}/signoffs/bulk?competencyId=${w.code.T1}`);
    const holders = page.text.slice(page.text.indexOf('data-testid="bulk-holders"'));
    expect(holders.slice(0, holders.indexOf('</div>'))).toContain('Candidate A — already signed off');
    expect(page.text).not.toContain(`name="candidateIds" value="${w.a.candidate.id}"`);
    expect(page.text).toContain(`name="candidateIds" value="${w.a.otherCandidate.id}"`);
    expect(page.text).toContain(`<option value="transfer-week:register/${w.register}" >Transfer-week register, Tue, 3 Mar 2026 at Training room 2 (2 marked there)</option>`);
    const token = await t.csrf(mentor, `/cohorts/${w.a.cohort.id}/signoffs/bulk`);
    const noEvidence = await mentor.post(`/cohorts/${w.a.cohort.id}/signoffs/bulk`).type('form').send({ _csrf: token, competencyId: w.code.T1, candidateIds: w.a.otherCandidate.id, rating: '2' });
    expect(noEvidence.status).toBe(400);
    expect(noEvidence.text).toContain('choose the session or register this sign-off rests on');
    expect(noEvidence.text).toContain(`name="candidateIds" value="${w.a.otherCandidate.id}" checked`);
  });
});
