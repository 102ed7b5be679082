/** Per-request id and logger, and the helpers that guard pages and API routes. */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Actor } from '../auth/actor';
import { UnauthenticatedError } from '../errors';
import type { Logger } from '../logger';
import { wantsJson } from './errors';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
    }
  }
}

/** Gives each request an id (echoed as X-Request-Id) and a child logger, and logs its completion. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}

/** Requires a logged-in user: 401 JSON for the API, a redirect to /login for pages. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (wantsJson(req) || req.method !== 'GET') return next(new UnauthenticatedError());
  res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
}

/** The logged-in actor (call after requireUser). */
export function actorOf(req: Request): Actor {
  if (!req.user) throw new UnauthenticatedError();
  return req.user;
}
