/**
 * Open Badges 3.0: the certificate as an `OpenBadgeCredential` (W3C VC data model 2.0), secured as a VC-JWT signed
 * ES256 with the provider's key. The key is made on first use; its private half is stored sealed (AES-256-GCM under a
 * key derived with HKDF from SESSION_SECRET, which every node shares) and only `signBadge` opens it. An admin rotates
 * it (`rotateBadgeKey`): the active key is retired and a new one signs from then on. Every key, retired ones too, is
 * published as a JWK Set at /credentials/jwks.json and named in the issuer profile (/credentials/issuer), for good: a
 * badge is kept for years, and the key that signed it must still be there when someone checks it.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { asc, desc, eq, sql } from 'drizzle-orm';
import { audit } from '../audit';
import type { Actor } from '../auth/actor';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { credentialKeys } from '../db/tables';
import { sha256 } from '../util/canonical';
import type { CertificateView } from './queries';

const ALG = 'ES256';

/** The advisory lock rotations take first (audit 7201, ledger 7202, incidents 7203; LTI keys 7205), so they run one after another. */
const ROTATION_LOCK = 7204;

function sealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'cadre-credentials', 'open badges signing key v1', 32));
}

/** Seals a private JWK: iv.tag.ciphertext, base64url. */
export function seal(secret: string, jwk: JWK): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

function unseal(secret: string, sealed: string): JWK {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), iv);
  decipher.setAuthTag(tag);
  return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')) as JWK;
}

/** The issuer's addresses: its profile, its key set, and a key's `kid` (a URI into the key set). */
export function issuerUrls(publicUrl: string) {
  return { profile: `${publicUrl}/credentials/issuer`, jwks: `${publicUrl}/credentials/jwks.json`, kid: (thumbprint: string) => `${publicUrl}/credentials/jwks.json#${thumbprint}` };
}

/** A new key pair as its row (thumbprint, public JWK, sealed private JWK), not yet stored. */
async function newBadgeKey(secret: string) {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
  const pub = await exportJWK(publicKey);
  return { kid: await calculateJwkThumbprint(pub), publicJwk: { ...pub, alg: ALG, use: 'sig' }, privateJwkSealed: seal(secret, await exportJWK(privateKey)) };
}

/** The active key's thumbprint, creating the key on first use (two nodes racing: one insert wins). */
export async function ensureBadgeKey(db: Db, secret: string): Promise<string> {
  const [active] = await db.select({ kid: credentialKeys.kid }).from(credentialKeys).where(eq(credentialKeys.status, 'active'));
  if (active) return active.kid;
  await db.insert(credentialKeys).values({ ...(await newBadgeKey(secret)), status: 'active' }).onConflictDoNothing();
  const [now] = await db.select({ kid: credentialKeys.kid }).from(credentialKeys).where(eq(credentialKeys.status, 'active'));
  return now.kid;
}

/** Retires the active key (it stays published for good) and makes a new one active, audited, in one transaction;
 * returns both thumbprints. Rotations wait for each other on an advisory lock, so two at once retire one key each and
 * leave one active (the partial unique index refuses a second active key whatever happens). */
