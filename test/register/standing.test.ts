/**
 * Level and suspension on a trainer's record (17.4) through HTTP on the real app: an admin promotes an associate to
 * senior trainer, suspends and reinstates, each with a required reason; the record page offers only what is allowed
 * now (no "Reinstate" unless suspended, no "Promote" for a senior); each change is in the history with the admin's name
 * and reason, and the register shows the standing. Every change is ledgered: the full check agrees, and a direct edit
 * of a trainer record's level or suspension is named by the check and by `npm run verify-ledger`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { newCertificateCode } from '../../server/credentials/code';
import { writeIssue } from '../../server/credentials/ledger';
import { openPglite } from '../../server/db';
import { trainerRecords } from '../../server/db/tables';
import { verifyRecord } from '../../server/ledger/verify';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

jest.setTimeout(180_000);
const run = promisify(execFile);

let t: TestApp;
let w: World;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
  for (const [holderId, tenant] of [[w.a.candidate.id, w.a], [w.a.otherCandidate.id, w.a]] as const) {
    const at = new Date(Date.now() - 30 * DAY);
    await t.database.db.transaction((tx) => writeIssue(tx, { code: newCertificateCode(), holderId, organisationId: tenant.org.id, cohortId: tenant.cohort.id, programmeTemplateId: null, programmeName: 'Trainer programme', competencies: [], signedBy: tenant.mentor.id, at, expiresAt: new Date(at.getTime() + 365 * DAY) }));
  }
});
afterAll(() => t.stop());

const page = (userId: string) => `/organisations/${w.a.org.id}/trainers/${userId}`;
const offers = (html: string) => ['promote', 'suspend', 'reinstate'].filter((k) => html.includes(`data-testid="${k}-form"`));

/** Runs `npm run verify-ledger` against a copy of the test database. */
async function cli(): Promise<{ code: number; stdout: string; stderr: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cadre-standing-'));
  if (!t.database.url) {
    const copy = await openPglite({ dataDir: path.join(dataDir, 'pglite'), loadDataDir: await t.database.dump!() });
    await copy.close();
  }
  const env = { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789', DATABASE_URL: t.database.url ?? '' };
  return run(path.resolve(__dirname, '../../node_modules/.bin/tsx'), [path.resolve(__dirname, '../../scripts/verify-ledger.ts')], { env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

test('an admin promotes, suspends and reinstates with reasons; only allowed actions are offered; the history and register say so', async () => {
  const admin = await t.loginAs(w.admin.email);
  const first = await admin.get(page(w.a.candidate.id));
  expect(offers(first.text)).toEqual(['promote', 'suspend']);
  const csrf = await t.csrf(admin, page(w.a.candidate.id));

  // A reason is required: the page comes back with a sentence linked to the field, and what was typed.
  const short = await admin.post(`${page(w.a.candidate.id)}/promote`).type('form').send({ _csrf: csrf, reason: 'Good' });
  expect(short.status).toBe(400);
  expect(short.text).toMatch(/<a href="#promote-reason">[^<]*at least 10 characters[^<]*<\/a>/);
  expect(short.text).toContain('>Good</textarea>');

  const promoted = await admin.post(`${page(w.a.candidate.id)}/promote`).type('form').send({ _csrf: csrf, reason: 'Two years of observed delivery, all secure.' });
  expect(promoted.status).toBe(303);
  const after = await admin.get(promoted.headers.location);
  expect(after.text).toContain('Promoted to senior trainer. The history below records it with the reason.');
  expect(after.text).toMatch(/data-testid="record-level">Senior trainer</);
  expect(offers(after.text)).toEqual(['suspend']);
  // Promoting again is refused as the page said (no button): 409.
  expect((await admin.post(`${page(w.a.candidate.id)}/promote`).type('form').send({ _csrf: csrf, reason: 'Promote once more please.' })).status).toBe(409);
  // Reinstating someone not suspended: 409, and the page offered no such button.
  expect((await admin.post(`${page(w.a.candidate.id)}/reinstate`).type('form').send({ _csrf: csrf, reason: 'Nothing to reinstate here.' })).status).toBe(409);

  expect((await admin.post(`${page(w.a.candidate.id)}/suspend`).type('form').send({ _csrf: csrf, reason: 'Complaint under investigation.' })).status).toBe(303);
  const suspended = await admin.get(page(w.a.candidate.id));
  expect(suspended.text).toMatch(/data-testid="record-standing"><span class="status status-suspended">Suspended<\/span> By the provider: Complaint under investigation\./);
  expect(offers(suspended.text)).toEqual(['reinstate']);
  const lead = await t.loginAs(w.a.lead.email);
  const register = await lead.get(`/organisations/${w.a.org.id}/register`);
  expect(register.text.split('data-testid="trainer"').find((r) => r.includes('>Candidate A<'))).toContain('By the provider: Complaint under investigation.');
  // The lead reads the record but is offered no change, and a post is refused.
  const leadView = await lead.get(page(w.a.candidate.id));
  expect(offers(leadView.text)).toEqual([]);
  expect((await lead.post(`${page(w.a.candidate.id)}/reinstate`).type('form').send({ _csrf: await t.csrf(lead, page(w.a.candidate.id)), reason: 'The lead would like this.' })).status).toBe(403);

  expect((await admin.post(`${page(w.a.candidate.id)}/reinstate`).type('form').send({ _csrf: csrf, reason: 'Investigation closed, no case.' })).status).toBe(303);
  const reinstated = await admin.get(page(w.a.candidate.id));
  expect(reinstated.text).toContain('<span class="status status-active">Active</span>');
  expect(offers(reinstated.text)).toEqual(['suspend']);
  const history = reinstated.text.split('data-testid="record-change"').slice(1);
  expect(history.map((h) => /<th scope="row" class="wide">([^<]*)</.exec(h)?.[1])).toEqual(['Promoted to senior trainer', 'Suspended', 'Reinstated']);
  expect(history[1]).toContain('<td data-label="Who">Admin</td>');
  expect(history[1]).toContain('Complaint under investigation.');

  // The trainer was told, and sees the same record with no buttons.
  const trainer = await t.loginAs(w.a.candidate.email);
  const own = await trainer.get(page(w.a.candidate.id));
  expect(offers(own.text)).toEqual([]);
  expect((await trainer.get('/notifications')).text).toContain('You are now a senior trainer');
});

test('the ledger vouches for level and suspension: a direct edit is named by the check and by npm run verify-ledger', async () => {
  const verify = () => verifyRecord(t.database.db, t.cadre.ctx.registry.projections);
  const ok = await verify();
  expect(ok.ok).toBe(true);
  expect(ok.checked.find((c) => c.name === 'trainer records')?.rows).toBe(1);

  // Candidate A's record: put back to associate behind Cadre's back.
  const [record] = await t.database.db.select().from(trainerRecords).where(eq(trainerRecords.userId, w.a.candidate.id));
  await t.database.db.execute(sql`update trainer_records set level = 'associate' where id = ${record.id}`);
  const demoted = await verify();
  expect(demoted.ok).toBe(false);
  expect(demoted.summary).toMatch(new RegExp(`trainer_records row ${record.id} \\(Candidate A's trainer record for Client A\\): its level is “Associate trainer” but the ledger says “Senior trainer”`));
  const failed = await cli();
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/Records DISAGREE with the ledger: the trainer records do not match the ledger — trainer_records row [0-9a-f-]+ \(Candidate A's trainer record for Client A\): its level is “Associate trainer” but the ledger says “Senior trainer”/);
  await t.database.db.execute(sql`update trainer_records set level = 'senior' where id = ${record.id}`);

  // Candidate A2 was never changed through Cadre: a suspension written directly has no entry.
  await t.database.db.insert(trainerRecords).values({ userId: w.a.otherCandidate.id, organisationId: w.a.org.id, suspendedAt: new Date(), suspensionReason: 'Typed into the database' });
  const forged = await verify();
  expect(forged.summary).toMatch(/Candidate A2's trainer record for Client A\): its level or suspension was changed but no ledger entry records it/);
  await t.database.db.execute(sql`update trainer_records set suspended_at = null, suspension_reason = null where user_id = ${w.a.otherCandidate.id}`);
  expect((await verify()).ok).toBe(true);
});
