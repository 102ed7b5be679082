/**
 * Rotating the Open Badges signing key on the real app: only admins may (page, form and API); a badge signed before a
 * rotation still verifies afterwards, and one signed after carries the new key's kid — both checked with jose as a
 * verifier would, fetching the published key set over HTTP and picking the key by kid; two rotations at once leave
 * exactly one active key, each audited; the admin page shows the keys and the rotate button; after SESSION_SECRET
 * changed (the run-book in docs/DEPLOY.md) a rotation is what lets badges be signed again.
 */
import { and, eq } from 'drizzle-orm';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type TestAgent from 'supertest/lib/agent';
import { newCertificateCode } from '../../server/credentials/code';
import { auditEvents, credentialKeys } from '../../server/db/tables';
import { certificates } from './tables';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
let base: string;
let certId: string;
let holder: TestAgent;
let admin: TestAgent;

/** The holder downloads the certificate's Open Badge (a VC-JWT, as text). */
async function downloadBadge(): Promise<string> {
  const res = await holder
    .get(`/certificates/${certId}/open-badge.jwt`)
    .buffer(true)
    .parse((r, cb) => {
      let s = '';
      r.on('data', (c: Buffer) => (s += c.toString()));
      r.on('end', () => cb(null, s));
    });
  expect(res.status).toBe(200);
  return res.body as string;
}

/** The key set as a verifier reads it: the issuer profile names its address; fetched over HTTP from the listening app. */
async function publishedKeySet(): Promise<JSONWebKeySet> {
  const profile = (await (await fetch(`${base}/credentials/issuer`)).json()) as { jwks: string };
  const res = await fetch(`${base}${new URL(profile.jwks).pathname}`);
  expect(res.headers.get('content-type')).toContain('application/jwk-set+json');
  return (await res.json()) as JSONWebKeySet;
}

/** Verifies `jwt` as a verifier would: ES256 with the key the header's kid names in the published set, the issuer checked. */
async function verifyBadge(jwt: string) {
  return jwtVerify(jwt, createLocalJWKSet(await publishedKeySet()), { algorithms: ['ES256'], issuer: `${t.config.publicUrl}/credentials/issuer`, typ: 'vc+jwt' });
}

const activeKeys = async () => t.database.db.select({ kid: credentialKeys.kid }).from(credentialKeys).where(eq(credentialKeys.status, 'active'));

beforeAll(async () => {
  t = await startTestApp();
  base = await t.listen();
  const db = t.database.db;
  w = await buildWorld(db);
  const now = new Date();
  const [row] = await db
    .insert(certificates)
    .values({ code: newCertificateCode(), holderId: w.a.candidate.id, organisationId: w.a.org.id, cohortId: w.a.cohort.id, programmeName: 'Restraint reduction trainer programme', signedBy: w.a.mentor.id, issuedAt: now, validFrom: now, expiresAt: new Date(now.getTime() + 365 * 86_400_000) })
    .returning();
  certId = row.id;
  holder = await t.loginAs(w.a.candidate.email);
  admin = await t.loginAs(w.admin.email);
});
afterAll(() => t.stop());

