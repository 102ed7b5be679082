/**
 * Certificates end to end on the real app: a mentor's final readiness sign-off (HTTP) issues the certificate in the same
 * transaction; the public /verify page says valid, then expired on a fake clock; the PDF names both parties, the
 * holder, the competencies and the code; the Open Badge verifies with a verifier written here on node:crypto (not the
 * app's code) against the published JWK Set and fails when altered; a refresher's sign-off renews (history kept); an
 * admin revokes with a reason and every page then says revoked — the verification page never the reason.
 */
import { createPublicKey, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { certificates, cohortStages, cohorts, programmeTemplates, remedialWorkshopChecklistTable, type Db } from './tables';
import { verifyRecord } from '../../server/ledger/verify';
import { currentCertificate, statusOf } from '../../server/credentials/queries';
import { DEFAULT_CHECKLIST } from '../../modules/remedial-workshop/checklist';
import { startTestApp, type TestApp } from '../support/app';
import { addToCohort, buildCohort, buildUser, buildWorld, type World } from '../support/factories';
import { asBuffer, binary, pdfWords } from '../support/pdf';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
let mentor: TestAgent;
let programme: { id: string };
let refresher: { id: string };

/** A cohort stage of the remedial workshop whose only completion requirement is the final sign-off, checklist done. */
async function finalStage(db: Db, cohortId: string, leadId: string, mentorId: string) {
  const [stage] = await db.insert(cohortStages).values({ cohortId, position: 1, moduleKey: 'remedial-workshop', title: 'Remedial workshop', completeRequirements: [{ kind: 'remedial-workshop:readiness-signed', params: {} }] }).returning();
  const at = new Date();
  await db.insert(remedialWorkshopChecklistTable).values(DEFAULT_CHECKLIST.map((i) => ({ cohortStageId: stage.id, itemKey: i.key, leadBy: leadId, leadAt: at, mentorBy: mentorId, mentorAt: at })));
  return stage;
}

const signOff = (agent: TestAgent, cohortId: string, candidateId: string) =>
  agent.post(`/api/v1/cohorts/${cohortId}/stages/remedial-workshop/signoffs`).send({ candidateId, note: 'Ready to deliver.', overrideReason: 'Competencies were signed off in the previous cohort.' });

const holderCert = async (holderId: string) => (await t.database.db.select().from(certificates).where(eq(certificates.holderId, holderId)))[0];

beforeAll(async () => {
  t = await startTestApp();
  const db = t.database.db;
  w = await buildWorld(db);
  [programme] = await db.insert(programmeTemplates).values({ name: 'Restraint reduction trainer programme', certificateMonths: 12 }).returning();
  [refresher] = await db.insert(programmeTemplates).values({ name: 'Annual refresher', certificateMonths: 12, refresherOf: programme.id }).returning();
  await db.update(cohorts).set({ programmeTemplateId: programme.id }).where(eq(cohorts.id, w.a.cohort.id));
  await finalStage(db, w.a.cohort.id, w.a.lead.id, w.a.mentor.id);
  mentor = await t.loginAs(w.a.mentor.email);
});
afterAll(() => t.stop());

describe('certificates', () => {
  let code: string;
  let certId: string;

  it('the final readiness sign-off issues the certificate, for this organisation, valid 12 months', async () => {
    // The candidate has their programme open (their actor is cached) when the mentor signs them off.
    const candidate = await t.loginAs(w.a.candidate.email);
    const programmePage = `/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}`;
    expect((await candidate.get(programmePage).expect(200)).text).not.toContain('data-testid="certified"');
    const res = await signOff(mentor, w.a.cohort.id, w.a.candidate.id);
    expect(res.status).toBe(201);
    // At once, their programme page says they are certified and leads to the certificate and their trainer record.
    const after = (await candidate.get(programmePage).expect(200)).text;
    expect(after).toContain('You are an associate trainer');
    expect(after).toContain('href="/certificates/mine"');
    expect(after).toContain(`href="/organisations/${w.a.org.id}/trainers/${w.a.candidate.id}"`);
    const cert = await holderCert(w.a.candidate.id);
    expect(cert).toMatchObject({ organisationId: w.a.org.id, programmeName: 'Restraint reduction trainer programme', role: 'Associate trainer', renewals: 0, revokedAt: null });
    expect(cert.code).toMatch(/^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/);
    expect(cert.expiresAt.getUTCFullYear() * 12 + cert.expiresAt.getUTCMonth() - (cert.issuedAt.getUTCFullYear() * 12 + cert.issuedAt.getUTCMonth())).toBe(12);
    ({ code, id: certId } = cert);
    expect(await currentCertificate(db(), w.a.candidate.id, w.a.org.id)).toMatchObject({ status: 'valid', programme: 'Restraint reduction trainer programme' });
    expect(await currentCertificate(db(), w.a.candidate.id, w.b.org.id)).toBeNull();
    expect((await verifyRecord(db(), t.cadre.ctx.registry.projections)).ok).toBe(true);
  });

  it('/verify/<code> says valid to anyone, with nothing private; a typed code finds it; an unknown code is a kind 404', async () => {
    const anon = t.anonymous();
    const page = await anon.get(`/verify/${code}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Valid.');
    expect(page.text).toContain('Candidate A');
    expect(page.text).toContain('Client A only');
    expect(page.text).not.toContain(w.a.candidate.email);
    expect(page.text).not.toContain('previous cohort');
    const typed = await anon.get(`/verify?code=${encodeURIComponent(code.toLowerCase().replace(/-/g, ' '))}`);
    expect(typed.status).toBe(303);
    expect(typed.headers.location).toBe(`/verify/${code}`);
    const unknown = await anon.get('/verify/2222-3333-4444');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('We could not find that certificate');
  });

  it('shows expired on a fake clock a year and a day on', async () => {
    const cert = await holderCert(w.a.candidate.id);
    const later = new Date(cert.expiresAt.getTime() + 86_400_000);
    expect(statusOf(cert, later)).toBe('expired');
    expect((await currentCertificate(db(), w.a.candidate.id, w.a.org.id, later))?.status).toBe('expired');
    jest.useFakeTimers({ now: later, doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    try {
      const page = await t.anonymous().get(`/verify/${code}`);
      expect(page.text).toContain('Expired.');
      expect(page.text).toMatch(/This certificate expired on \d+ \w+ \d{4}/);
    } finally {
      jest.useRealTimers();
    }
  });

  it('the holder sees it and downloads the PDF: both parties, holder, programme, competencies, dates and the code', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const page = await candidate.get(`/certificates/${certId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Download it as an Open Badge');
    expect(page.text).not.toContain('Revoke this certificate');
    const pdf = await asBuffer(candidate, `/certificates/${certId}/certificate.pdf`);
    expect(pdf.status).toBe(200);
    const words = pdfWords(binary(pdf));
    for (const said of ['Provider', 'Candidate A', 'Restraint reduction trainer programme', 'Client A only', `Certificate code ${code}`, 'Valid until']) expect(words).toContain(said);
    // Another tenant's people never learn it exists; the lead sees the cohort's certificates.
    expect((await (await t.loginAs(w.b.lead.email)).get(`/certificates/${certId}`)).status).toBe(404);
    const lead = await t.loginAs(w.a.lead.email);
    const list = await lead.get(`/cohorts/${w.a.cohort.id}/certificates`);
    expect(list.text).toContain(code);
    expect((await lead.get(`/certificates/${certId}/open-badge.jwt`)).status).toBe(403);
  });

  it('the Open Badge verifies independently against the published key set, and fails when altered', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    const res = await candidate.get(`/certificates/${certId}/open-badge.jwt`).buffer(true).parse((r, cb) => {
      let s = '';
      r.on('data', (c: Buffer) => (s += c.toString()));
      r.on('end', () => cb(null, s));
    });
    expect(res.status).toBe(200);
    const jwt = res.body as string;
    const anon = t.anonymous();
    const profile = JSON.parse((await anon.get('/credentials/issuer').buffer(true)).text) as { id: string; jwks: string; verificationMethod: { id: string }[] };
    const jwks = JSON.parse((await anon.get(new URL(profile.jwks).pathname).buffer(true)).text) as { keys: (JsonWebKey & { kid: string })[] };

    /** A verifier of our own: ES256 over header.payload with the key the header's kid names in the issuer's key set. */
    const check = (token: string) => {
      const [h, p, s] = token.split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string; kid: string; typ: string };
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      if (header.alg !== 'ES256' || !jwk) return null;
      const ok = verifySignature('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
      return ok ? { header, claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown> } : null;
    };
    const good = check(jwt);
    expect(good).not.toBeNull();
    expect(good!.header.typ).toBe('vc+jwt');
    expect(profile.verificationMethod.map((m) => m.id)).toContain(good!.header.kid);
    const vc = good!.claims as { '@context': string[]; type: string[]; issuer: { id: string; type: string[] }; validFrom: string; validUntil: string; credentialSubject: { type: string[]; achievement: { type: string[]; criteria: { narrative: string } } } };
    expect(vc['@context'][0]).toBe('https://www.w3.org/ns/credentials/v2');
    expect(vc.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(vc.issuer).toMatchObject({ id: profile.id, type: ['Profile'] });
    expect(vc.credentialSubject.type).toEqual(['AchievementSubject']);
    expect(vc.credentialSubject.achievement.type).toEqual(['Achievement']);
    expect(vc.credentialSubject.achievement.criteria.narrative).toMatch(/signed off by a mentor as ready to deliver/);
    expect(new Date(vc.validUntil).getTime()).toBe((await holderCert(w.a.candidate.id)).expiresAt.getTime());
    expect(JSON.stringify(vc)).not.toContain(w.a.candidate.email);
    // Altered: the validity stretched by five years, signature kept.
    const [h, p, s] = jwt.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, validUntil: '2099-01-01T00:00:00.000Z' })).toString('base64url');
    expect(check(`${h}.${forged}.${s}`)).toBeNull();
  });

  it('a refresher’s final sign-off renews the certificate (new validity, history kept, ledgered); with nothing to renew it is refused', async () => {
    const db = t.database.db;
    const before = await holderCert(w.a.candidate.id);
    const cohort = await buildCohort(db, w.a.org.id, { name: 'Refresher 2027', programmeTemplateId: refresher.id });
    await addToCohort(db, cohort.id, w.a.mentor.id, 'mentor');
    await addToCohort(db, cohort.id, w.a.candidate.id, 'candidate');
    const fresh = await buildUser(db, { name: 'Never Certified', organisationId: w.a.org.id, role: 'candidate' });
    await addToCohort(db, cohort.id, fresh.id, 'candidate');
    await finalStage(db, cohort.id, w.a.lead.id, w.a.mentor.id);
    t.cadre.ctx.actors.invalidate(w.a.mentor.id); // memberships written directly, not through a command
    const res = await signOff(mentor, cohort.id, w.a.candidate.id);
    expect(res.status).toBe(201);
    const after = await holderCert(w.a.candidate.id);
    expect(after).toMatchObject({ id: before.id, code: before.code, renewals: 1 });
    expect(after.validFrom.getTime()).toBeGreaterThan(before.validFrom.getTime());
    expect(after.expiresAt.getTime()).toBeGreaterThan(before.expiresAt.getTime());
    const refused = await signOff(mentor, cohort.id, fresh.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/holds no current certificate for this organisation/);
    expect(await holderCert(fresh.id)).toBeUndefined();
    const page = await (await t.loginAs(w.a.candidate.email)).get(`/certificates/${certId}`);
    expect(page.text).toMatch(/issued on the final readiness sign-off/);
    expect(page.text).toMatch(/renewed by the refresher Annual refresher/);
    expect((await verifyRecord(db, t.cadre.ctx.registry.projections)).ok).toBe(true);
  });

  it('an admin revokes it with a reason on a confirmation form; every page then says revoked, the public one without the reason', async () => {
    const admin = await t.loginAs(w.admin.email);
    const confirm = await admin.get(`/certificates/${certId}/revoke`);
    expect(confirm.text).toContain('data-testid="revoke-form"');
    let token = await t.csrf(admin, `/certificates/${certId}/revoke`);
    const short = await admin.post(`/certificates/${certId}/revoke`).type('form').send({ _csrf: token, reason: 'no' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('href="#field-reason"');
    expect((await holderCert(w.a.candidate.id)).revokedAt).toBeNull();
    token = await t.csrf(admin, `/certificates/${certId}/revoke`);
    const done = await admin.post(`/certificates/${certId}/revoke`).type('form').send({ _csrf: token, reason: 'Left the organisation before delivering a course.' });
    expect(done.status).toBe(303);
    const pub = await t.anonymous().get(`/verify/${code}`);
    expect(pub.text).toContain('Revoked.');
    expect(pub.text).toMatch(/revoked it on \d+ \w+ \d{4}\. The reason is not published\./);
    expect(pub.text).not.toContain('Left the organisation');
    const own = await (await t.loginAs(w.a.candidate.email)).get(`/certificates/${certId}`);
    expect(own.text).toContain('Revoked');
    expect(own.text).toContain('Left the organisation before delivering a course.');
    expect((await admin.get(`/certificates/${certId}`)).text).not.toContain('Revoke this certificate…');
    expect((await currentCertificate(db(), w.a.candidate.id, w.a.org.id))?.status).toBe('revoked');
    expect((await verifyRecord(db(), t.cadre.ctx.registry.projections)).ok).toBe(true);
  });
});

function db(): Db {
  return t.database.db;
}
