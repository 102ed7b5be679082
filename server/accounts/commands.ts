/** Account commands: invite a person, accept an invitation, reset a password. Each is one transaction. */
import { and, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { cohortMembers, memberships, organisations, users, type CohortRole, type Role } from '../db/tables';
import { audit } from '../audit';
import { ConflictError, ValidationError } from '../errors';
import { hashPassword } from '../auth/passwords';
import { consumeToken, findUsableToken, issueToken, tokenLifetimeText } from '../auth/tokens';

/** Who to invite, into which organisation and role, and optionally which cohort. */
export type InviteInput = {
  email: string;
  name: string;
  organisationId: string;
  role: Role;
  cohortId?: string;
  cohortRole?: CohortRole;
};

/** The result of an invitation: the link is returned so the admin can pass it on when no e-mail is sent. */
export type InviteResult = { userId: string; link: string; emailed: boolean; existing: boolean };

/** Finds a user by e-mail, case-insensitively. */
export async function findUserByEmail(db: Db, email: string) {
  const [row] = await db.select().from(users).where(eq(sql`lower(${users.email})`, email.toLowerCase()));
  return row ?? null;
}

/** Invites someone (creating the account if new), adds their role, and sends or returns the one-time link. */
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
    const existing = !!user;
    if (!user) {
      [user] = await tx.insert(users).values({ email: input.email, name: input.name, status: 'invited' }).returning();
      await audit(tx, { actorId, action: 'user.invited', subjectType: 'user', subjectId: user.id, after: { email: input.email, name: input.name } });
    }
    await tx
      .insert(memberships)
      .values({ userId: user.id, organisationId: org.id, role: input.role })
      .onConflictDoNothing();
    await audit(tx, {
      actorId,
      action: 'membership.added',
      subjectType: 'user',
      subjectId: user.id,
      after: { organisationId: org.id, role: input.role },
    });
    if (input.cohortId) {
      await tx
        .insert(cohortMembers)
        .values({ cohortId: input.cohortId, userId: user.id, role: input.cohortRole ?? (input.role === 'lead' ? 'lead' : input.role === 'mentor' ? 'mentor' : 'candidate') })
        .onConflictDoNothing();
    }
    const secret = user.status === 'invited' ? await issueToken(tx, user.id, 'invite', actorId) : null;
    return { user, secret, existing };
  });
  const link = result.secret ? `${ctx.config.publicUrl}/invite/${result.secret}` : `${ctx.config.publicUrl}/login`;
  await ctx.mailer.send({
    to: result.user.email,
    subject: result.secret ? 'You are invited to Cadre' : 'You have a new role in Cadre',
    text: result.secret
      ? `Hello ${result.user.name},\n\nYou have been invited to Cadre, the trainer-development programme.\nSet your password here (the link works once and expires in ${tokenLifetimeText.invite}):\n${link}\n`
      : `Hello ${result.user.name},\n\nYou have a new role in Cadre. Log in at ${link}\n`,
  });
  return { userId: result.user.id, link, emailed: ctx.mailer.transport === 'smtp', existing: result.existing };
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

/** Uses an invitation or reset link to set the password; the account becomes active. */
export async function setPasswordWithToken(
  ctx: AppContext,
  secret: string,
  kind: 'invite' | 'reset',
  password: string,
  confirm: string | undefined,
): Promise<string> {
  const token = await findUsableToken(ctx.db, secret, kind);
  if (!token) throw new ConflictError('This link has expired or has already been used. Ask for a new one.');
  const [user] = await ctx.db.select().from(users).where(eq(users.id, token.userId));
  checkNewPassword(password, confirm, user.email);
  const hash = await hashPassword(password);
  await ctx.db.transaction(async (tx) => {
    if (!(await consumeToken(tx, token.id))) throw new ConflictError('This link has already been used. Ask for a new one.');
    await tx.update(users).set({ passwordHash: hash, status: 'active' }).where(and(eq(users.id, user.id)));
    await audit(tx, { actorId: user.id, action: kind === 'invite' ? 'user.activated' : 'user.password_reset', subjectType: 'user', subjectId: user.id });
  });
  return user.id;
}

/** Sends a reset link when the e-mail belongs to an active account; says nothing either way. */
export async function requestPasswordReset(ctx: AppContext, email: string): Promise<string | null> {
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
