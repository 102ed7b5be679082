/** The sign-off workflow through the JSON API: every state, every forbidden transition, and what counts as signed. */
import { eq } from 'drizzle-orm';
import { ledgerEntries, notifications, signoffDecisions } from '../../server/db/tables';
import { verifyLedger } from '../../server/ledger';
import { signedCompetencies } from '../../server/signoffs/queries';
import { startTestApp, type TestApp } from '../support/app';
import { buildSignoffWorld, decide, onRegister, REFLECTION, requestJson, type SignoffWorld } from './support';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default.
jest.setTimeout(60_000);
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

const signedCodes = async (candidateId: string) => {
  const m = await signedCompetencies(t.database.db, [{ cohortId: w.a.cohort.id, candidateIds: [candidateId] }]);
  return (m.get(w.a.cohort.id)?.get(candidateId) ?? []).map((s) => s.code).sort();
};

describe('who may act (401/404/403 first)', () => {
  it('refuses anonymous requests with 401', async () => {
    const res = await t.anonymous().post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`).send({});
    expect(res.status).toBe(401);
    expect((await t.anonymous().get(`/api/v1/cohorts/${w.a.cohort.id}/signoffs`)).status).toBe(401);
  });

  it('hides another cohort from a mentor (404) and refuses their decisions with 404', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'D1');
    const outsider = await t.loginAs(w.b.mentor.email);
    expect((await outsider.get(`/api/v1/cohorts/${w.a.cohort.id}/signoffs`)).status).toBe(404);
    const res = await decide(outsider, w, req.body.request.id, { action: 'sign_off', rating: 2 });
    expect(res.status).toBe(404);
    // Using their own cohort's address with A's request id does not reach it either.
    expect((await decide(outsider, w, req.body.request.id, { action: 'sign_off', rating: 2 }, w.b.cohort.id)).status).toBe(404);
  });

  it('refuses a candidate requesting for a peer (404) and a mentor requesting for a candidate (403)', async () => {
    const peer = await t.loginAs(w.a.otherCandidate.email);
    expect((await requestJson(peer, w, 'D1')).status).toBe(404);
    const mentor = await t.loginAs(w.a.mentor.email);
    expect((await requestJson(mentor, w, 'D1')).status).toBe(403);
  });

  it('never lets a candidate sign off their own request (403)', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'D1');
    const res = await decide(candidate, w, req.body.request.id, { action: 'sign_off', rating: 3 });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/your own sign-off/);
    expect(await signedCodes(w.a.candidate.id)).toEqual([]);
  });

  it('refuses the lead and the admin as deciders (403): only mentors of the cohort sign off', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'D1');
    for (const email of [w.a.lead.email, w.admin.email]) {
      expect((await decide(await t.loginAs(email), w, req.body.request.id, { action: 'sign_off', rating: 2 })).status).toBe(403);
    }
  });
});

describe('requests', () => {
  it('requires a reflection and evidence, and a competency of the cohort’s framework', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const url = `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`;
    const noReflection = await candidate.post(url).send({ competencyId: w.code.D1, references: [{ refType: 'live_note', refId: 'x' }] });
    expect(noReflection.status).toBe(400);
    expect(noReflection.body.error.fields.map((f: { field: string }) => f.field)).toContain('reflection');
    const noEvidence = await candidate.post(url).send({ competencyId: w.code.D1, reflection: REFLECTION });
    expect(noEvidence.status).toBe(400);
    expect(noEvidence.body.error.message).toMatch(/at least one piece of evidence/);
    const unknown = await candidate.post(url).send({ competencyId: '00000000-0000-4000-8000-000000000000', reflection: REFLECTION, references: [{ refType: 'live_note', refId: 'x' }] });
    expect(unknown.status).toBe(404);
  });

  it('puts the request in the mentors’ queue with a notification, and refuses a second live request (409)', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const res = await requestJson(candidate, w, 'D1');
    expect(res.status).toBe(201);
    expect(res.body.request.status).toBe('pending');
    expect(res.body.evidence).toEqual([expect.objectContaining({ kind: 'reference', refType: 'co-delivery:live-note', refId: w.note[w.a.candidate.id], kindTitle: 'Live note', name: expect.stringContaining('at 2:05') })]);
    const again = await requestJson(candidate, w, 'D1');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already waiting for a mentor/);
    const mentor = await t.loginAs(w.a.mentor.email);
    const queue = await mentor.get(`/api/v1/cohorts/${w.a.cohort.id}/signoffs`);
    expect(queue.body.queue.map((q: { id: string }) => q.id)).toEqual([res.body.request.id]);
    const notes = await t.database.db.select().from(notifications).where(eq(notifications.userId, w.a.mentor.id));
    expect(notes.map((n) => n.kind)).toEqual(['signoff.requested']);
  });

  it('orders the queue by waiting time, oldest first', async () => {
    const c1 = await t.loginAs(w.a.candidate.email);
    const first = await requestJson(c1, w, 'D1');
    const c2 = await t.loginAs(w.a.otherCandidate.email);
    const second = await requestJson(c2, w, 'D2', w.a.otherCandidate.id);
    const mentor = await t.loginAs(w.a.mentor.email);
    const queue = await mentor.get(`/api/v1/cohorts/${w.a.cohort.id}/signoffs`);
    expect(queue.body.queue.map((q: { id: string }) => q.id)).toEqual([first.body.request.id, second.body.request.id]);
  });
});

describe('decisions', () => {
  it('signs off a competency with a rating: it counts, and the ledger records it', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'D1');
    const mentor = await t.loginAs(w.a.mentor.email);
    const tooLow = await decide(mentor, w, req.body.request.id, { action: 'sign_off', rating: 1 });
    expect(tooLow.status).toBe(400);
    expect(tooLow.body.error.message).toMatch(/Competent or above/);
    const res = await decide(mentor, w, req.body.request.id, { action: 'sign_off', rating: 2, note: 'Well done' });
    expect(res.status).toBe(201);
    expect(res.body.request.status).toBe('signed');
    expect(await signedCodes(w.a.candidate.id)).toEqual(['D1']);
    const entries = await t.database.db.select().from(ledgerEntries);
    expect(entries.map((e) => e.kind).sort()).toEqual(['signoff.sign_off', 'signoff.submit']);
    expect((await verifyLedger(t.database.db)).ok).toBe(true);
    // Signing twice is a conflict with a plain message.
    const twice = await decide(mentor, w, req.body.request.id, { action: 'sign_off', rating: 2 });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe('You cannot sign off “Non-escalation” now: it is signed.');
  });

  it('declines with feedback (required); the candidate resubmits and it is pending again', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'T2');
    const mentor = await t.loginAs(w.a.mentor.email);
    expect((await decide(mentor, w, req.body.request.id, { action: 'decline' })).status).toBe(400);
    const declined = await decide(mentor, w, req.body.request.id, { action: 'decline', note: 'Add a check of learning for outcome 2.' });
    expect(declined.body.request.status).toBe('declined');
    const map = await candidate.get(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/competencies`);
    const t2 = map.body.map.areas.flatMap((a: { competencies: unknown[] }) => a.competencies).find((c: { code: string }) => c.code === 'T2');
    expect(t2.statusWords).toBe('Declined — resubmit');
    expect(t2.request.feedback).toBe('Add a check of learning for outcome 2.');
    const again = await candidate.post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`).send({ competencyId: w.code.T2, reflection: `${REFLECTION} I added a quiz.` });
    expect(again.status).toBe(200);
    expect(again.body.resubmitted).toBe(true);
    expect(again.body.request.id).toBe(req.body.request.id);
    expect(again.body.request.status).toBe('pending');
  });

  it('asks for more evidence; a resubmission must bring new evidence', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'T3');
    const mentor = await t.loginAs(w.a.mentor.email);
    const asked = await decide(mentor, w, req.body.request.id, { action: 'more_evidence', note: 'Add your session notes.' });
    expect(asked.body.request.status).toBe('more_evidence');
    const url = `/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`;
    const bare = await candidate.post(url).send({ competencyId: w.code.T3, reflection: REFLECTION });
    expect(bare.status).toBe(400);
    const ok = await candidate.post(url).send({ competencyId: w.code.T3, reflection: REFLECTION, references: [{ refType: 'co-delivery:live-note', refId: w.note[w.a.candidate.id] }] });
    expect(ok.body.request.status).toBe('pending');
    // A mentor may also sign straight from "more evidence".
    expect((await decide(mentor, w, req.body.request.id, { action: 'more_evidence', note: 'One more, please.' })).status).toBe(201);
    const signed = await decide(mentor, w, req.body.request.id, { action: 'sign_off', rating: 2 });
    expect(signed.body.request.status).toBe('signed');
  });

  it('needs a second, different mentor to countersign a safety-critical competency before it counts', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'D5');
    const mentor = await t.loginAs(w.a.mentor.email);
    const signed = await decide(mentor, w, req.body.request.id, { action: 'sign_off', rating: 2 });
    expect(signed.body.request.status).toBe('awaiting_countersign');
    expect(await signedCodes(w.a.candidate.id)).toEqual([]);
    const own = await decide(mentor, w, req.body.request.id, { action: 'countersign' });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/different mentor must countersign/);
    const second = await t.loginAs(w.mentor2.email);
    const counter = await decide(second, w, req.body.request.id, { action: 'countersign', note: 'Agree.' });
    expect(counter.status).toBe(201);
    expect(counter.body.request.status).toBe('signed');
    expect(counter.body.request.countersignedBy).toBe(w.mentor2.id);
    expect(await signedCodes(w.a.candidate.id)).toEqual(['D5']);
    // The second mentor was told a countersignature was needed.
    const told = await t.database.db.select().from(notifications).where(eq(notifications.userId, w.mentor2.id));
    expect(told.map((n) => n.kind)).toContain('signoff.countersign_needed');
  });

  it('refuses to countersign a competency that is not safety-critical (409)', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'D1');
    const mentor = await t.loginAs(w.a.mentor.email);
    await decide(mentor, w, req.body.request.id, { action: 'sign_off', rating: 2 });
    const res = await decide(await t.loginAs(w.mentor2.email), w, req.body.request.id, { action: 'countersign' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/not safety-critical/);
  });

  it('revokes with a reason: a revoked sign-off no longer counts, and the candidate may ask again', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const req = await requestJson(candidate, w, 'D1');
    const mentor = await t.loginAs(w.a.mentor.email);
    await decide(mentor, w, req.body.request.id, { action: 'sign_off', rating: 3 });
    expect(await signedCodes(w.a.candidate.id)).toEqual(['D1']);
    expect((await decide(mentor, w, req.body.request.id, { action: 'revoke' })).status).toBe(400);
    const revoked = await decide(mentor, w, req.body.request.id, { action: 'revoke', note: 'Observed unsafe practice since.' });
    expect(revoked.body.request.status).toBe('revoked');
    expect(await signedCodes(w.a.candidate.id)).toEqual([]);
    expect((await decide(mentor, w, req.body.request.id, { action: 'revoke', note: 'again' })).status).toBe(409);
    expect((await decide(mentor, w, req.body.request.id, { action: 'sign_off', rating: 2 })).status).toBe(409);
    const fresh = await requestJson(candidate, w, 'D1');
    expect(fresh.status).toBe(201);
    expect(fresh.body.request.id).not.toBe(req.body.request.id);
    const kinds = (await t.database.db.select().from(signoffDecisions).where(eq(signoffDecisions.requestId, req.body.request.id))).map((d) => d.kind);
    expect(kinds).toEqual(['submit', 'sign_off', 'revoke']);
  });

  it('refuses every transition that its status does not allow (409)', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const mentor = await t.loginAs(w.a.mentor.email);
    const req = await requestJson(candidate, w, 'D2');
    expect((await decide(mentor, w, req.body.request.id, { action: 'countersign' })).status).toBe(409);
    expect((await decide(mentor, w, req.body.request.id, { action: 'revoke', note: 'x' })).status).toBe(409);
    await decide(mentor, w, req.body.request.id, { action: 'decline', note: 'Not yet.' });
    for (const body of [{ action: 'sign_off', rating: 2 }, { action: 'decline', note: 'x' }, { action: 'more_evidence', note: 'x' }, { action: 'countersign' }, { action: 'revoke', note: 'x' }]) {
      const res = await decide(mentor, w, req.body.request.id, body);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/it is declined — resubmit|needs no countersignature/);
    }
  });
});

describe('bulk sign-off', () => {
  it('signs one competency for several candidates, each its own request, decision and ledger entry', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const pending = await requestJson(candidate, w, 'T1');
    const mentor = await t.loginAs(w.a.mentor.email);
    const res = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/bulk`).send({ competencyId: w.code.T1, candidateIds: [w.a.candidate.id, w.a.otherCandidate.id], rating: 2, note: 'Both kept to time.', evidence: onRegister(w) });
    expect(res.status).toBe(201);
    expect(res.body.signed).toHaveLength(2);
    expect(res.body.signed.find((s: { candidateId: string }) => s.candidateId === w.a.candidate.id).requestId).toBe(pending.body.request.id);
    expect(await signedCodes(w.a.candidate.id)).toEqual(['T1']);
    expect(await signedCodes(w.a.otherCandidate.id)).toEqual(['T1']);
    const entries = await t.database.db.select().from(ledgerEntries);
    expect(entries.filter((e) => e.kind === 'signoff.sign_off')).toHaveLength(2);
    const repeat = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/bulk`).send({ competencyId: w.code.T1, candidateIds: [w.a.candidate.id], rating: 2, evidence: onRegister(w) });
    expect(repeat.body).toEqual({ signed: [], skipped: [{ candidateId: w.a.candidate.id, reason: 'already signed off' }] });
  });

  it('refuses people outside the cohort, candidates as bulk signers, and mentors of another cohort', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const stranger = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/bulk`).send({ competencyId: w.code.T1, candidateIds: [w.b.candidate.id], rating: 2, evidence: onRegister(w) });
    expect(stranger.status).toBe(400);
    const candidate = await t.loginAs(w.a.candidate.email);
    expect((await candidate.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/bulk`).send({ competencyId: w.code.T1, candidateIds: [w.a.candidate.id], rating: 2, evidence: onRegister(w) })).status).toBe(403);
    const other = await t.loginAs(w.b.mentor.email);
    expect((await other.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/bulk`).send({ competencyId: w.code.T1, candidateIds: [w.a.candidate.id], rating: 2, evidence: onRegister(w) })).status).toBe(404);
    expect(await signedCodes(w.a.candidate.id)).toEqual([]);
  });
});

describe('signedCompetencies', () => {
  it('answers many cohorts and candidates in one call, filtering by code', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/bulk`).send({ competencyId: w.code.T1, candidateIds: [w.a.candidate.id], rating: 2, evidence: onRegister(w) });
    await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/signoffs/bulk`).send({ competencyId: w.code.D1, candidateIds: [w.a.candidate.id], rating: 2, evidence: onRegister(w) });
    const m = await signedCompetencies(t.database.db, [{ cohortId: w.a.cohort.id, candidateIds: [w.a.candidate.id, w.a.otherCandidate.id] }, { cohortId: w.b.cohort.id, candidateIds: [w.b.candidate.id] }], ['T1']);
    expect(m.get(w.a.cohort.id)?.get(w.a.candidate.id)?.map((s) => s.code)).toEqual(['T1']);
    expect(m.get(w.a.cohort.id)?.get(w.a.otherCandidate.id)).toEqual([]);
    expect(m.get(w.b.cohort.id)?.get(w.b.candidate.id)).toEqual([]);
  });
});
