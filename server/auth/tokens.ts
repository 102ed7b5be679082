/** One-time, expiring links for invitations and password resets. Only the token's SHA-256 is stored. */
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, ne } from 'drizzle-orm';
import type { Db } from '../db';
import { userTokens } from '../db/tables';
import { sha256 } from '../util/canonical';

const lifetimes = { invite: 7 * 24 * 3600_000, reset: 2 * 3600_000 } as const;

/**
 * Creates a token for `userId` and returns the secret to put in the link (shown once, never stored). The user's
 * older unused links of the same kind stop working: only the newest invitation or reset link is live.
 */
export async function issueToken(tx: Db, userId: string, kind: 'invite' | 'reset', createdBy: string | null): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  await tx
    .update(userTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(userTokens.userId, userId), eq(userTokens.kind, kind), isNull(userTokens.usedAt)));
  await tx.insert(userTokens).values({
    userId,
    kind,
    tokenHash: sha256(secret),
    expiresAt: new Date(Date.now() + lifetimes[kind]),
    createdBy,
  });
  return secret;
}

/** Finds a usable (unused, unexpired) token; null otherwise. */
export async function findUsableToken(db: Db, secret: string, kind: 'invite' | 'reset') {
  const [row] = await db
    .select()
    .from(userTokens)
    .where(and(eq(userTokens.tokenHash, sha256(secret)), eq(userTokens.kind, kind), isNull(userTokens.usedAt), gt(userTokens.expiresAt, new Date())));
  return row ?? null;
}

/** Marks a token used and revokes every other unused token of its user; false when someone used it first. */
export async function consumeToken(tx: Db, tokenId: string, userId: string): Promise<boolean> {
  const now = new Date();
  const used = await tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.id, tokenId), isNull(userTokens.usedAt)))
    .returning({ id: userTokens.id });
  if (used.length !== 1) return false;
  await tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.userId, userId), isNull(userTokens.usedAt), ne(userTokens.id, tokenId)));
  return true;
}

/** How long each kind of link lasts, in words. */
export const tokenLifetimeText = { invite: '7 days', reset: '2 hours' } as const;
