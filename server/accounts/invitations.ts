/** Invitations after they are sent: their state (pending, accepted, expired, revoked), re-sending (a new link; the old
 * one stops working) and revoking (the invitation grants nothing; when it was the person's last open invitation, every
 * unused invitation link of theirs is revoked as a set). Each change is one transaction with its audit event. */
import { and, desc, eq, gt, inArray, isNull, ne } from 'drizzle-orm';
import { audit } from '../audit';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { invitations, organisations, userTokens, users } from '../db/tables';
import { ConflictError, NotFoundError } from '../errors';
import { issueToken, tokenLifetimeText } from '../auth/tokens';

/** Where an invitation stands, in the words the cohort page shows. */
export type InvitationState = 'pending' | 'accepted' | 'expired' | 'revoked';

/** One invitation to a cohort as its people page lists it. */
export type CohortInvitation = { id: string; userId: string; name: string; email: string; role: string; sentAt: Date; state: InvitationState; expiresAt: Date | null; acceptedAt: Date | null; revokedAt: Date | null };

/** A cohort's invitations, newest first, each with its state (two statements). */
export async function cohortInvitations(db: Db, cohortId: string, now = new Date()): Promise<CohortInvitation[]> {
  const rows = await db
    .select({ id: invitations.id, userId: invitations.userId, name: invitations.name, email: users.email, role: invitations.cohortRole, sentAt: invitations.createdAt, acceptedAt: invitations.acceptedAt, revokedAt: invitations.revokedAt })
    .from(invitations)
    .innerJoin(users, eq(users.id, invitations.userId))
    .where(eq(invitations.cohortId, cohortId))
    .orderBy(desc(invitations.createdAt));
  const open = rows.filter((r) => !r.acceptedAt && !r.revokedAt).map((r) => r.userId);
  const live = open.length
    ? await db.select({ userId: userTokens.userId, expiresAt: userTokens.expiresAt, createdAt: userTokens.createdAt }).from(userTokens).where(and(inArray(userTokens.userId, open), eq(userTokens.kind, 'invite'), isNull(userTokens.usedAt), gt(userTokens.expiresAt, now)))
    : [];
  const expiry = new Map(live.map((t) => [t.userId, t.expiresAt]));
  // A person's latest link is the one that counts: the invitation was re-sent when that link is newer than the row.
  const sent = new Map(live.map((t) => [t.userId, t.createdAt]));
  return rows.map((r) => {
    const state: InvitationState = r.acceptedAt ? 'accepted' : r.revokedAt ? 'revoked' : expiry.has(r.userId) ? 'pending' : 'expired';
    const lastSent = sent.get(r.userId);
    return { ...r, role: r.role ?? 'candidate', email: r.email.toLowerCase(), sentAt: lastSent && lastSent > r.sentAt ? lastSent : r.sentAt, state, expiresAt: state === 'pending' ? (expiry.get(r.userId) ?? null) : null };
  });
}

/** Loads an invitation of the cohort, or 404 (an invitation of another cohort is not found here). */
export async function getCohortInvitation(db: Db, cohortId: string, invitationId: string) {
  const [row] = await db.select().from(invitations).where(and(eq(invitations.id, invitationId), eq(invitations.cohortId, cohortId)));
  if (!row) throw new NotFoundError('That invitation');
  return row;
}

/** Refuses a change to an invitation that was already answered or withdrawn, in a sentence. */
function assertOpen(inv: typeof invitations.$inferSelect, doing: string) {
  if (inv.acceptedAt) throw new ConflictError(`${inv.name} has already accepted this invitation, so there is nothing to ${doing}.`);
  if (inv.revokedAt) throw new ConflictError(`This invitation to ${inv.name} was revoked${doing === 're-send' ? '; invite them again instead' : ' already'}.`);
}

/** The e-mail that carries an invitation's link. */
export async function mailInvitation(ctx: AppContext, user: { email: string; name: string; status: string }, orgName: string, role: string, secret: string) {
  const link = `${ctx.config.publicUrl}/invite/${secret}`;
  const where = `${orgName} as ${role === 'admin' ? 'an' : 'a'} ${role}`;
  const text =
    user.status === 'invited'
      ? `Hello ${user.name},\n\nYou have been invited to join ${where} in Cadre, the trainer-development programme.\nSet your password here (the link works once and expires in ${tokenLifetimeText.invite}):\n${link}\n`
      : `Hello ${user.name},\n\nYou have been invited to join ${where} in Cadre.\nLog in as yourself and accept the invitation here (the link expires in ${tokenLifetimeText.invite}):\n${link}\n\nIf you do not want to join, ignore this message: nothing changes until you accept.`;
  await ctx.mailer.send({ to: user.email, subject: 'You are invited to Cadre', text });
  return { link, emailed: ctx.mailer.transport === 'smtp' };
}

/** Sends an open invitation again with a new link; the person's older invitation links stop working. */
export async function resendInvitation(ctx: AppContext, actorId: string, inv: typeof invitations.$inferSelect) {
  assertOpen(inv, 're-send');
  const { user, org, secret } = await ctx.db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, inv.userId));
    const [org] = await tx.select().from(organisations).where(eq(organisations.id, inv.organisationId));
    const secret = await issueToken(tx, inv.userId, 'invite', actorId);
    await audit(tx, { actorId, action: 'invitation.resent', subjectType: 'user', subjectId: inv.userId, after: { invitationId: inv.id, cohortId: inv.cohortId } });
    return { user, org, secret };
  });
  return mailInvitation(ctx, user, org.name, inv.role, secret);
}

/** Withdraws an open invitation: it grants nothing from now on; when the person has no other open invitation, their
 * unused invitation links are revoked together. */
export async function revokeInvitation(ctx: AppContext, actorId: string, inv: typeof invitations.$inferSelect) {
  assertOpen(inv, 'revoke');
  await ctx.db.transaction(async (tx) => {
    const now = new Date();
    const done = await tx.update(invitations).set({ revokedAt: now }).where(and(eq(invitations.id, inv.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt))).returning({ id: invitations.id });
    if (!done.length) throw new ConflictError(`This invitation to ${inv.name} was answered or revoked a moment ago.`);
    const others = await tx.select({ id: invitations.id }).from(invitations).where(and(eq(invitations.userId, inv.userId), ne(invitations.id, inv.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
    if (!others.length) await tx.update(userTokens).set({ usedAt: now }).where(and(eq(userTokens.userId, inv.userId), eq(userTokens.kind, 'invite'), isNull(userTokens.usedAt)));
    await audit(tx, { actorId, action: 'invitation.revoked', subjectType: 'user', subjectId: inv.userId, before: { invitationId: inv.id, cohortId: inv.cohortId, role: inv.role }, after: { linksRevoked: !others.length } });
  });
}
