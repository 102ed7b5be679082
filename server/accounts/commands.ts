/**
 * Account commands: invite a person, accept invitations, reset or change a password. Each is one transaction.
 *
 * An invitation grants nothing until the invitee accepts it, and the inviter's answer is the same whether or not the
 * address already has an account: a new person sets a password from the link (that accepts it); a person with an
 * account is e-mailed a link they open while logged in as themselves. Nobody but the account's owner can set its
 * password, and nobody is attached to another organisation without saying yes.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { cohortMembers, cohorts, invitations, memberships, organisations, users, type CohortRole, type Role } from '../db/tables';
import { audit } from '../audit';
import { ConflictError, ValidationError } from '../errors';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { consumeToken, findUsableToken, issueToken, tokenLifetimeText } from '../auth/tokens';
import { mailInvitation } from './invitations';
import { rolesChanged, sessionsEnded } from '../auth/authority';
import { endUserSessions } from '../http/session';

/** Who to invite, into which organisation and role, and optionally which cohort. */
export type InviteInput = {
  email: string;
  name: string;
  organisationId: string;
  role: Role;
  cohortId?: string;
  cohortRole?: CohortRole;
};

/**
 * The answer to an invitation, identical whether or not the address has an account. `link` is the one-time link,
 * present only when no e-mail server is configured (for the inviter to pass on): for a new person it sets their
 * password; for a person with an account it only works when they are logged in as themselves.
 */
export type InviteResult = { invitationId: string; link: string; emailed: boolean; /** When the same invitation was already open: when it was first sent (it was sent again). */ repeatedSince: Date | null };

/** Finds a user by e-mail, case-insensitively. */
export async function findUserByEmail(db: Db, email: string) {
  const [row] = await db.select().from(users).where(eq(sql`lower(${users.email})`, email.toLowerCase()));
  return row ?? null;
}

const cohortRoleFor = (role: Role, cohortRole?: CohortRole): CohortRole => cohortRole ?? (role === 'lead' ? 'lead' : role === 'mentor' ? 'mentor' : 'candidate');

