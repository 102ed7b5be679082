/** Login, logout, invitations and password resets — as pages and as the JSON session API. */
import type { Request, Response } from 'express';
import type { createPassport } from '../http/session';

type Authenticator = ReturnType<typeof createPassport>;
import { z } from 'zod';
import type { AppContext } from '../context';
import type { Actor } from '../auth/actor';
import { primaryRole } from '../auth/actor';
import { LoginThrottle } from '../auth/rate-limit';
import { findUsableToken } from '../auth/tokens';
import { requestPasswordReset, setPasswordWithToken } from '../accounts/commands';
import { AppError, RateLimitedError, UnauthenticatedError } from '../errors';
import type { RouteRegistry } from '../http/router';
import { email, parse, text } from '../http/validate';
import { presentMe } from './presenters';

const loginSchema = z.object({ email: text(254), password: z.string({ message: 'is required' }).min(1, 'is required').max(200), next: z.string().max(500).optional(), _csrf: z.string().optional() });
const passwordSchema = z.object({ password: z.string({ message: 'is required' }).max(200), confirm: z.string().max(200), _csrf: z.string().optional() });

/** Only same-site paths are followed after login. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Checks credentials with the throttle in front; resolves to the actor or throws a 401/429. */
function authenticate(passport: Authenticator, throttle: LoginThrottle, req: Request, res: Response): Promise<Actor> {
  const { email: account } = loginSchema.parse(req.body);
  const ip = req.ip ?? 'unknown';
  throttle.check(account.toLowerCase(), ip);
  return new Promise((resolve, reject) => {
    passport.authenticate('local', (err: unknown, user: Actor | false) => {
      if (err) return reject(err);
      if (!user) {
        throttle.fail(account.toLowerCase(), ip);
        return reject(new UnauthenticatedError('That e-mail and password do not match an active account.'));
      }
      throttle.succeed(account.toLowerCase());
      req.logIn(user, (loginErr) => (loginErr ? reject(loginErr) : resolve(user)));
    })(req, res);
  });
}

/** Mounts the account routes. */
export function authRoutes(registry: RouteRegistry, ctx: AppContext, passport: Authenticator) {
  const throttle = new LoginThrottle();
  const pages = registry.router('');
  const api = registry.router('/api/v1');

  pages.get('/login', (req, res) => {
    if (req.user) return res.redirect('/');
    res.render('pages/login', { title: 'Log in', next: safeNext(req.query.next as string | undefined), csrfToken: req.csrfToken?.() });
  });

  pages.post('/login', async (req, res) => {
    const body = parse(loginSchema, req.body, 'login form');
    try {
      await authenticate(passport, throttle, req, res);
      res.redirect(safeNext(body.next));
    } catch (err) {
      if (!(err instanceof UnauthenticatedError || err instanceof RateLimitedError)) throw err;
      if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(err.status).render('pages/login', { title: 'Log in', error: err.message, email: body.email, next: body.next, csrfToken: req.csrfToken?.() });
    }
  });

  pages.post('/logout', (req, res, next) => {
    const userId = req.user?.id;
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        if (userId) ctx.io.in(`user:${userId}`).disconnectSockets(true);
        res.clearCookie('cadre.sid');
        res.redirect('/login?signedOut=1');
      });
    });
  });

  pages.get('/invite/:token', async (req, res) => {
    const token = await findUsableToken(ctx.db, String(req.params.token), 'invite');
    res.status(token ? 200 : 410).render('pages/set-password', { title: 'Set your password', kind: 'invite', valid: !!token, csrfToken: req.csrfToken?.() });
  });
  pages.post('/invite/:token', async (req, res) => setPasswordPage(req, res, 'invite'));

  pages.get('/forgot', (req, res) => res.render('pages/forgot', { title: 'Reset your password', csrfToken: req.csrfToken?.() }));
  pages.post('/forgot', async (req, res) => {
    const body = parse(z.object({ email, _csrf: z.string().optional() }), req.body, 'form');
    await requestPasswordReset(ctx, body.email);
    res.render('pages/forgot', { title: 'Reset your password', sent: true, csrfToken: req.csrfToken?.() });
  });
  pages.get('/reset/:token', async (req, res) => {
    const token = await findUsableToken(ctx.db, String(req.params.token), 'reset');
    res.status(token ? 200 : 410).render('pages/set-password', { title: 'Choose a new password', kind: 'reset', valid: !!token, csrfToken: req.csrfToken?.() });
  });
  pages.post('/reset/:token', async (req, res) => setPasswordPage(req, res, 'reset'));

  async function setPasswordPage(req: Request, res: Response, kind: 'invite' | 'reset') {
    const body = parse(passwordSchema, req.body, 'form');
    try {
      await setPasswordWithToken(ctx, String(req.params.token), kind, body.password, body.confirm);
      res.redirect('/login?passwordSet=1');
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      res.status(err.status).render('pages/set-password', {
        title: kind === 'invite' ? 'Set your password' : 'Choose a new password',
        kind,
        valid: err.status !== 409,
        error: err.message,
        fields: err.fields,
        csrfToken: req.csrfToken?.(),
      });
    }
  }

  api.post(
    '/session',
    { summary: 'Log in; sets the session cookie', tags: ['session'], body: loginSchema.omit({ next: true, _csrf: true }), public: true },
    async (req, res) => {
      parse(loginSchema.omit({ next: true, _csrf: true }).strict(), req.body, 'login');
      const actor = await authenticate(passport, throttle, req, res);
      res.json({ user: { id: actor.id, email: actor.email, name: actor.name, role: primaryRole(actor) } });
    },
  );

  api.delete('/session', { summary: 'Log out', tags: ['session'], success: { status: 204, description: 'Logged out' }, public: true }, (req, res, next) => {
    const userId = req.user?.id;
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        if (userId) ctx.io.in(`user:${userId}`).disconnectSockets(true);
        res.clearCookie('cadre.sid');
        res.status(204).end();
      });
    });
  });

  api.get('/me', { summary: 'The logged-in user, their memberships and cohorts', tags: ['session'] }, async (req, res) => {
    if (!req.user) throw new UnauthenticatedError();
    res.json(await presentMe(ctx, req.user));
  });

  api.post(
    '/password-resets',
    { summary: 'Ask for a password-reset link (always 202, whether or not the account exists)', tags: ['session'], body: z.object({ email }), success: { status: 202, description: 'Accepted' }, public: true },
    async (req, res) => {
      const body = parse(z.object({ email }).strict(), req.body);
      await requestPasswordReset(ctx, body.email);
      res.status(202).json({ message: 'If that address has an account, a reset link is on its way.' });
    },
  );

  api.post(
    '/password-resets/:token',
    { summary: 'Set a password with an invitation or reset link token', tags: ['session'], body: passwordSchema.omit({ _csrf: true }), success: { status: 204, description: 'Password set' }, public: true },
    async (req, res) => {
      const body = parse(passwordSchema.omit({ _csrf: true }).extend({ kind: z.enum(['invite', 'reset']).default('reset') }).strict(), req.body);
      await setPasswordWithToken(ctx, String(req.params.token), body.kind, body.password, body.confirm);
      res.status(204).end();
    },
  );

  return [pages, api];
}
