/** Login, logout, invitations and password resets — as pages and as the JSON session API. */
import type { Request, Response } from 'express';
import type { createPassport } from '../http/session';

type Authenticator = ReturnType<typeof createPassport>;
import { z } from 'zod';
import type { AppContext } from '../context';
import type { Actor } from '../auth/actor';
import { primaryRole } from '../auth/actor';
import { LoginThrottle, ResetThrottle } from '../auth/rate-limit';
import { findUsableToken } from '../auth/tokens';
import { acceptInvitation, changePassword, pendingInvitations, sendResetLink, setPasswordWithToken } from '../accounts/commands';
import { users } from '../db/tables';
import { eq } from 'drizzle-orm';
import { AppError, RateLimitedError, UnauthenticatedError } from '../errors';
import { presented, presenter, reply, seeOther } from '../http/present';
import { redirectField } from '../http/redirects';
import type { RouteRegistry } from '../http/router';
import { email, parse, text } from '../http/validate';
import { presentMe } from './presenters';

// One schema per body, used by the router and shown in the OpenAPI document: what is documented is what is parsed.
const credentials = z.object({ email: text(254), password: z.string({ message: 'is required' }).min(1, 'is required').max(200) });
const loginBody = credentials.strict();
const loginForm = credentials.extend({ next: redirectField('/') });
const passwordFields = { password: z.string({ message: 'is required' }).max(200), confirm: z.string().max(200) };
const passwordForm = z.object(passwordFields);
const passwordBody = z.object({ ...passwordFields, kind: z.enum(['invite', 'reset']).default('reset') }).strict();
const resetBody = z.object({ email }).strict();
const resetForm = z.object({ email });
const loginPageQuery = z.object({ next: redirectField('/'), passwordSet: z.string().max(2).optional(), signedOut: z.string().max(2).optional() });

const presentSession = presenter((actor: Actor) => ({ user: { id: actor.id, email: actor.email, name: actor.name, role: primaryRole(actor) } }));
const presentAccepted = presenter(() => ({ message: 'If that address has an account, a reset link is on its way.' }));

/** Checks credentials with the shared throttle in front; resolves to the actor or throws a 401/429. */
async function authenticate(passport: Authenticator, throttle: LoginThrottle, req: Request, res: Response): Promise<Actor> {
  const { email: account } = credentials.parse(req.body);
  const ip = req.ip ?? 'unknown';
  await throttle.check(account, ip);
  const user = await new Promise<Actor | false>((resolve, reject) => {
    passport.authenticate('local', (err: unknown, found: Actor | false) => (err ? reject(err) : resolve(found)))(req, res);
  });
  if (!user) {
    await throttle.fail(account, ip);
    throw new UnauthenticatedError('That e-mail and password do not match an active account.');
  }
  await throttle.succeed(account, ip);
  await new Promise<void>((resolve, reject) => req.logIn(user, (loginErr) => (loginErr ? reject(loginErr) : resolve())));
  // The absolute lifetime counts from here (passport has just given the login a new session). Saved before the
  // answer: express-session sends a redirect's headers before its own save finishes, and a browser following the
  // redirect at once would otherwise arrive with a session that has no start time (and be logged out).
  req.session.startedAt = Date.now();
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
  return user;
}

/** Counts a reset request, then issues and mails the link after the answer is sent: same answer, same wait, either way. */
async function resetRequested(ctx: AppContext, throttle: ResetThrottle, req: Request, res: Response, email: string): Promise<void> {
  await throttle.consume(email, req.ip ?? 'unknown');
  res.on('finish', () => void sendResetLink(ctx, email).catch((err: unknown) => ctx.logger.error({ err }, 'reset link could not be sent')));
}

const changePasswordBody = z.object({ current: z.string({ message: 'is required' }).min(1, 'is required').max(200), ...passwordFields }).strict();