describe('rotating the Open Badges signing key', () => {
  it('is for admins only: others are refused the page, the form and the API, and nothing changes', async () => {
    const before = await activeKeys();
    for (const person of [w.a.lead, w.a.mentor, w.a.candidate]) {
      const agent = await t.loginAs(person.email);
      expect((await agent.get('/admin/credentials')).status).toBe(403);
      expect((await agent.get('/api/v1/credentials/keys')).status).toBe(403);
      expect((await agent.post('/api/v1/credentials/keys/rotation').send({})).status).toBe(403);
      const token = await t.csrf(agent, '/cohorts');
      expect((await agent.post('/admin/credentials/keys/rotation').type('form').send({ _csrf: token })).status).toBe(403);
    }
    expect((await t.anonymous().post('/api/v1/credentials/keys/rotation').send({})).status).toBe(401);
    expect(await activeKeys()).toEqual(before);
  });

  it('a badge signed before a rotation still verifies against the published key set; one signed after uses the new kid', async () => {
    const old = await downloadBadge();
    const oldKid = decodeProtectedHeader(old).kid;
    expect((await verifyBadge(old)).protectedHeader.kid).toBe(oldKid);
    // A verifier that fetched the key set before the rotation (and fetches again on a kid it has not seen).
    const cachedVerifier = createRemoteJWKSet(new URL(`${base}/credentials/jwks.json`), { cooldownDuration: 0 });
    await jwtVerify(old, cachedVerifier);

    const rotated = await admin.post('/api/v1/credentials/keys/rotation').send({});
    expect(rotated.status).toBe(201);
    const keys = rotated.body.keys as { kid: string; thumbprint: string; status: string; createdAt: string; retiredAt: string | null }[];
    expect(keys.map((k) => k.status)).toEqual(['active', 'retired']);
    expect(keys[1]).toMatchObject({ kid: oldKid, retiredAt: expect.any(String) });
    expect(keys[0].retiredAt).toBeNull();
    expect(JSON.stringify(rotated.body)).not.toMatch(/"d"|sealed|private/i);

    const published = await publishedKeySet();
    expect(published.keys.map((k) => k.kid)).toEqual([oldKid, keys[0].kid]);
    for (const k of published.keys) expect(k.d).toBeUndefined();
    const verified = await verifyBadge(old);
    expect(verified.protectedHeader.kid).toBe(oldKid);
    expect(verified.payload.jti).toBe(`urn:uuid:${certId}`);

    const fresh = await downloadBadge();
    expect(decodeProtectedHeader(fresh).kid).toBe(keys[0].kid);
    expect(decodeProtectedHeader(fresh).kid).not.toBe(oldKid);
    expect((await verifyBadge(fresh)).protectedHeader.kid).toBe(keys[0].kid);
    await jwtVerify(fresh, cachedVerifier);
    // The issuer profile names both keys as verification methods.
    const profile = (await (await fetch(`${base}/credentials/issuer`)).json()) as { verificationMethod: { id: string }[] };
    expect(profile.verificationMethod.map((m) => m.id)).toEqual([oldKid, keys[0].kid]);

    const [event] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'credentials.key_rotated'), eq(auditEvents.subjectId, keys[0].thumbprint)));
    expect(event).toMatchObject({ actorId: w.admin.id, subjectType: 'credential_key', before: { kid: keys[1].thumbprint }, after: { kid: keys[0].thumbprint } });
  });

  it('two rotations at once leave exactly one active key, each audited, each retiring the key before it', async () => {
    const db = t.database.db;
    const before = await db.select({ kid: credentialKeys.kid }).from(credentialKeys);
    const other = await t.loginAs(w.admin.email);
    const answers = await Promise.all([admin.post('/api/v1/credentials/keys/rotation').send({}), other.post('/api/v1/credentials/keys/rotation').send({})]);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    const all = await db.select().from(credentialKeys);
    expect(all).toHaveLength(before.length + 2);
    expect(all.filter((k) => k.status === 'active')).toHaveLength(1);
    expect(all.filter((k) => k.status === 'retired').every((k) => k.retiredAt)).toBe(true);
    // The two audit rows form a chain: the second retired the key the first made.
    const events = (await db.select().from(auditEvents).where(eq(auditEvents.action, 'credentials.key_rotated'))).sort((a, b) => Number(a.seq) - Number(b.seq)).slice(-2);
    const [first, second] = events as unknown as { before: { kid: string }; after: { kid: string } }[];
    expect(second.before.kid).toBe(first.after.kid);
    expect((await activeKeys())[0].kid).toBe(second.after.kid);
    // Every key, retired ones too, is still published.
    expect((await publishedKeySet()).keys).toHaveLength(all.length);
  });

  it('the admin page shows each key by its dates and status, and the rotate button with its confirmation; the form rotates', async () => {
    const admins = await t.loginAs(w.admin.email);
    expect((await admins.get('/admin')).text).toContain('href="/admin/credentials"');
    const page = await admins.get('/admin/credentials');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Rotate the signing key</button>');
    expect(page.text).toContain('data-confirm="Make a new signing key? The old one stays published, so every badge it signed still verifies."');
    expect(page.text).toContain('Retired keys stay published for good');
    expect(page.text).toContain('<span class="status status-signed">Active</span>');
    expect(page.text).toMatch(/<td data-label="Fingerprint"><span class="hint">[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}<\/span><\/td>/);
    expect(page.text).toContain('<span class="status status-expired">Retired</span>');
    const stored = await t.database.db.select().from(credentialKeys);
    for (const k of stored) expect(page.text).not.toContain(k.kid); // no raw thumbprint
    const count = stored.length;
    const token = await t.csrf(admins, '/admin/credentials');
    const done = await admins.post('/admin/credentials/keys/rotation').type('form').send({ _csrf: token });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/admin/credentials?done=rotated');
    expect((await t.database.db.select().from(credentialKeys)).length).toBe(count + 1);
    expect((await admins.get('/admin/credentials?done=rotated')).text).toContain('A new signing key is active. The old one stays published, so every badge it signed still verifies.');
  });

  it('after SESSION_SECRET changed, the sealed key cannot sign until an admin rotates it; then badges sign again and old ones still verify', async () => {
    const old = await downloadBadge();
    const moved = await startTestApp({ database: t.database, config: { SESSION_SECRET: 'a-new-secret-a-new-secret-a-new-secret-0123' } });
    try {
      const candidate = await moved.loginAs(w.a.candidate.email);
      expect((await candidate.get(`/certificates/${certId}/open-badge.jwt`)).status).toBe(500);
      expect((await (await moved.loginAs(w.admin.email)).post('/api/v1/credentials/keys/rotation').send({})).status).toBe(201);
      const res = await candidate.get(`/certificates/${certId}/open-badge.jwt`).buffer(true).parse((r, cb) => {
        let s = '';
        r.on('data', (c: Buffer) => (s += c.toString()));
        r.on('end', () => cb(null, s));
      });
      expect(res.status).toBe(200);
      expect(decodeProtectedHeader(res.body as string).kid).toBe(`${t.config.publicUrl}/credentials/jwks.json#${(await activeKeys())[0].kid}`);
      await verifyBadge(res.body as string);
      await verifyBadge(old);
    } finally {
      await moved.stop();
    }
  });
});
