/** The router runs the request path: params/query/body parsed with the documented zod schemas → authorised once →
 * the handler gets typed input and the loaded subject → a presenter's value is sent. Every route is recorded, so the
 * OpenAPI document and the authorisation matrix are both checked against the real list. */
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { MulterError } from 'multer';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { AppError, CadreError, UnauthenticatedError, UploadError } from '../errors';
import { assertCsrf } from './csrf';
import { authorize as decide, type Subject } from '../policies';
import { runInRequest } from '../request-scope';
import { isPresented, type Reply } from './present';
import { textProblems } from './text-rule';
import { invalid, parse } from './validate';

/** What the OpenAPI document says of a route. */
export type RouteDoc = {
  summary: string;
  description?: string;
  tags?: string[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** Path parameters (default: derived from the path — `…Id` is a UUID, anything else non-empty text). */
  params?: z.ZodType;
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

/** An action as the policy knows it. */
export type Action = Parameters<typeof decide>[1];
/** What a route's `authorize` answers: the action, the loaded subject, and (optionally) what to call it in a 404. */
export type Grant<S extends Subject = Subject> = readonly [Action, S] | readonly [Action, S, string];

type Names<P extends string> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | Names<`/${Rest}`> : P extends `${string}:${infer Name}` ? Name : never;
/** The path parameters of an express path, typed from the path itself. */
export type PathParams<P extends string> = { [K in Names<P>]: string };

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** What parsing gives `authorize` (and, with the subject, the handler). */
export type Parsed<P, Q, B> = { params: P; query: Out<Q>; body: Out<B> };

/** Who may call a route without a policy decision: anyone, or any logged-in person. */
export type Open = 'public' | 'signed-in';
/** A policy decision on a loaded subject: answers the action and the subject (see `grant()`). */
export type Decide<I, S extends Subject> = (req: Request, input: I) => Grant<S> | Promise<Grant<S>>;

type ActorFor<K> = [K] extends ['public'] ? Actor | undefined : Actor;

/** What a handler receives: the parsed input, the actor, and the subject `authorize` loaded. */
export type RouteInput<P, Q, B, K, S> = Parsed<P, Q, B> & { actor: ActorFor<K>; subject: S };

/** A handler answers a presenter's value (sent as JSON), a `reply()`/`seeOther()`, or sends the response itself. */
export type RouteHandler<I> = (input: I, req: Request, res: Response) => Reply | void | Promise<Reply | void>;

/** A route: its documentation, its schemas and its authorisation. */
export type RouteSpec<I, Q extends z.ZodType | undefined, B extends z.ZodType | undefined, K, S extends Subject> = Omit<RouteDoc, 'query' | 'body'> & {
  query?: Q;
  body?: B;
  authorize: K | Decide<I, S>;
  /** A sender's signature check (webhooks, with `authorize: 'public'`): runs first, before anything is parsed, on the
   * raw request (`req.rawBody`); throws to refuse. */
  verify?: (req: Request) => void | Promise<void>;
};

/** What a form's `authorize` sees: the address, and the raw form fields (untrusted: only to find the subject). */
export type FormGate<P, Q> = { params: P; query: Out<Q>; form: Record<string, unknown> };

/** A form (or upload) post: authorised on the address (and raw fields), then the upload runs, then the body is parsed. */
export type FormSpec<P, Q extends z.ZodType | undefined, B extends z.ZodType | undefined, K, S extends Subject> = RouteSpec<FormGate<P, Q>, Q, B, K, S> & {
  /** A multipart parser (multer), run only after authorisation passed. */
  upload?: RequestHandler;
  /** Re-renders the page after a problem the person can fix (400/409/413/415): what was typed stays. */
  rerender?: (req: Request, res: Response, input: { error: AppError; values: Record<string, unknown>; params: P; actor: ActorFor<K>; subject: S }) => Promise<void>;
};

/** Turns a policy question into the tuple `authorize` answers, keeping the subject's loaded type. */
export function grant<S extends Subject>(action: Action, subject: S, what?: string): Grant<S> {
  return what ? [action, subject, what] : [action, subject];
}

type Legacy = {
  (path: string, ...handlers: RequestHandler[]): void;
  (path: string, doc: RouteDoc, ...handlers: RequestHandler[]): void;
};

type Method = RouteInfo['method'];

type Register<Prefix extends string> = {
  <Path extends string, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined, K extends Open | 'policy' = 'policy', S extends Subject | undefined = undefined>(
    path: Path,
    spec: RouteSpec<Parsed<PathParams<`${Prefix}${Path}`>, Q, B>, Q, B, K, S & Subject>,
    handler: RouteHandler<RouteInput<PathParams<`${Prefix}${Path}`>, Q, B, K, S>>,
  ): void;
} & Legacy;

type RegisterForm<Prefix extends string> = <
  Path extends string,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  K extends Open | 'policy' = 'policy',
  S extends Subject | undefined = undefined,
>(
  path: Path,
  spec: FormSpec<PathParams<`${Prefix}${Path}`>, Q, B, K, S & Subject>,
  handler: RouteHandler<RouteInput<PathParams<`${Prefix}${Path}`>, Q, B, K, S>>,
) => void;

/** A router that records its routes in a shared registry under its mount prefix. */
export type CadreRouter<Prefix extends string = string> = { [M in Method]: Register<Prefix> } & {
  /** POST of a page form or a multipart upload: authorise on the address, then upload, then parse the body. */
  form: RegisterForm<Prefix>;
  express: Router;
  prefix: string;
};

const UUID_MESSAGE = 'must be an id like 3f2b…, as given by Cadre';

/** The default schema of one path parameter: ids are UUIDs, everything else non-empty text. */
function paramSchema(name: string): z.ZodType {
  return /Id$/.test(name) ? z.uuid({ message: UUID_MESSAGE }) : z.string().min(1, 'is required').max(200, 'must be at most 200 characters');
}

/** Schemas derived from paths, made once per path (building a zod schema per request costs more than parsing). */
const derivedParams = new Map<string, z.ZodType | undefined>();

/** The path parameters' schema: the route's own, or one derived from the path. */
export function paramsSchemaFor(path: string, declared?: z.ZodType): z.ZodType | undefined {
  if (declared) return declared;
  if (derivedParams.has(path)) return derivedParams.get(path);
  const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const schema = names.length ? z.object(Object.fromEntries(names.map((n) => [n, paramSchema(n)]))) : undefined;
  derivedParams.set(path, schema);
  return schema;
}

/** Duplicated query parameters (`?a=1&a=2`) arrive as arrays: a field that wants one value gets the first. The text
 * rule goes first: a query a schema accepts as it stands (`?rubric=a%00b`) must not reach the database. */
function parseQuery(schema: z.ZodType, query: Record<string, unknown>): unknown {
  const broken = textProblems(query);
  if (broken.length) throw invalid(broken, 'query');
  const direct = schema.safeParse(query);
  if (direct.success) return direct.data;
  const first = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  return parse(schema, first, 'query');
}

function stripToken(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('_csrf' in body)) return body;
  const { _csrf: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
}

function parseAddress(req: Request, full: string, spec: RouteDoc): { params: unknown; query: unknown } {
  const schema = paramsSchemaFor(full, spec.params);
  const params = schema ? parse(schema, { ...req.params }, 'address') : {};
  const rawQuery = (req.query ?? {}) as Record<string, unknown>;
  const query = spec.query ? parseQuery(spec.query, rawQuery) : undefined;
  return { params, query };
}

/** The time zone a page about `subject` shows dates in: its cohort's organisation's, or the organisation's own
 * (both loaded with the subject); otherwise the person's own (set before routing, `homeTimeZone`). */
function showTimesOf(res: Response, subject: unknown): void {
  const s = subject as { cohort?: { timeZone?: unknown }; timeZone?: unknown } | undefined;
  const zone = s?.cohort?.timeZone ?? s?.timeZone;
  if (typeof zone === 'string') res.locals.timeZone = zone;
}

async function authorizeRoute(req: Request, authorize: unknown, input: unknown): Promise<{ actor: Actor | undefined; subject: unknown }> {
  if (authorize === 'public') return { actor: req.user, subject: undefined };
  if (!req.user) throw new UnauthenticatedError();
  if (authorize === 'signed-in') return { actor: req.user, subject: undefined };
  const [action, subject, what] = await (authorize as (req: Request, input: unknown) => Grant | Promise<Grant>)(req, input);
  decide(req.user, action, subject, what);
  return { actor: req.user, subject };
}

function send(res: Response, result: Reply | void, spec: RouteDoc, full: string): void {
  if (result === undefined) {
    // Pages render (asynchronously) or stream; a JSON route must answer through a presenter.
    if (full.startsWith('/api/') && !spec.produces && !res.headersSent) throw new CadreError('CADRE_ERR_ROUTE_NO_ANSWER', 'a JSON route answers with reply(presented)');
    return;
  }
  if (result.kind === 'see-other') return res.redirect(303, result.location);
  if (!isPresented(result.body) && result.body !== undefined) throw new CadreError('CADRE_ERR_ROUTE_UNPRESENTED', 'JSON answers go through a presenter');
  const status = result.status ?? spec.success?.status ?? 200;
  if (status === 204 || result.body === undefined) {
    res.status(status).end();
    return;
  }
  res.status(status).json(result.body);
}

const FIXABLE = [400, 409, 413, 415];

/** Runs a multer middleware and turns a malformed multipart body (busboy's plain errors) into a 400. */
function runUpload(upload: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: unknown) => {
      if (!err) return resolve();
      if (err instanceof AppError || err instanceof MulterError) return reject(err);
      reject(new UploadError(`The upload could not be read (${err instanceof Error ? err.message : 'malformed'}). Choose the files again and send the form once more.`, 400, 'files'));
    };
    try {
      const r = upload(req, res, done as NextFunction) as unknown;
      if (r instanceof Promise) r.catch(done);
    } catch (err) {
      done(err);
    }
  });
}

