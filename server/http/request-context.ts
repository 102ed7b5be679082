/** Per-request id and logger, and the helpers that guard pages and API routes. */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Actor } from '../auth/actor';
import { UnauthenticatedError } from '../errors';
import type { Logger } from '../logger';
import { newTally, withTally, type StatementTally } from '../db/statements';
import { wantsJson } from './errors';
import { redactUrl } from './redact';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
    }
  }
}

/** What one finished request cost: its id and the SQL statements it sent. */
export type RequestDone = { id: string; method: string; url: string; status: number; statements: StatementTally };

/**
 * Gives each request an id (echoed as X-Request-Id) and a child logger, counts the SQL statements it sends, and
 * logs its completion (`statements` in the request line; their texts at debug level). `onDone` hears every
 * finished request (tests read statement counts this way); `statementsHeader` also sends the count as a header.
 */
export function requestContext(logger: Logger, onDone?: (done: RequestDone) => void, options: { statementsHeader?: boolean } = {}): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    // The child logger is made when something logs (most requests log nothing below the request line's level).
    let log: Logger | undefined;
    Object.defineProperty(req, 'log', { get: () => (log ??= logger.child({ reqId: req.id })), configurable: true, enumerable: true });
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    const tally = newTally();
    if (options.statementsHeader) {
      // STATEMENTS_HEADER=on (benchmarks): the statements sent before the answer's headers, as X-Cadre-Statements.
      const writeHead = res.writeHead;
      res.writeHead = function (this: typeof res, ...args: unknown[]) {
        if (!res.headersSent) res.setHeader('X-Cadre-Statements', String(tally.count));
        return (writeHead as (...a: unknown[]) => typeof res).apply(this, args);
      } as typeof res.writeHead;
    }
    res.on('finish', () => {
      // The request line is made only when it is logged (LOG_LEVEL info or debug).
      if (logger.isLevelEnabled('info')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const line = { method: req.method, url: redactUrl(req.originalUrl), status: res.statusCode, ms: Math.round(ms * 10) / 10, statements: tally.count };
        if (logger.isLevelEnabled('debug')) req.log.debug({ ...line, sql: tally.texts }, 'request');
        else req.log.info(line, 'request');
      }
      onDone?.({ id: req.id, method: req.method, url: req.originalUrl, status: res.statusCode, statements: tally });
    });
    withTally(tally, next);
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
