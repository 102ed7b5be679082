/**
 * The ledger vouches for what the app shows. Records are made the way people make them (HTTP), then each kind of
 * table the app and the report read — sign-off requests, their decisions and evidence, waivers and their withdrawal,
 * completion marks, final readiness sign-offs, certificates — is edited, inserted into and deleted from directly in the database.
 * Every edit is caught by the one full check, which names the table, the row and what differs; the inspector PDF says
 * so; `npm run verify-ledger` fails naming the row. Restoring the row makes everything verify again.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { openPglite } from '../../server/db';
import { certificates, cohortStages, ledgerEntries, signoffDecisions, signoffEvidence, stageWaivers } from '../../server/db/tables';
import { revokeCertificate } from '../../server/credentials/issue';
import { appendLedger } from '../../server/ledger';
import { verifyRecord } from '../../server/ledger/verify';
import { writeReadinessSignoff } from '../../modules/remedial-workshop/ledger';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildUser } from '../support/factories';
import { asBuffer, binary, pdfWords } from '../support/pdf';
import { PNG } from '../signoffs/support';
import { buildReadinessWorld, mark as markDirect, waive as waiveDirect, type ReadinessWorld } from '../readiness/world';

jest.setTimeout(180_000);
const run = promisify(execFile);

let t: TestApp;
let w: ReadinessWorld;
let mentor: TestAgent;
let ids: Record<string, string>;
let seqs: Record<string, number>;

const api = (p: string) => `/api/v1/cohorts/${w.a.cohort.id}${p}`;

async function signoffRequest(agent: TestAgent, token: string, candidateId: string, competencyId: string) {
  const res = await agent
    .post(api(`/candidates/${candidateId}/signoffs`))
    .set('x-csrf-token', token)
    .field('competencyId', competencyId)
    .field('reflection', 'I ran the session and adapted it for two learners who found the role-play hard.')
    .attach('files', PNG, { filename: 'flipchart.png', contentType: 'image/png' });
  expect(res.status).toBe(201);
  return res.body.request.id as string;
}

async function decide(agent: TestAgent, requestId: string, body: Record<string, unknown>) {
  const res = await agent.post(api(`/signoffs/${requestId}/decisions`)).send(body);
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  t = await startTestApp();
  const db = t.database.db;
  w = await buildReadinessWorld(db);
  const mentor2 = await buildUser(db, { name: 'Mentor A2', organisationId: w.provider.id, role: 'mentor' });
  await addToCohort(db, w.a.cohort.id, mentor2.id, 'mentor');
  const [remedial] = await db.insert(cohortStages).values({ cohortId: w.a.cohort.id, position: 4, moduleKey: 'remedial-workshop', title: 'Remedial workshop', completeRequirements: [{ kind: 'remedial-workshop:readiness-signed', params: {} }] }).returning();

  const candidate = await t.loginAs(w.a.candidate.email);
  const token = await t.csrf(candidate, '/cohorts');
  mentor = await t.loginAs(w.a.mentor.email);
  const second = await t.loginAs(mentor2.email);
  const [d1, d2, s1] = w.comps;
  const revoked = await signoffRequest(candidate, token, w.a.candidate.id, d1.id);
  await decide(mentor, revoked, { action: 'sign_off', rating: 1 });
  await decide(mentor, revoked, { action: 'revoke', note: 'The observed session did not show this.' });
  const declined = await signoffRequest(candidate, token, w.a.candidate.id, d2.id);
  await decide(mentor, declined, { action: 'decline', note: 'Add a check of learning.' });
  const countersigned = await signoffRequest(candidate, token, w.a.candidate.id, s1.id);
  await decide(mentor, countersigned, { action: 'sign_off', rating: 1 });
  await decide(second, countersigned, { action: 'countersign' });
  const waiver = await mentor.post(api(`/candidates/${w.a.candidate.id}/waivers`)).send({ stageId: w.stages.a[1].id, reason: 'Did transfer week with a previous employer.' });
  expect(waiver.status).toBe(201);
  const withdrawn = await mentor.post(api(`/candidates/${w.a.otherCandidate.id}/waivers`)).send({ stageId: w.stages.a[0].id, reason: 'Watched the videos at induction.' });
  expect((await mentor.post(api(`/candidates/${w.a.otherCandidate.id}/waivers/${withdrawn.body.waiver.id}/withdrawal`)).send({ reason: 'Induction used older videos.' })).status).toBe(201);
  const mark = await mentor.post(api(`/candidates/${w.a.candidate.id}/stages/${w.stages.a[0].id}/complete`)).send({ note: 'All three watched.' });
  expect(mark.status).toBe(201);
  const final = await db.transaction((tx) =>
    writeReadinessSignoff(tx, { stage: { id: remedial.id, cohortId: w.a.cohort.id, title: remedial.title }, candidateId: w.a.otherCandidate.id, mentorId: w.a.mentor.id, note: 'Ready.', overrideReason: 'Signed in the previous cohort; records transferred.', gaps: ['0 of 3 competencies are signed off.'], at: new Date() }),
  );
  // A record in the other tenant, to show the report checks only its own cohort's rows.
  await waiveDirect(db, w.stages.b[0].id, w.b.candidate.id, w.b.mentor.id, 'Other tenant waiver');
  await markDirect(db, w.stages.b[0].id, w.b.otherCandidate.id, w.b.mentor.id);

  const [revokeDecision] = await db.select().from(signoffDecisions).where(and(eq(signoffDecisions.requestId, revoked), eq(signoffDecisions.kind, 'revoke')));
  const [declineDecision] = await db.select().from(signoffDecisions).where(and(eq(signoffDecisions.requestId, declined), eq(signoffDecisions.kind, 'decline')));
  const [evidence] = await db.select().from(signoffEvidence).where(eq(signoffEvidence.requestId, declined));
  const [otherWaiver] = await db.select().from(stageWaivers).where(eq(stageWaivers.candidateId, w.b.candidate.id));
  // The final sign-off issued a certificate in its transaction; an admin then revoked it.
  const [issued] = await db.select().from(certificates).where(eq(certificates.holderId, w.a.otherCandidate.id));
  await revokeCertificate(t.cadre.ctx, w.admin.id, issued, 'Left the organisation before delivering.');
  ids = { cert: issued.id, certCode: issued.code, revoked, declined, countersigned, waiver: waiver.body.waiver.id, withdrawn: withdrawn.body.waiver.id, mark: mark.body.mark.id, final: final.id, evidence: evidence.id, fileId: evidence.fileId!, decision: revokeDecision.id, declineDecision: declineDecision.id, otherWaiver: otherWaiver.id, mentor2: mentor2.id };
  const entry = async (subjectId: string, kind: string) => (await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.subjectId, subjectId), eq(ledgerEntries.kind, kind))))[0].seq;
  seqs = { revoke: await entry(revoked, 'signoff.revoke'), decline: await entry(declined, 'signoff.decline'), declinedSubmit: await entry(declined, 'signoff.submit'), waiver: await entry(ids.waiver, 'stage.waived'), withdrawal: await entry(ids.withdrawn, 'stage.waiver_withdrawn'), mark: await entry(ids.mark, 'stage.marked_complete'), final: await entry(ids.final, 'remedial-workshop.readiness-signed'), certIssued: await entry(ids.cert, 'certificate.issued'), certRevoked: await entry(ids.cert, 'certificate.revoked') };
});
afterAll(() => t.stop());

const verify = () => verifyRecord(t.database.db, t.cadre.ctx.registry.projections);
const exec = async (statements: string[]) => {
  for (const s of statements) await t.database.db.execute(sql.raw(s));
};
/** Keeps a copy of rows, deletes them; the matching restore puts them back. */
const cut = (table: string, where: string, keep: string) => [`create table ${keep} as select * from ${table} where ${where}`, `delete from ${table} where ${where}`];
const paste = (table: string, keep: string) => [`insert into ${table} select * from ${keep}`, `drop table ${keep}`];
const NEW_ID = '7a7a7a7a-7a7a-4a7a-8a7a-7a7a7a7a7a7a';

