/** The routes a platform (or the launch page) calls without a Cadre login: the tool's key set, third-party-initiated
 * login, the launch itself, the entry exchange, the cookie probe and the connect step. None takes a CSRF token: each
 * is verified by a platform signature or a one-time token instead. */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { loadActor } from '../auth/actor';
import type { AppContext } from '../context';
import { ltiLoginStates, ltiRegistrations } from '../db/tables';
import { presented, reply, seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import type { LtiDeps } from './index';
import { publicKeySet } from './keys';
import { acceptLaunch, connectToken, useEntryToken } from './launch';
import { platformOrigins, toolValues } from './registrations';
import { allowFraming, overHttps } from './session';
import { digest, LtiRefusal } from './verify';

const LOGIN_STATE_MS = 10 * 60_000;
/** The cookie a launch page probes to learn whether this browser keeps Cadre's cookies inside the LMS frame. */
export const PROBE_COOKIE = 'cadre.lti-probe';
/** The cookie that carries the connect step's one-time token across the sign-in. */
export const CONNECT_COOKIE = 'cadre.lti-connect';

const loginParams = z.object({
  iss: z.string({ message: 'is missing' }).min(1, 'is missing').max(500),
  login_hint: z.string({ message: 'is missing' }).min(1, 'is missing').max(1000),
  target_link_uri: z.string({ message: 'is missing' }).min(1, 'is missing').max(1000),
  lti_message_hint: z.string().max(2000).optional(),
  client_id: z.string().max(255).optional(),
  lti_deployment_id: z.string().max(255).optional(),
});

/** Cookie attributes that work inside a cross-site frame where the browser allows it (SameSite=None needs HTTPS). */
export function frameCookie(req: Request, maxAgeMs: number, path = '/lti') {
  const secure = overHttps(req);
  return { httpOnly: true, secure, sameSite: secure ? ('none' as const) : ('lax' as const), maxAge: maxAgeMs, path };
}

/** Renders a refusal as a page that says what was wrong, framable by the registered platforms; logs it. */
export async function renderRefusal(ctx: AppContext, req: Request, res: Response, err: unknown): Promise<void> {
  if (!(err instanceof LtiRefusal)) throw err;
  req.log.warn({ lti: { code: err.code, status: err.status, ...err.detail } }, 'LTI launch refused');
  const regs = await ctx.db.select({ issuer: ltiRegistrations.issuer, authLoginUrl: ltiRegistrations.authLoginUrl }).from(ltiRegistrations);
  allowFraming(res, [...new Set(regs.flatMap(platformOrigins))]);
  res.status(err.status).render('lti/refused', { title: 'Cadre could not open this launch', message: err.message });
}

/** Mounts /.well-known/jwks.json and the /lti routes that need no login. */
export function ltiPublicRoutes(registry: RouteRegistry, ctx: AppContext, deps: LtiDeps) {
  const wellKnown = registry.router('/.well-known');
  wellKnown.get('/jwks.json', { summary: 'The tool’s public signing keys (JWKS), including a retired key until it expires', tags: ['lti'], public: true, authorize: 'public' }, async (_input, _req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    return reply(presented(await publicKeySet(ctx.db)));
  });

  const r = registry.router('/lti');
  const tool = toolValues(ctx.config.publicUrl);

  async function login(req: Request, res: Response, raw: unknown) {
    try {
      const found = loginParams.safeParse(raw ?? {});
      if (!found.success) {
        const issue = found.error.issues[0];
        throw new LtiRefusal(`The LMS started the login without “${issue.path.join('.')}” (${issue.message}). Check the tool’s login address in the LMS.`, 'bad_login_request');
      }
      const p = found.data;
      const regs = await ctx.db.select().from(ltiRegistrations).where(p.client_id ? and(eq(ltiRegistrations.issuer, p.iss), eq(ltiRegistrations.clientId, p.client_id)) : eq(ltiRegistrations.issuer, p.iss));
      if (!regs.length) throw new LtiRefusal(`No platform with the issuer “${p.iss}”${p.client_id ? ` and client id “${p.client_id}”` : ''} is registered in Cadre. An administrator registers the LMS under Administration › LMS connections.`, 'unknown_platform', 404, { iss: p.iss });
      if (regs.length > 1) throw new LtiRefusal('Several registrations share this issuer; the LMS must send its client id with the login. Turn on sending the client id in the LMS.', 'ambiguous_platform', 400, { iss: p.iss });
      const reg = regs[0];
      let target: URL;
      try {
        target = new URL(p.target_link_uri);
      } catch {
        throw new LtiRefusal('The launch’s target address is not a web address.', 'bad_target');
      }
      if (target.origin !== new URL(ctx.config.publicUrl).origin) throw new LtiRefusal(`The launch points at another site (${target.origin}), not Cadre. Check the tool address in the LMS.`, 'bad_target');
      const state = randomBytes(32).toString('base64url');
      const nonce = randomBytes(24).toString('base64url');
      await ctx.db.insert(ltiLoginStates).values({ stateHash: digest(state), nonce, registrationId: reg.id, targetLinkUri: target.toString(), expiresAt: new Date(Date.now() + LOGIN_STATE_MS) });
      const redirectUri = tool.redirectUris.find((u) => u === `${target.origin}${target.pathname}`) ?? tool.targetLinkUri;
      const auth = new URL(reg.authLoginUrl);
      const params: Record<string, string> = { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: reg.clientId, redirect_uri: redirectUri, login_hint: p.login_hint, state, nonce };
      if (p.lti_message_hint) params.lti_message_hint = p.lti_message_hint;
      for (const [k, v] of Object.entries(params)) auth.searchParams.set(k, v);
      res.redirect(302, auth.toString());
    } catch (err) {
      await renderRefusal(ctx, req, res, err);
    }
  }

  r.get('/login', { summary: 'Third-party-initiated login (OIDC), by GET: redirects to the platform’s authorization endpoint with state and nonce', tags: ['lti'], public: true, produces: 'text/html', success: { status: 302, description: 'To the platform’s OIDC authorization endpoint' }, authorize: 'public' }, (_input, req, res) => login(req, res, req.query));
  r.post('/login', { summary: 'Third-party-initiated login (OIDC), by POST: redirects to the platform’s authorization endpoint with state and nonce', tags: ['lti'], public: true, produces: 'text/html', success: { status: 302, description: 'To the platform’s OIDC authorization endpoint' }, authorize: 'public' }, (_input, req, res) => login(req, res, req.body));

  async function launch(req: Request, res: Response) {
    try {
      const accepted = await acceptLaunch(ctx, deps.keys, (req.body ?? {}) as { id_token?: unknown; state?: unknown });
      if (accepted.learner && accepted.cohortId) void deps.gradesChanged(accepted.cohortId);
      allowFraming(res, accepted.frameOrigins);
      res.cookie(PROBE_COOKIE, '1', frameCookie(req, 10 * 60_000));
      res.render('lti/launch', { title: 'Opening Cadre', name: accepted.name, token: accepted.token, needsConnect: accepted.needsConnect, staffAccount: accepted.connectReason === 'staff-account' });
    } catch (err) {
      await renderRefusal(ctx, req, res, err);
    }
  }
  r.post('/launch', { summary: 'The launch (resource link or deep linking request): the platform posts its id_token and state here', tags: ['lti'], public: true, produces: 'text/html', authorize: 'public' }, (_input, req, res) => launch(req, res));
  r.post('/deep-link', { summary: 'The deep linking launch: the platform posts its id_token and state here', tags: ['lti'], public: true, produces: 'text/html', authorize: 'public' }, (_input, req, res) => launch(req, res));

  r.get('/probe', { summary: 'Whether this browser sent back the launch page’s probe cookie (inside an LMS frame)', tags: ['lti'], authorize: 'public' }, (_input, req) =>
    reply(presented({ cookies: (req.cookies as Record<string, string | undefined>)[PROBE_COOKIE] === '1' })),
  );

  r.post('/enter', { summary: 'Exchange a launch’s one-time entry token for a session', tags: ['lti'], authorize: 'public' }, async (_input, req, res) => {
    try {
      const { launch, reg } = await useEntryToken(ctx, (req.body as { token?: unknown } | undefined)?.token);
      if (!launch.userId) throw new LtiRefusal('Connect your Cadre account first: launch Cadre again from your course and choose “Sign in to connect”.', 'needs_connect', 400);
      const actor = await loadActor(ctx.db, launch.userId, ctx.registry.capabilities);
      if (!actor) throw new LtiRefusal('Your Cadre account is not active. Ask the training provider if you think this is a mistake.', 'account_inactive', 403);
      await new Promise<void>((resolve, reject) => req.logIn(actor, (err) => (err ? reject(err) : resolve())));
      req.session.startedAt = Date.now();
      req.session.lti = { launchId: launch.id, registrationId: reg.id, organisationId: reg.organisationId, frameOrigins: launch.record.frameOrigins };
      if (overHttps(req)) {
        req.session.cookie.sameSite = 'none';
        req.session.cookie.secure = true;
      }
      allowFraming(res, launch.record.frameOrigins);
      res.redirect(303, '/lti/here');
    } catch (err) {
      await renderRefusal(ctx, req, res, err);
    }
  });

  r.post('/connect', { summary: 'Start connecting a platform identity to a Cadre account (opens the sign-in)', tags: ['lti'], authorize: 'public' }, async (_input, req, res) => {
    try {
      const { launch } = await useEntryToken(ctx, (req.body as { token?: unknown } | undefined)?.token);
      const token = await connectToken(ctx, launch.id);
      // First-party here (the connect step opens in its own window), so a plain first-party cookie carries it.
      res.cookie(CONNECT_COOKIE, token, { httpOnly: true, secure: overHttps(req), sameSite: 'lax', maxAge: 15 * 60_000, path: '/lti' });
      return seeOther(req.user ? '/lti/connect' : `/login?next=${encodeURIComponent('/lti/connect')}`);
    } catch (err) {
      await renderRefusal(ctx, req, res, err);
    }
  });

  return [wellKnown, r];
}
