/** CSRF: double-submit tokens, sent in the `x-csrf-token` header or a form's `_csrf` field — never in the address.
 * A multipart form's field can only be read once the body is parsed, so its check waits for the route's upload. */
import type { RequestHandler } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import type { Config } from '../config';
import { AppError } from '../errors';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set on a multipart write whose token is checked after its upload is parsed (see `assertCsrf`). */
      csrfPending?: () => boolean;
    }
  }
}

/** The error for a missing or wrong token. */
export function csrfFailed(): AppError {
  return new AppError('This form has expired or was sent from elsewhere. Go back, reload the page and try again.', 403, 'csrf_failed');
}

/** Runs a deferred check (multipart forms); a no-op when the request was checked already. */
export function assertCsrf(req: Express.Request): void {
  const pending = req.csrfPending;
  if (!pending) return;
  req.csrfPending = undefined;
  if (!pending()) throw csrfFailed();
}

/**
 * The CSRF middleware: attaches `req.csrfToken()` and checks every unsafe request (the JSON API excepted). One cookie
 * per session: the token is made on first call only, and the cookie is set only when the browser's one is missing
 * or no longer valid for this session (csrf-csrf alone would set it again on every call, so on every response).
 */
export function csrfProtection(config: Config): RequestHandler {
  const cookieName = config.env === 'production' ? '__Host-cadre.csrf' : 'cadre.csrf';
  const csrf = doubleCsrf({
    getSecret: () => config.sessionSecret,
    getSessionIdentifier: (req) => (req.user ? req.sessionID : 'anonymous'),
    cookieName,
    cookieOptions: { sameSite: 'lax', secure: config.env === 'production', httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => {
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      const field = (req.body as { _csrf?: unknown } | undefined)?._csrf;
      return typeof field === 'string' ? field : undefined;
    },
    // The JSON API is protected by requiring a JSON body: browsers cannot send one cross-site without CORS.
    // PUT/PATCH/DELETE cannot be sent cross-site without a CORS preflight, which Cadre never grants.
    skipCsrfProtection: (req) => {
      if (req.path.startsWith('/api/') && (req.method !== 'POST' || !!req.is('application/json'))) return true;
      if (req.is('multipart/form-data') && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
        req.csrfPending = () => csrf.validateRequest(req);
        return true;
      }
      return false;
    },
  });
  // Cookies already found valid for their session (a token's validity depends on nothing else): a page reuses its
  // session's token without checking its signature again on every view.
  const known = new Set<string>();
  return (req, res, next) => {
    csrf.doubleCsrfProtection(req, res, (err?: unknown) => {
      if (err) return next(err);
      let token: string | undefined;
      req.csrfToken = () => {
        if (token) return token;
        const existing = (req.cookies as Record<string, string | undefined>)[cookieName];
        const knownAs = existing ? `${req.user ? req.sessionID : 'anonymous'}\n${existing}` : '';
        if (existing && known.has(knownAs)) return (token = existing);
        const quiet = { cookie: (name: string, value: string, opts: object) => (value === existing ? quiet : res.cookie(name, value, opts)) };
        token = csrf.generateCsrfToken(req, quiet as unknown as typeof res);
        if (token === existing) {
          if (known.size >= 20_000) known.delete(known.values().next().value as string);
          known.add(knownAs);
        }
        return token;
      };
      next();
    });
  };
}