type Case = { name: string; tamper: () => string[]; restore: () => string[]; table: string; row: () => string; problem: () => RegExp; cli?: boolean };

const cases: Case[] = [
  // Sign-off requests
  { name: 'a revoked sign-off set back to signed', tamper: () => [`update signoff_requests set status = 'signed' where id = '${ids.revoked}'`], restore: () => [`update signoff_requests set status = 'revoked' where id = '${ids.revoked}'`], table: 'signoff_requests', row: () => ids.revoked, problem: () => /its status is “Signed” but the ledger says “Revoked” \(ledger entry \d+\)/, cli: true },
  { name: 'a rating raised', tamper: () => [`update signoff_requests set rating = 0 where id = '${ids.countersigned}'`], restore: () => [`update signoff_requests set rating = 1 where id = '${ids.countersigned}'`], table: 'signoff_requests', row: () => ids.countersigned, problem: () => /its rating is 0 but the ledger says 1/ },
  { name: 'a countersignature put in another name', tamper: () => [`update signoff_requests set countersigned_by = '${w.a.mentor.id}' where id = '${ids.countersigned}'`], restore: () => [`update signoff_requests set countersigned_by = '${ids.mentor2}' where id = '${ids.countersigned}'`], table: 'signoff_requests', row: () => ids.countersigned, problem: () => new RegExp(`its countersigner is “${w.a.mentor.id}” but the ledger says “${ids.mentor2}”`) },
  { name: 'a reflection rewritten', tamper: () => [`update signoff_requests set reflection = 'Rewritten later.' where id = '${ids.declined}'`], restore: () => [`update signoff_requests set reflection = 'I ran the session and adapted it for two learners who found the role-play hard.' where id = '${ids.declined}'`], table: 'signoff_requests', row: () => ids.declined, problem: () => /its reflection \(digest\) is/ },
  { name: 'a sign-off inserted with no entry', tamper: () => [`insert into signoff_requests (id, cohort_id, candidate_id, competency_id, reflection, status, rating) values ('${NEW_ID}', '${w.a.cohort.id}', '${w.a.otherCandidate.id}', '${w.comps[1].id}', 'x', 'signed', 1)`], restore: () => [`delete from signoff_requests where id = '${NEW_ID}'`], table: 'signoff_requests', row: () => NEW_ID, problem: () => /Candidate A2's sign-off of D2\): no ledger entry records it/ },
  { name: 'a sign-off deleted', tamper: () => [...cut('signoff_evidence', `request_id = '${ids.declined}'`, 'keep_e'), ...cut('signoff_decisions', `request_id = '${ids.declined}'`, 'keep_d'), ...cut('signoff_requests', `id = '${ids.declined}'`, 'keep_r')], restore: () => [...paste('signoff_requests', 'keep_r'), ...paste('signoff_decisions', 'keep_d'), ...paste('signoff_evidence', 'keep_e')], table: 'signoff_requests', row: () => ids.declined, problem: () => new RegExp(`the row is missing, but ledger entry ${seqs.declinedSubmit} records it`) },
  // Decisions
  { name: 'a decision note changed', tamper: () => [`update signoff_decisions set note = 'Well done.' where id = '${ids.decision}'`], restore: () => [`update signoff_decisions set note = 'The observed session did not show this.' where id = '${ids.decision}'`], table: 'signoff_decisions', row: () => ids.decision, problem: () => /its note is “Well done.” but the ledger says “The observed session did not show this.”/, cli: true },
  { name: 'a decision deleted', tamper: () => cut('signoff_decisions', `id = '${ids.declineDecision}'`, 'keep_d'), restore: () => paste('signoff_decisions', 'keep_d'), table: 'signoff_decisions', row: () => `for entry ${seqs.decline}`, problem: () => new RegExp(`the row is missing, but ledger entry ${seqs.decline} records it`) },
  { name: 'a decision inserted', tamper: () => [`insert into signoff_decisions (id, request_id, kind, actor_id, rating) values ('${NEW_ID}', '${ids.declined}', 'sign_off', '${w.a.mentor.id}', 1)`], restore: () => [`delete from signoff_decisions where id = '${NEW_ID}'`], table: 'signoff_decisions', row: () => NEW_ID, problem: () => /no ledger entry records it/ },
  // Evidence
  { name: 'evidence re-captioned', tamper: () => [`update signoff_evidence set caption = 'Observed by the lead' where id = '${ids.evidence}'`], restore: () => [`update signoff_evidence set caption = null where id = '${ids.evidence}'`], table: 'signoff_evidence', row: () => ids.evidence, problem: () => /its caption is “Observed by the lead” but the ledger says empty/, cli: true },
  { name: 'an evidence file renamed', tamper: () => [`update files set display_name = 'certificate.png' where id = '${ids.fileId}'`], restore: () => [`update files set display_name = 'flipchart.png' where id = '${ids.fileId}'`], table: 'signoff_evidence', row: () => ids.evidence, problem: () => /its file name is “certificate.png” but the ledger says “flipchart.png”/ },
  { name: 'evidence deleted', tamper: () => cut('signoff_evidence', `id = '${ids.evidence}'`, 'keep_e'), restore: () => paste('signoff_evidence', 'keep_e'), table: 'signoff_evidence', row: () => ids.evidence, problem: () => /the row is missing, but ledger entry \d+ records it/ },
  { name: 'evidence inserted', tamper: () => [`insert into signoff_evidence (id, request_id, ref_type, ref_id, added_by) values ('${NEW_ID}', '${ids.declined}', 'live_note', 'not-a-real-note', '${w.a.candidate.id}')`], restore: () => [`delete from signoff_evidence where id = '${NEW_ID}'`], table: 'signoff_evidence', row: () => NEW_ID, problem: () => /no ledger entry records it/ },
  // Waivers
  { name: 'a waiver deleted', tamper: () => cut('stage_waivers', `id = '${ids.waiver}'`, 'keep_w'), restore: () => paste('stage_waivers', 'keep_w'), table: 'stage_waivers', row: () => ids.waiver, problem: () => new RegExp(`the row is missing, but ledger entry ${seqs.waiver} records it`), cli: true },
  { name: 'a waiver reason changed', tamper: () => [`update stage_waivers set reason = 'Mentor says so' where id = '${ids.waiver}'`], restore: () => [`update stage_waivers set reason = 'Did transfer week with a previous employer.' where id = '${ids.waiver}'`], table: 'stage_waivers', row: () => ids.waiver, problem: () => /its reason is “Mentor says so” but the ledger says “Did transfer week with a previous employer.”/ },
  { name: 'a withdrawn waiver quietly restored', tamper: () => [`update stage_waivers set withdrawn_at = null, withdrawn_by = null, withdrawal_reason = null, withdrawal_ledger_seq = null where id = '${ids.withdrawn}'`], restore: () => [`update stage_waivers w set withdrawn_at = (l.recorded_at)::timestamptz, withdrawn_by = l.actor_id, withdrawal_reason = 'Induction used older videos.', withdrawal_ledger_seq = l.seq from ledger_entries l where l.seq = ${seqs.withdrawal} and w.id = '${ids.withdrawn}'`], table: 'stage_waivers', row: () => ids.withdrawn, problem: () => new RegExp(`its withdrawal time is empty but the ledger says .* \\(ledger entry ${seqs.withdrawal}\\)`) },
  { name: 'a waiver inserted', tamper: () => [`insert into stage_waivers (id, cohort_stage_id, candidate_id, scope, reason, mentor_id) values ('${NEW_ID}', '${w.stages.a[2].id}', '${w.a.candidate.id}', 'stage', 'Not needed', '${w.a.mentor.id}')`], restore: () => [`delete from stage_waivers where id = '${NEW_ID}'`], table: 'stage_waivers', row: () => NEW_ID, problem: () => /Candidate A's waiver of the stage 'Co-delivery'\): no ledger entry records it/ },
  // Completion marks
  { name: 'a completion mark deleted', tamper: () => cut('stage_completion_marks', `id = '${ids.mark}'`, 'keep_m'), restore: () => paste('stage_completion_marks', 'keep_m'), table: 'stage_completion_marks', row: () => ids.mark, problem: () => new RegExp(`the row is missing, but ledger entry ${seqs.mark} records it`), cli: true },
  { name: 'a completion mark inserted', tamper: () => [`insert into stage_completion_marks (id, cohort_stage_id, candidate_id, mentor_id) values ('${NEW_ID}', '${w.stages.a[2].id}', '${w.a.candidate.id}', '${w.a.mentor.id}')`], restore: () => [`delete from stage_completion_marks where id = '${NEW_ID}'`], table: 'stage_completion_marks', row: () => NEW_ID, problem: () => /the mark that Candidate A completed 'Co-delivery'\): no ledger entry records it/ },
  { name: 'a completion mark moved to another mentor', tamper: () => [`update stage_completion_marks set mentor_id = '${ids.mentor2}' where id = '${ids.mark}'`], restore: () => [`update stage_completion_marks set mentor_id = '${w.a.mentor.id}' where id = '${ids.mark}'`], table: 'stage_completion_marks', row: () => ids.mark, problem: () => /its mentor is/ },
  // Final readiness sign-offs (the remedial-workshop module's checker)
  { name: 'a final readiness sign-off deleted', tamper: () => cut('remedial_workshop_signoffs', `id = '${ids.final}'`, 'keep_f'), restore: () => paste('remedial_workshop_signoffs', 'keep_f'), table: 'remedial_workshop_signoffs', row: () => ids.final, problem: () => new RegExp(`the row is missing, but ledger entry ${seqs.final} records it`), cli: true },
  { name: 'an override reason erased', tamper: () => [`update remedial_workshop_signoffs set override_reason = null where id = '${ids.final}'`], restore: () => [`update remedial_workshop_signoffs set override_reason = 'Signed in the previous cohort; records transferred.' where id = '${ids.final}'`], table: 'remedial_workshop_signoffs', row: () => ids.final, problem: () => /its override reason is empty but the ledger says “Signed in the previous cohort; records transferred.”/ },
  { name: 'a final readiness sign-off inserted', tamper: () => [`insert into remedial_workshop_signoffs (id, cohort_stage_id, candidate_id, mentor_id) select '${NEW_ID}', s.id, '${w.a.candidate.id}', '${w.a.mentor.id}' from cohort_stages s where s.cohort_id = '${w.a.cohort.id}' and s.module_key = 'remedial-workshop'`], restore: () => [`delete from remedial_workshop_signoffs where id = '${NEW_ID}'`], table: 'remedial_workshop_signoffs', row: () => NEW_ID, problem: () => /Candidate A's final readiness sign-off\): no ledger entry records it/ },
  // Certificates (core's checker): issued in the final sign-off's transaction, revoked by an admin
  { name: 'a revoked certificate made valid again', tamper: () => [`update certificates set revoked_at = null, revoked_by = null, revocation_reason = null where id = '${ids.cert}'`], restore: () => [`update certificates c set revoked_at = (l.recorded_at)::timestamptz, revoked_by = l.actor_id, revocation_reason = 'Left the organisation before delivering.' from ledger_entries l where l.seq = ${seqs.certRevoked} and c.id = '${ids.cert}'`], table: 'certificates', row: () => ids.cert, problem: () => new RegExp(`Candidate A2's certificate ${ids.certCode}\\): its revocation time is empty but the ledger says .* \\(ledger entry ${seqs.certRevoked}\\)`), cli: true },
  { name: 'a certificate’s expiry pushed back', tamper: () => [`update certificates set expires_at = expires_at + interval '5 years' where id = '${ids.cert}'`], restore: () => [`update certificates set expires_at = expires_at - interval '5 years' where id = '${ids.cert}'`], table: 'certificates', row: () => ids.cert, problem: () => /its expiry is .* UTC but the ledger says .* UTC/ },
  { name: 'a certificate’s code changed', tamper: () => [`update certificates set code = 'AAAA-BBBB-CCCC' where id = '${ids.cert}'`], restore: () => [`update certificates set code = '${ids.certCode}' where id = '${ids.cert}'`], table: 'certificates', row: () => ids.cert, problem: () => new RegExp(`its code is “AAAA-BBBB-CCCC” but the ledger says “${ids.certCode}”`) },
  { name: 'a certificate inserted with no entry', tamper: () => [`insert into certificates (id, code, holder_id, organisation_id, cohort_id, programme_name, signed_by, issued_at, valid_from, expires_at) values ('${NEW_ID}', 'ZZZZ-ZZZZ-ZZZZ', '${w.a.candidate.id}', '${w.a.org.id}', '${w.a.cohort.id}', 'Forged', '${w.a.mentor.id}', now(), now(), now() + interval '1 year')`], restore: () => [`delete from certificates where id = '${NEW_ID}'`], table: 'certificates', row: () => NEW_ID, problem: () => /Candidate A's certificate ZZZZ-ZZZZ-ZZZZ\): no ledger entry records it/ },
  { name: 'a certificate deleted', tamper: () => cut('certificates', `id = '${ids.cert}'`, 'keep_c'), restore: () => paste('certificates', 'keep_c'), table: 'certificates', row: () => ids.cert, problem: () => new RegExp(`the row is missing, but ledger entry ${seqs.certIssued} records it`) },
];

/** Runs `npm run verify-ledger` against the test database (PGlite: a copy on disk; PostgreSQL: the database itself). */
async function cli(): Promise<{ code: number; stdout: string; stderr: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cadre-record-'));
  if (!t.database.url) {
    const copy = await openPglite({ dataDir: path.join(dataDir, 'pglite'), loadDataDir: await t.database.dump!() });
    await copy.close();
  }
  const env = { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789', DATABASE_URL: t.database.url ?? '' };
  const script = path.resolve(__dirname, '../../scripts/verify-ledger.ts');
  const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
  return run(tsx, [script], { env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

let adminAgent: Promise<TestAgent> | undefined;
async function reportWords(cohortId: string): Promise<string> {
  // One admin login for the file: the report is read after every tamper.
  adminAgent ??= t.loginAs(w.admin.email);
  const admin = await adminAgent;
  const res = await asBuffer(admin, `/cohorts/${cohortId}/report.pdf`);
  expect(res.status).toBe(200);
  return pdfWords(binary(res));
}

describe('the full check of the record', () => {
  it('verifies records made through the app: the chain and every table agree', async () => {
    const result = await verify();
    expect(result).toMatchObject({ ok: true });
    expect(result.checked).toEqual([
      { name: 'sign-offs', rows: expect.any(Number) },
      { name: 'waivers', rows: 3 },
      { name: 'completion marks', rows: 2 },
      { name: 'certificates', rows: 1 },
      { name: 'eligibility evidence', rows: 0 },
      { name: 'course observations', rows: 0 },
      { name: 'observation picks', rows: 0 },
      { name: 'trainer records', rows: 0 },
      { name: 'final readiness sign-offs', rows: 1 },
    ]);
    expect(await reportWords(w.a.cohort.id)).toMatch(/Verified: all \d+ ledger entries chain correctly, and \d+ records \(sign-offs, waivers, completion marks, certificates, eligibility evidence, course observations, observation picks, trainer records, final readiness sign-offs\) agree with them; nothing has been altered\./);
    const ok = await cli();
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Ledger OK: \d+ entries verified; last hash [0-9a-f]{64}\. Tables agree with the ledger: \d+ sign-offs, 3 waivers, 2 completion marks, 1 certificates, 0 eligibility evidence, 0 course observations, 0 observation picks, 0 trainer records, 1 final readiness sign-offs\./);
  });

  it('is what the admin API answers', async () => {
    const admin = await t.loginAs(w.admin.email);
    const res = await admin.get('/api/v1/ledger/verify');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, summary: expect.stringMatching(/^Verified/) });
  });

  describe.each(cases)('$name', (c) => {
    it(`is caught, naming the ${c.table} row and what differs; restoring it verifies again`, async () => {
      await exec(c.tamper());
      try {
        const result = await verify();
        expect(result.ok).toBe(false);
        expect(result.brokenAt).toBeUndefined();
        expect(result.disagreement).toMatchObject({ table: c.table, rowId: c.row() });
        expect(result.summary).toMatch(c.problem());
        const words = await reportWords(w.a.cohort.id);
        expect(words).toContain(`NOT VERIFIED: the ${result.checked.at(-1)!.name} do not match the ledger — ${c.table} row ${c.row()}`);
        expect(words).toMatch(c.problem());
        if (c.cli) {
          const broken = await cli();
          expect(broken.code).toBe(1);
          expect(broken.stderr).toContain(`Records DISAGREE with the ledger: the ${result.checked.at(-1)!.name} do not match the ledger — ${c.table} row ${c.row()}`);
          expect(broken.stderr).toMatch(c.problem());
        }
      } finally {
        await exec(c.restore());
      }
      expect((await verify()).ok).toBe(true);
    });
  });

  it('a report checks only its own cohort’s rows, while the full check catches every cohort', async () => {
    await exec([`update stage_waivers set reason = 'Edited in the other tenant' where id = '${ids.otherWaiver}'`]);
    try {
      expect((await verify()).disagreement).toMatchObject({ table: 'stage_waivers', rowId: ids.otherWaiver });
      expect(await reportWords(w.a.cohort.id)).toMatch(/Verified: all \d+ ledger entries/);
      expect(await reportWords(w.b.cohort.id)).toContain(`NOT VERIFIED: the waivers do not match the ledger — stage_waivers row ${ids.otherWaiver}`);
    } finally {
      await exec([`update stage_waivers set reason = 'Other tenant waiver' where id = '${ids.otherWaiver}'`]);
    }
  });

  it('an entry of a kind no checker reads is reported (a new kind of record must bring its checker)', async () => {
    const db = t.database.db;
    await db.transaction(async (tx) => {
      await appendLedger(tx, { kind: 'future.recorded', actorId: w.admin.id, cohortId: w.a.cohort.id, candidateId: w.a.candidate.id, subjectType: 'future_record', subjectId: NEW_ID, payload: {} });
      const result = await verifyRecord(tx, t.cadre.ctx.registry.projections);
      expect(result.ok).toBe(false);
      expect(result.summary).toMatch(/no projection checker vouches for subject type “future_record”/);
      tx.rollback();
    }).catch((err: Error) => {
      if (!/rollback/i.test(err.message)) throw err;
    });
    expect((await verify()).ok).toBe(true);
  });

  it('is set-based: the same few statements for more rows', async () => {
    let statements = 0;
    const counting = new Proxy(t.database.db, {
      get(target, prop, receiver) {
        if (prop === 'execute' || prop === 'select') statements += 1;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const before = await verifyRecord(counting, t.cadre.ctx.registry.projections);
    const first = statements;
    for (const stage of w.stages.b.slice(1)) await waiveDirect(t.database.db, stage.id, w.b.otherCandidate.id, w.b.mentor.id, 'More rows for the count');
    statements = 0;
    const after = await verifyRecord(counting, t.cadre.ctx.registry.projections);
    expect(after.ok).toBe(true);
    expect(after.checked.find((c) => c.name === 'waivers')!.rows).toBe(before.checked.find((c) => c.name === 'waivers')!.rows + 2);
    // One page of the chain, the tail check, three sign-off queries, one each for waivers, marks, certificates, eligibility evidence,
    // course observations, observation picks, trainer records and final sign-offs.
    expect(first).toBe(13);
    expect(statements).toBe(first);
  });
});