export async function rotateBadgeKey(ctx: AppContext, actor: Pick<Actor, 'id'>): Promise<{ retired: string | null; active: string }> {
  // A key exists before the transaction, so a first use on another node cannot insert beside this one's new key.
  await ensureBadgeKey(ctx.db, ctx.config.sessionSecret);
  const key = await newBadgeKey(ctx.config.sessionSecret);
  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROTATION_LOCK})`);
    // Read after the lock: a rotation that went first has committed, and its new key is the one retired here.
    const now = new Date();
    const [retired] = await tx.update(credentialKeys).set({ status: 'retired', retiredAt: now }).where(eq(credentialKeys.status, 'active')).returning({ kid: credentialKeys.kid });
    await tx.insert(credentialKeys).values({ ...key, status: 'active', createdAt: now });
    await audit(tx, { actorId: actor.id, action: 'credentials.key_rotated', subjectType: 'credential_key', subjectId: key.kid, before: { kid: retired?.kid ?? null }, after: { kid: key.kid } });
    return { retired: retired?.kid ?? null, active: key.kid };
  });
}

/** One signing key as admins see it (no key material): its thumbprint and `kid` URI, status and dates. */
export type BadgeKeyStatus = { thumbprint: string; kid: string; status: 'active' | 'retired'; createdAt: Date; retiredAt: Date | null };

/** Every signing key, newest (the active one) first, creating the first key if there is none. */
export async function badgeKeyStatus(ctx: AppContext): Promise<BadgeKeyStatus[]> {
  await ensureBadgeKey(ctx.db, ctx.config.sessionSecret);
  const rows = await ctx.db
    .select({ thumbprint: credentialKeys.kid, status: credentialKeys.status, createdAt: credentialKeys.createdAt, retiredAt: credentialKeys.retiredAt })
    .from(credentialKeys)
    .orderBy(desc(credentialKeys.createdAt), asc(credentialKeys.status));
  return rows.map((r) => ({ ...r, kid: issuerUrls(ctx.config.publicUrl).kid(r.thumbprint) }));
}

/** The published key set: every key (retired keys stay, so credentials they signed still verify), each with its `kid` URI. */
export async function badgeKeySet(ctx: AppContext): Promise<{ keys: JWK[] }> {
  await ensureBadgeKey(ctx.db, ctx.config.sessionSecret);
  const rows = await ctx.db.select({ kid: credentialKeys.kid, jwk: credentialKeys.publicJwk }).from(credentialKeys).orderBy(credentialKeys.createdAt);
  return { keys: rows.map((r) => ({ ...(r.jwk as JWK), kid: issuerUrls(ctx.config.publicUrl).kid(r.kid) })) };
}

/** The issuer profile (OB 3.0 `Profile`), naming the key set and its keys. */
export async function issuerProfile(ctx: AppContext): Promise<Record<string, unknown>> {
  const urls = issuerUrls(ctx.config.publicUrl);
  const { keys } = await badgeKeySet(ctx);
  const identity = ctx.identity.get();
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: urls.profile,
    type: ['Profile'],
    name: identity.name,
    url: ctx.config.publicUrl,
    ...(identity.logoUrl ? { image: { id: `${ctx.config.publicUrl}${identity.logoUrl}`, type: 'Image' } } : {}),
    jwks: urls.jwks,
    verificationMethod: keys.map((k) => ({ id: k.kid, type: 'JsonWebKey', controller: urls.profile, publicKeyJwk: { kty: k.kty, crv: k.crv, x: k.x, y: k.y } })),
  };
}

/** The certificate as an OpenBadgeCredential (unsigned). The holder is named by a salted hash of their e-mail and by name. */
export function badgeCredential(ctx: AppContext, cert: CertificateView, holderEmail: string): Record<string, unknown> {
  const base = ctx.config.publicUrl;
  const provider = ctx.identity.get().name;
  const salt = sha256(`${cert.id}:salt`).slice(0, 16);
  const competencies = cert.competencies.map((c) => `${c.code} ${c.title}`).join('; ');
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: `urn:uuid:${cert.id}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `${cert.role}: ${cert.programme}`,
    issuer: { id: issuerUrls(base).profile, type: ['Profile'], name: provider, url: base },
    validFrom: cert.validFrom.toISOString(),
    validUntil: cert.expiresAt.toISOString(),
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [
        { type: 'IdentityObject', identityType: 'emailAddress', hashed: true, identityHash: `sha256$${sha256(holderEmail.toLowerCase() + salt)}`, salt },
        { type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: cert.holderName },
      ],
      achievement: {
        id: `${base}/credentials/achievements/${cert.programmeTemplateId ?? cert.cohortId}`,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: `${cert.role} — ${cert.programme}`,
        description: `Certified by ${provider} to deliver the ${cert.programme} training as an in-house trainer for ${cert.organisationName} (not transferable to another organisation).`,
        criteria: { narrative: `Completed the ${cert.programme} programme's gated stages, had each required competency signed off by a mentor on evidence${competencies ? ` (${competencies})` : ''}, and was signed off by a mentor as ready to deliver. Valid for a set period and renewed by an annual refresher.` },
        humanCode: cert.code,
      },
    },
    evidence: [{ id: `${base}/verify/${cert.code}`, type: ['Evidence'], name: 'Public verification page', description: 'Shows whether this certificate is valid, expired or revoked.' }],
  };
}

/** Signs the credential as a VC-JWT (header: ES256, typ vc+jwt, the key's `kid` URI; claims: the credential plus
 * iss/jti/sub/nbf/exp so plain JWT verifiers check the validity window too). */
export async function signBadge(ctx: AppContext, credential: Record<string, unknown>): Promise<string> {
  const thumbprint = await ensureBadgeKey(ctx.db, ctx.config.sessionSecret);
  const [row] = await ctx.db.select({ sealed: credentialKeys.privateJwkSealed }).from(credentialKeys).where(eq(credentialKeys.kid, thumbprint));
  const key = await importJWK(unseal(ctx.config.sessionSecret, row.sealed), ALG);
  const clean = JSON.parse(JSON.stringify(credential)) as Record<string, unknown>;
  const seconds = (iso: unknown) => Math.floor(new Date(String(iso)).getTime() / 1000);
  return new SignJWT({ ...clean, jti: String(clean.id), nbf: seconds(clean.validFrom), exp: seconds(clean.validUntil) })
    .setProtectedHeader({ alg: ALG, typ: 'vc+jwt', cty: 'vc', kid: issuerUrls(ctx.config.publicUrl).kid(thumbprint) })
    .setIssuer(issuerUrls(ctx.config.publicUrl).profile)
    .setIssuedAt()
    .sign(key);
}
