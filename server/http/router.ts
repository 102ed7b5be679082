/** A thin wrapper over express routers that records every route, so the OpenAPI document and the
 * authorisation matrix can both be checked against the real list. */
import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';

/** What the OpenAPI document says of an API route. */
export type RouteDoc = {
  summary: string;
  description?: string;
  tags?: string[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** The success status and what it returns (default 200 "OK"). */
  success?: { status: number; description: string };
  /** Content type of a non-JSON response (CSV, PDF, ICS, video). */
  produces?: string;
  /** Multipart upload (documented as multipart/form-data). */
  multipart?: boolean;
  /** Does not need a login (e.g. a webhook). */
  public?: boolean;
};

/** One registered route. */
export type RouteInfo = { method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: string; doc?: RouteDoc };

type Method = RouteInfo['method'];
type Register = {
  (path: string, ...handlers: RequestHandler[]): void;
  (path: string, doc: RouteDoc, ...handlers: RequestHandler[]): void;
};

/** A router that records its routes in a shared registry under its mount prefix. */
export type CadreRouter = { [M in Method]: Register } & { express: Router; prefix: string };

/** Every route of one app instance. */
export class RouteRegistry {
  readonly routes: RouteInfo[] = [];

  /** A new router whose routes are recorded under `prefix` (the path it will be mounted at). */
  router(prefix: string): CadreRouter {
    const express = Router({ mergeParams: true });
    const make =
      (method: Method): Register =>
      (path: string, ...rest: (RouteDoc | RequestHandler)[]) => {
        const doc = typeof rest[0] === 'function' ? undefined : (rest.shift() as RouteDoc);
        const full = (prefix + (path === '/' ? '' : path)).replace(/\/+$/, '') || '/';
        this.routes.push({ method, path: full, doc });
        express[method](path, ...(rest as RequestHandler[]));
      };
    return { express, prefix, get: make('get'), post: make('post'), put: make('put'), patch: make('patch'), delete: make('delete') };
  }
}
