/** Invitations after they are sent: their state (pending, accepted, expired, revoked), re-sending (a new link; the old
 * one stops working) and revoking (the invitation grants nothing; when it was the person's last open invitation, every
 * unused invitation link of theirs is revoked as a set). Each change is one transaction with its audit event. */
import { and, desc, eq, gt, inArray, isNull, ne, type SQL } from 'drizzle-orm';
import { audit } from '../audit';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { invitations, organisations, userTokens, users } from '../db/tables';
import { ConflictError, NotFoundError } from '../errors';
import { issueToken, tokenLifetimeText } from '../auth/tokens';

/** Where an invitation stands, in the words the cohort page shows. */
export type InvitationState = 'pending' | 'accepted' | 'expired' | 'revoked';

/** One invitation as a people list shows it (the cohort page, or /admin for invitations to no cohort). */
export type CohortInvitation = { id: string; userId: string; name: string; email: string; role: string; organisation: string; sentAt: Date; state: InvitationState; expiresAt: Date | null; acceptedAt: Date | null; revokedAt: Date | null };

/** The one rule for changing an invitation: it may be re-sent or revoked while nobody has answered or withdrawn it
 * (pending or expired). The commands refuse otherwise; the pages offer the buttons by this. */
export const mayChangeInvitation = (inv: { acceptedAt: Date | null; revokedAt: Date | null }) => !inv.acceptedAt && !inv.revokedAt;

/** Invitations matching `where`, newest first, each with its state (two statements). A cohort's show their cohort
 * role; the others their organisation role. */
async function listInvitations(db: Db, where: SQL | undefined, now: Date): Promise<CohortInvitation[]> {
  const rows = await db
    .select({ id: invitations.id, userId: invitations.userId, name: invitations.name, email: users.email, role: invitations.role, cohortRole: invitations.cohortRole, organisation: organisations.name, sentAt: invitations.createdAt, acceptedAt: invitations.acceptedAt, revokedAt: invitations.revokedAt })
    .from(invitations)
    .innerJoin(users, eq(users.id, invitations.userId))
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .where(where)
    .orderBy(desc(invitations.createdAt));
  const open = rows.filter(mayChangeInvitation).map((r) => r.userId);
  const live = open.length
    ? await db.select({ userId: userTokens.userId, expiresAt: userTokens.expiresAt, createdAt: userTokens.createdAt }).from(userTokens).where(and(inArray(userTokens.userId, open), eq(userTokens.kind, 'invite'), isNull(userTokens.usedAt), gt(userTokens.expiresAt, now)))
    : [];
  const expiry = new Map(live.map((t) => [t.userId, t.expiresAt]));
  // A person's latest link is the one that counts: the invitation was re-sent when that link is newer than the row.
  const sent = new Map(live.map((t) => [t.userId, t.createdAt]));
  return rows.map(({ cohortRole, ...r }) => {
    const state: InvitationState = r.acceptedAt ? 'accepted' : r.revokedAt ? 'revoked' : expiry.has(r.userId) ? 'pending' : 'expired';
    const lastSent = sent.get(r.userId);
    return { ...r, role: cohortRole ?? r.role ?? 'candidate', email: r.email.toLowerCase(), sentAt: lastSent && lastSent > r.sentAt ? lastSent : r.sentAt, state, expiresAt: state === 'pending' ? (expiry.get(r.userId) ?? null) : null };
  });
}

/** A cohort's invitations, newest first, each with its state (two statements). */
export function cohortInvitations(db: Db, cohortId: string, now = new Date()): Promise<CohortInvitation[]> {
  return listInvitations(db, eq(invitations.cohortId, cohortId), now);
}

/** Invitations to an organisation and no cohort (the admin page's list), newest first, each with its state. */
export function invitationsWithoutCohort(db: Db, now = new Date()): Promise<CohortInvitation[]> {
  return listInvitations(db, isNull(invitations.cohortId), now);
}

/** An invitation's state in the words the pages show. */
const INVITATION_WORDS: Record<InvitationState, string> = { pending: 'Pending', accepted: 'Accepted', expired: 'Expired', revoked: 'Revoked' };

/** What the shared invitations table (partials/invitations) shows of one invitation: its state in words, and whether
 * Re-send and Revoke are offered — by `mayChangeInvitation` (the commands' rule) and the viewer's right (`allowed`). */
export function presentInvitation(inv: CohortInvitation, allowed: boolean) {
  return { ...inv, stateLabel: INVITATION_WORDS[inv.state], may: allowed && mayChangeInvitation(inv) };
}

/** Loads an invitation to no cohort, or 404 (a cohort's invitation is changed from the cohort's page). */
export async function getInvitationWithoutCohort(db: Db, invitationId: string) {
  const [row] = await db.select().from(invitations).where(and(eq(invitations.id, invitationId), isNull(invitations.cohortId)));
  if (!row) throw new NotFoundError('That invitation');
  return row;
}

/** Loads an invitation of the cohort, or 404 (an invitation of another cohort is not found here). */
export async function getCohortInvitation(db: Db, cohortId: string, invitationId: string) {
  const [row] = await db.select().from(invitations).where(and(eq(invitations.id, invitationId), eq(invitations.cohortId, cohortId)));
  if (!row) throw new NotFoundError('That invitation');
  return row;
}

/** Refuses a change to an invitation that was already answered or withdrawn, in a sentence. */
function assertOpen(inv: typeof invitations.$inferSelect, doing: string) {
  if (mayChangeInvitation(inv)) return;
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
