/** The tool's signing keys: generated and kept in the database, published as a JWKS, rotated with overlap. The
 * private key is read only by `signJwt`; nothing else selects it. */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { and, eq, gt, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { ltiKeys, type StoredJwk } from '../db/tables';
import { audit } from '../audit';

/** How long a retired key stays published (platforms cache key sets; tokens it signed live minutes). */
export const RETIRED_KEY_PUBLISHED_MS = 7 * 24 * 3600_000;

const ALG = 'RS256';

/** Makes a new RSA key pair as stored JWKs, named by its thumbprint. */
async function newKey(): Promise<{ kid: string; publicJwk: StoredJwk; privateJwk: StoredJwk }> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const priv = await exportJWK(privateKey);
  return { kid, publicJwk: { ...pub, kid, alg: ALG, use: 'sig' } as StoredJwk, privateJwk: { ...priv, kid, alg: ALG } as StoredJwk };
}

/** The active key's id, creating the first key if there is none (two nodes racing: one insert wins). */
export async function ensureActiveKey(db: Db): Promise<string> {
  const [active] = await db.select({ kid: ltiKeys.kid }).from(ltiKeys).where(eq(ltiKeys.status, 'active'));
  if (active) return active.kid;
  const key = await newKey();
  await db.insert(ltiKeys).values({ ...key, status: 'active' }).onConflictDoNothing();
  const [now] = await db.select({ kid: ltiKeys.kid }).from(ltiKeys).where(eq(ltiKeys.status, 'active'));
  return now.kid;
}

/** The public key set: the active key and retired keys not yet expired. */
export async function publicKeySet(db: Db): Promise<{ keys: JWK[] }> {
  await ensureActiveKey(db);
  const rows = await db
    .select({ jwk: ltiKeys.publicJwk, status: ltiKeys.status })
    .from(ltiKeys)
    .where(or(eq(ltiKeys.status, 'active'), and(eq(ltiKeys.status, 'retired'), gt(ltiKeys.expiresAt, new Date()))))
    .orderBy(ltiKeys.createdAt);
  return { keys: rows.map((r) => r.jwk as JWK) };
}

/** The keys as the admin page shows them (no key material). */
export async function keyStatus(db: Db) {
  await ensureActiveKey(db);
  return db
    .select({ kid: ltiKeys.kid, status: ltiKeys.status, createdAt: ltiKeys.createdAt, retiredAt: ltiKeys.retiredAt, expiresAt: ltiKeys.expiresAt })
    .from(ltiKeys)
    .where(or(eq(ltiKeys.status, 'active'), gt(ltiKeys.expiresAt, new Date())))
    .orderBy(ltiKeys.createdAt);
}

/** The advisory lock key rotations take first. */
const ROTATION_LOCK = 7205;

/** Retires the active key (still published for a week) and makes a new one active; returns the new kid. */
export async function rotateKey(db: Db, actorId: string): Promise<string> {
  // A key exists before the transaction, so a first use elsewhere cannot insert an active key beside this one's.
  await ensureActiveKey(db);
  const key = await newKey();
  return db.transaction(async (tx) => {
    // Rotations wait for each other (audit 7201, ledger 7202, incidents 7203, badge keys 7204): two at once retire one
    // key each and leave one active, where both would otherwise retire the same key and one fail on the unique index.
    await tx.execute(sql`select pg_advisory_xact_lock(${ROTATION_LOCK})`);
    const now = new Date();
    const retired = await tx
      .update(ltiKeys)
      .set({ status: 'retired', retiredAt: now, expiresAt: new Date(now.getTime() + RETIRED_KEY_PUBLISHED_MS) })
      .where(eq(ltiKeys.status, 'active'))
      .returning({ kid: ltiKeys.kid });
    await tx.insert(ltiKeys).values({ ...key, status: 'active' });
    await audit(tx, { actorId, action: 'lti.key_rotated', subjectType: 'lti_key', subjectId: key.kid, before: { kid: retired[0]?.kid ?? null }, after: { kid: key.kid } });
    return key.kid;
  });
}

/** Signs `payload` with the active key (header: RS256, its kid, typ JWT). */
export async function signJwt(db: Db, payload: JWTPayload, lifetimeSeconds = 300): Promise<string> {
  const kid = await ensureActiveKey(db);
  const [row] = await db.select({ jwk: ltiKeys.privateJwk }).from(ltiKeys).where(eq(ltiKeys.kid, kid));
  const key = await importJWK(row.jwk as JWK, ALG);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(payload).setProtectedHeader({ alg: ALG, kid, typ: 'JWT' }).setIssuedAt(now).setExpirationTime(now + lifetimeSeconds).sign(key);
}