/** Every route of one app instance. */
export class RouteRegistry {
  readonly routes: RouteInfo[] = [];

  /** A new router whose routes are recorded under `prefix` (the path it will be mounted at). */
  router<Prefix extends string>(prefix: Prefix): CadreRouter<Prefix> {
    const express = Router({ mergeParams: true });
    const fullPath = (path: string) => (prefix + (path === '/' ? '' : path)).replace(/\/+$/, '') || '/';

    const make = (method: Method): Register<Prefix> =>
      ((path: string, ...rest: unknown[]) => {
        const full = fullPath(path);
        const first = rest[0] as (RouteDoc & { authorize?: unknown }) | RequestHandler;
        if (typeof first === 'object' && first && 'authorize' in first) {
          const spec = first as RouteDoc & { authorize: unknown };
          const handler = rest[1] as RouteHandler<unknown>;
          this.routes.push({ method, path: full, doc: spec });
          const verify = (spec as { verify?: (req: Request) => void | Promise<void> }).verify;
          express[method](path, async (req, res) => {
            assertCsrf(req);
            if (verify) await verify(req);
            const { params, query } = parseAddress(req, full, spec);
            const body = spec.body ? parse(spec.body, stripToken(req.body), 'request') : undefined;
            const input = { params, query, body };
            const { actor, subject } = await authorizeRoute(req, spec.authorize, input);
            showTimesOf(res, subject);
            send(res, await runInRequest(req, () => handler({ ...input, actor, subject }, req, res)), spec, full);
          });
          return;
        }
        // Routes not yet converted: recorded and given the same text rule (address, query, parsed body), then run as
        // plain express handlers.
        const doc = typeof first === 'function' ? undefined : (rest.shift() as RouteDoc);
        this.routes.push({ method, path: full, doc });
        const addressCheck: RequestHandler = (req, _res, next) => {
          const broken = textProblems({ ...req.params });
          if (broken.length) return next(invalid(broken, 'address'));
          const input = [...textProblems(req.query ?? {}), ...textProblems(req.body ?? {})];
          if (input.length) return next(invalid(input, 'request'));
          assertCsrf(req); // a multipart write here can only carry its token in the header
          next();
        };
        express[method](path, addressCheck, ...(rest as RequestHandler[]));
      }) as Register<Prefix>;

    const form = ((path: string, spec: FormSpec<unknown, z.ZodType | undefined, z.ZodType | undefined, unknown, Subject>, handler: RouteHandler<unknown>) => {
      const full = fullPath(path);
      this.routes.push({ method: 'post', path: full, doc: { ...spec, multipart: spec.multipart ?? !!spec.upload } });
      express.post(path, async (req, res) => {
        const { params, query } = parseAddress(req, full, spec);
        const form = (stripToken(req.body) ?? {}) as Record<string, unknown>;
        const broken = textProblems(form);
        if (broken.length) throw invalid(broken, 'form');
        const { actor, subject } = await authorizeRoute(req, spec.authorize, { params, query, form });
        showTimesOf(res, subject);
        const rerender = async (error: unknown) => {
          if (!spec.rerender || !(error instanceof AppError) || !FIXABLE.includes(error.status)) throw error;
          res.status(error.status);
          const values = (stripToken(req.body) ?? {}) as Record<string, unknown>;
          await (spec.rerender as (req: Request, res: Response, input: unknown) => Promise<void>)(req, res, { error, values, params, actor, subject });
        };
        try {
          if (spec.upload) await runUpload(spec.upload, req, res);
          assertCsrf(req);
          const body = spec.body ? parse(spec.body, stripToken(req.body), 'form') : undefined;
          send(res, await runInRequest(req, () => handler({ params, query, body, actor, subject }, req, res)), spec, full);
        } catch (err) {
          await rerender(err);
        }
      });
    }) as RegisterForm<Prefix>;

    return { express, prefix, form, get: make('get'), post: make('post'), put: make('put'), patch: make('patch'), delete: make('delete') };
  }
}