/** Mounts the account routes. */
export function authRoutes(registry: RouteRegistry, ctx: AppContext, passport: Authenticator) {
  const throttle = new LoginThrottle(ctx.database);
  const resets = new ResetThrottle(ctx.database);
  const pages = registry.router('');
  const api = registry.router('/api/v1');

  pages.get('/login', { summary: 'The login page', query: loginPageQuery, authorize: 'public' }, ({ query }, req, res) => {
    if (req.user) return res.redirect('/');
    const passwordSetFor = req.session.passwordSetFor;
    delete req.session.passwordSetFor;
    res.render('pages/login', { title: 'Log in', next: query.next, passwordSet: !!passwordSetFor, email: passwordSetFor, signedOut: query.signedOut === '1' });
  });

  pages.post('/login', { summary: 'Log in (form)', body: loginForm, authorize: 'public' }, async ({ body }, req, res) => {
    try {
      await authenticate(passport, throttle, req, res);
      res.redirect(body.next);
    } catch (err) {
      if (!(err instanceof UnauthenticatedError || err instanceof RateLimitedError)) throw err;
      if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(err.status).render('pages/login', { title: 'Log in', error: err.message, email: body.email, next: body.next });
    }
  });

  /** Ends the session (and the person's sockets); resolves once the session is gone. */
  const logOut = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => {
      const userId = req.user?.id;
      req.logout((err) => {
        if (err) return reject(err);
        req.session.destroy(() => {
          if (userId) ctx.io.in(`user:${userId}`).disconnectSockets(true);
          res.clearCookie('cadre.sid');
          resolve();
        });
      });
    });

  pages.post('/logout', { summary: 'Log out (form)', authorize: 'public' }, async (_input, req, res) => {
    await logOut(req, res);
    return seeOther('/login?signedOut=1');
  });

  /** The invitee of a usable invitation link, or null. */
  async function invitee(secret: string) {
    const token = await findUsableToken(ctx.db, secret, 'invite');
    if (!token) return null;
    const [user] = await ctx.db.select({ id: users.id, status: users.status }).from(users).where(eq(users.id, token.userId));
    return user ?? null;
  }

  /** An invitation to an existing account: accepted by its owner, logged in (nobody else learns whose it is). */
  async function renderAccept(req: Request, res: Response, userId: string, extra: Record<string, unknown> = {}) {
    const path = `/invite/${encodeURIComponent(String(req.params.token))}`;
    const mine = req.user?.id === userId;
    res.render('pages/accept-invitation', {
      title: 'Accept your invitation',
      loggedIn: !!req.user,
      mine,
      loginHref: `/login?next=${encodeURIComponent(path)}`,
      invitations: mine ? await pendingInvitations(ctx.db, userId) : [],
      ...extra,
    });
  }

  pages.get('/invite/:token', { summary: 'An invitation link', authorize: 'public' }, async ({ params }, req, res) => {
    const user = await invitee(params.token);
    if (user && user.status !== 'invited') return renderAccept(req, res, user.id);
    res.status(user ? 200 : 410).render('pages/set-password', { title: 'Set your password', kind: 'invite', valid: !!user });
  });
  pages.post('/invite/:token', { summary: 'Accept an invitation or set a password with it (form)', authorize: 'public' }, async ({ params }, req, res) => {
    const user = await invitee(params.token);
    if (!user || user.status === 'invited') return setPasswordPage(req, res, 'invite');
    if (!req.user) return seeOther(`/login?next=${encodeURIComponent(`/invite/${params.token}`)}`);
    try {
      await acceptInvitation(ctx, req.user.id, params.token);
      res.redirect(303, '/?joined=1');
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      res.status(err.status);
      await renderAccept(req, res, user.id, { error: err.message });
    }
  });

  pages.get('/forgot', { summary: 'The forgotten-password page', authorize: 'public' }, (_input, _req, res) => res.render('pages/forgot', { title: 'Reset your password' }));
  pages.post('/forgot', { summary: 'Ask for a reset link (form)', body: resetForm, authorize: 'public' }, async ({ body }, req, res) => {
    try {
      await resetRequested(ctx, resets, req, res, body.email);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return res.status(429).render('pages/forgot', { title: 'Reset your password', error: err.message });
    }
    res.render('pages/forgot', { title: 'Reset your password', sent: true });
  });
  pages.get('/reset/:token', { summary: 'A password-reset link', authorize: 'public' }, async ({ params }, _req, res) => {
    const token = await findUsableToken(ctx.db, params.token, 'reset');
    res.status(token ? 200 : 410).render('pages/set-password', { title: 'Choose a new password', kind: 'reset', valid: !!token });
  });
  pages.post('/reset/:token', { summary: 'Set a new password (form)', authorize: 'public' }, (_input, req, res) => setPasswordPage(req, res, 'reset'));

  /** The set-password form (invitation or reset): its own schema, a re-render naming the fields on a problem. */
  async function setPasswordPage(req: Request, res: Response, kind: 'invite' | 'reset') {
    try {
      const body = parse(passwordForm, req.body, 'form');
      const user = await setPasswordWithToken(ctx, String(req.params.token), kind, body.password, body.confirm);
      // The login that follows confirms it and pre-fills the address; kept in this browser's session, not the URL.
      req.session.passwordSetFor = user.email;
      res.redirect('/login?passwordSet=1');
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      res.status(err.status).render('pages/set-password', {
        title: kind === 'invite' ? 'Set your password' : 'Choose a new password',
        kind,
        valid: err.status !== 409,
        error: { message: err.message, fields: err.fields },
      });
    }
  }

  api.post('/session', { summary: 'Log in; sets the session cookie', tags: ['session'], body: loginBody, public: true, authorize: 'public' }, async (_input, req, res) =>
    reply(presentSession(await authenticate(passport, throttle, req, res))),
  );

  api.delete('/session', { summary: 'Log out', tags: ['session'], success: { status: 204, description: 'Logged out' }, public: true, authorize: 'public' }, async (_input, req, res) => {
    await logOut(req, res);
    return reply();
  });

  api.get('/me', { summary: 'The logged-in user, their memberships and cohorts', tags: ['session'], authorize: 'signed-in' }, async ({ actor }) => reply(presented(await presentMe(ctx, actor))));

  api.post(
    '/password-resets',
    { summary: 'Ask for a password-reset link (always 202, whether or not the account exists)', tags: ['session'], body: resetBody, success: { status: 202, description: 'Accepted' }, public: true, authorize: 'public' },
    async ({ body }, req, res) => {
      await resetRequested(ctx, resets, req, res, body.email);
      return reply(presentAccepted());
    },
  );

  api.post(
    '/me/password',
    { summary: 'Change your password (your other sessions and their sockets end)', tags: ['session'], body: changePasswordBody, success: { status: 204, description: 'Changed' }, authorize: 'signed-in' },
    async ({ body, actor }, req) => {
      await changePassword(ctx, actor.id, req.sessionID, body.current, body.password, body.confirm);
      return reply();
    },
  );

  api.post(
    '/password-resets/:token',
    { summary: 'Set a password with an invitation or reset link token', tags: ['session'], body: passwordBody, success: { status: 204, description: 'Password set' }, public: true, authorize: 'public' },
    async ({ body, params }) => {
      await setPasswordWithToken(ctx, params.token, body.kind, body.password, body.confirm);
      return reply();
    },
  );

  return [pages, api];
}

declare module 'express-session' {
  interface SessionData {
    /** The e-mail address whose password this browser has just set (read once by the login page). */
    passwordSetFor?: string;
  }
}