/** Records an invitation and e-mails its link; the same work and the same answer whether or not the address exists. */
export async function inviteUser(ctx: AppContext, actorId: string, input: InviteInput): Promise<InviteResult> {
  const result = await ctx.db.transaction(async (tx) => {
    const [org] = await tx.select().from(organisations).where(eq(organisations.id, input.organisationId));
    if (!org) throw new ValidationError('That organisation does not exist.', [{ field: 'organisationId', message: 'no such organisation' }]);
    if ((input.role === 'admin' || input.role === 'mentor') && org.kind !== 'provider') {
      throw new ValidationError(`A ${input.role} belongs to the training provider, not a client organisation.`, [
        { field: 'role', message: `${input.role}s are invited into the training provider` },
      ]);
    }
    let user = await findUserByEmail(tx, input.email);
    if (!user) {
      [user] = await tx.insert(users).values({ email: input.email, name: input.name, status: 'invited' }).returning();
      await audit(tx, { actorId, action: 'user.invited', subjectType: 'user', subjectId: user.id, after: { email: input.email, name: input.name } });
    }
    // The same invitation still open (same organisation, role and cohort): it is sent again, not doubled, and says so.
    const [earlier] = await tx
      .select()
      .from(invitations)
      .where(
        and(
          eq(invitations.userId, user.id),
          eq(invitations.organisationId, org.id),
          eq(invitations.role, input.role),
          input.cohortId ? eq(invitations.cohortId, input.cohortId) : isNull(invitations.cohortId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .limit(1);
    if (earlier) {
      await audit(tx, { actorId, action: 'invitation.resent', subjectType: 'user', subjectId: user.id, after: { invitationId: earlier.id, repeated: true } });
      return { user, org, invitation: earlier, secret: await issueToken(tx, user.id, 'invite', actorId), repeatedSince: earlier.createdAt };
    }
    const [invitation] = await tx
      .insert(invitations)
      .values({
        userId: user.id,
        name: input.name,
        organisationId: org.id,
        role: input.role,
        cohortId: input.cohortId ?? null,
        cohortRole: input.cohortId ? cohortRoleFor(input.role, input.cohortRole) : null,
        invitedBy: actorId,
      })
      .returning();
    await audit(tx, { actorId, action: 'invitation.created', subjectType: 'user', subjectId: user.id, after: { organisationId: org.id, role: input.role, cohortId: input.cohortId ?? null } });
    const secret = await issueToken(tx, user.id, 'invite', actorId);
    return { user, org, invitation, secret, repeatedSince: null };
  });
  const { link, emailed } = await mailInvitation(ctx, result.user, result.org.name, result.invitation.role, result.secret);
  return { invitationId: result.invitation.id, link, emailed, repeatedSince: result.repeatedSince };
}

/** The invitations waiting for this user's answer, with where they lead, oldest first. */
export async function pendingInvitations(db: Db, userId: string) {
  return db
    .select({ id: invitations.id, organisationId: invitations.organisationId, organisation: organisations.name, role: invitations.role, cohortId: invitations.cohortId, cohort: cohorts.name, cohortRole: invitations.cohortRole })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .leftJoin(cohorts, eq(cohorts.id, invitations.cohortId))
    .where(and(eq(invitations.userId, userId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(invitations.createdAt);
}

/** Grants every pending invitation of the user (inside the caller's transaction). */
async function acceptPending(tx: Db, userId: string): Promise<number> {
  const pending = await tx.update(invitations).set({ acceptedAt: new Date() }).where(and(eq(invitations.userId, userId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt))).returning();
  for (const inv of pending) {
    await tx.insert(memberships).values({ userId, organisationId: inv.organisationId, role: inv.role }).onConflictDoNothing();
    if (inv.cohortId) await tx.insert(cohortMembers).values({ cohortId: inv.cohortId, userId, role: inv.cohortRole ?? cohortRoleFor(inv.role) }).onConflictDoNothing();
    await audit(tx, { actorId: userId, action: 'invitation.accepted', subjectType: 'user', subjectId: userId, after: { organisationId: inv.organisationId, role: inv.role, cohortId: inv.cohortId } });
  }
  return pending.length;
}

/** Checks a password is acceptable, naming the field and the rule. */
export function checkNewPassword(password: string, confirm: string | undefined, email: string): void {
  const fields: { field: string; message: string }[] = [];
  if (password.length < 12) fields.push({ field: 'password', message: 'must be at least 12 characters' });
  if (password.length > 200) fields.push({ field: 'password', message: 'must be at most 200 characters' });
  if (password.toLowerCase() === email.toLowerCase()) fields.push({ field: 'password', message: 'must not be your e-mail address' });
  if (confirm !== undefined && confirm !== password) fields.push({ field: 'confirm', message: 'does not match the password' });
  if (fields.length) throw new ValidationError('Please choose a different password.', fields);
}

/** A usable link's token and its user; throws 409 when the link is spent or expired. */
export async function tokenUser(ctx: AppContext, secret: string, kind: 'invite' | 'reset') {
  const token = await findUsableToken(ctx.db, secret, kind);
  if (!token) throw new ConflictError('This link has expired or has already been used. Ask for a new one.');
  const [user] = await ctx.db.select().from(users).where(eq(users.id, token.userId));
  return { token, user };
}

/**
 * Sets the password from a link: a reset link (active accounts), or an invitation link of an account that has never
 * been used, which activates it and accepts its invitations. Every token of the user and every session stops working.
 * Returns whose password it set (the login page that follows pre-fills the e-mail).
 */
export async function setPasswordWithToken(ctx: AppContext, secret: string, kind: 'invite' | 'reset', password: string, confirm: string | undefined): Promise<{ id: string; email: string }> {
  const { token, user } = await tokenUser(ctx, secret, kind);
  // An invitation to an account that is already in use never sets its password: its owner accepts it logged in.
  if (user.status !== (kind === 'invite' ? 'invited' : 'active')) throw new ConflictError('This link cannot set a password. Log in and open it again to accept the invitation.');
  checkNewPassword(password, confirm, user.email);
  const hash = await hashPassword(password);
  await ctx.db.transaction(async (tx) => {
    if (!(await consumeToken(tx, token.id, user.id))) throw new ConflictError('This link has already been used. Ask for a new one.');
    await tx.update(users).set({ passwordHash: hash, status: 'active' }).where(eq(users.id, user.id));
    if (kind === 'invite') await acceptPending(tx, user.id);
    await audit(tx, { actorId: user.id, action: kind === 'invite' ? 'user.activated' : 'user.password_reset', subjectType: 'user', subjectId: user.id });
  });
  sessionsEnded(ctx, await endUserSessions(ctx.database, user.id));
  rolesChanged(ctx, user.id);
  return { id: user.id, email: user.email };
}

/** The logged-in invitee accepts their pending invitations with a link addressed to them; 404 for anyone else. */
export async function acceptInvitation(ctx: AppContext, actorId: string, secret: string): Promise<number> {
  const { token, user } = await tokenUser(ctx, secret, 'invite');
  if (user.id !== actorId || user.status !== 'active') throw new ConflictError('This invitation is addressed to another account. Log out, then log in as the person it was sent to.');
  const accepted = await ctx.db.transaction(async (tx) => {
    if (!(await consumeToken(tx, token.id, user.id))) throw new ConflictError('This link has already been used. Ask for a new one.');
    return acceptPending(tx, user.id);
  });
  rolesChanged(ctx, user.id);
  return accepted;
}

/**
 * Issues a reset link when the e-mail belongs to an active account and mails it. Meant to run after the answer is
 * sent (see the route), so the answer neither waits for it nor differs when the address is unknown.
 */
export async function sendResetLink(ctx: AppContext, email: string): Promise<string | null> {
  const user = await findUserByEmail(ctx.db, email);
  if (!user || user.status !== 'active') return null;
  const secret = await ctx.db.transaction((tx) => issueToken(tx, user.id, 'reset', null));
  const link = `${ctx.config.publicUrl}/reset/${secret}`;
  await ctx.mailer.send({
    to: user.email,
    subject: 'Reset your Cadre password',
    text: `Hello ${user.name},\n\nReset your password here (the link works once and expires in ${tokenLifetimeText.reset}):\n${link}\n\nIf you did not ask for this, you can ignore this message.`,
  });
  return link;
}

/** The logged-in user changes their password: the current one is checked; every other session and socket ends. */
export async function changePassword(ctx: AppContext, userId: string, keepSessionId: string, current: string, password: string, confirm: string | undefined): Promise<void> {
  const [user] = await ctx.db.select().from(users).where(eq(users.id, userId));
  if (!(await verifyPassword(user.passwordHash, current))) throw new ValidationError('Your current password is not right.', [{ field: 'current', message: 'That is not your current password.' }]);
  checkNewPassword(password, confirm, user.email);
  const hash = await hashPassword(password);
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash: hash }).where(eq(users.id, userId));
    await audit(tx, { actorId: userId, action: 'user.password_changed', subjectType: 'user', subjectId: userId });
  });
  sessionsEnded(ctx, await endUserSessions(ctx.database, userId, keepSessionId));
}
