/** Builds the Cadre app — express, sessions, sockets, routes and stage modules — without listening. */
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import { Server as IoServer } from 'socket.io';
import type { createAdapter as CreateAdapter } from '@socket.io/postgres-adapter';
import type { Config } from './config';
import type { Database } from './db';
import { adapterPool, type AdapterPool } from './db/adapter-pool';
import { workAfterCommit } from './after-commit';
import type { AppContext } from './context';
import { startJobs } from './jobs';
import { startExpiryWarnings } from './register/warnings';
import { createLogger, type Logger } from './logger';
import { createMailer, type Mailer } from './mail';
import { csrfProtection } from './http/csrf';
import { errorHandler } from './http/errors';
import { answerAfterBody } from './http/linger';
import { requestContext, requireUser, type RequestDone } from './http/request-context';
import { RouteRegistry, type CadreRouter } from './http/router';
import { inSeries, routerDispatch, type MountedRouter } from './http/dispatch';
import { createPassport, createSessionMiddleware, pruneSessions, sessionLifetime, sessionUser } from './http/session';
import { ActorCache, sessionRoom } from './auth/authority';
import type { FileStorage } from './storage';
import { createStorage } from './storage/create';
import { pruneRateLimits } from './auth/rate-limit';
import { socketOriginAllowed } from './http/origin';
import { setupViews, viewsDir } from './http/views';
import { NotFoundError } from './errors';
import { buildRegistry, checkModuleTables, discoverModules, migrateModules, validateManifests } from './modules/loader';
import type { StageManifest, StageRuntime } from './modules/types';
import { stageHelpers } from './modules/stage-helpers';
import { mainMenu } from './navigation';
import { homeTimeZone } from './auth/actor';
import { healthRoutes, type Lifecycle } from './routes/health';
import { authRoutes } from './routes/auth';
import { adminApiRoutes } from './routes/api-admin';
import { adminPageRoutes } from './routes/admin-pages';
import { ProviderIdentityCache, providerLogo } from './identity';
import { brandedMailer } from './mail-brand';
import { identityRoutes } from './routes/identity';
import { organisationSettingsRoutes } from './routes/organisation-settings';
import { homeRoutes } from './routes/home';
import { openApiRoutes } from './routes/openapi';
import { registerCoreFeatures } from './features';
import { adoptHandshake, handshakeSession, settleHandshake } from './sockets';
import { createLti, type Lti, type LtiOptions } from './lti';

declare module 'node:http' {
  interface IncomingMessage {
    /** The raw request body, kept for webhook signature checks. */
    rawBody?: Buffer;
  }
}

/** What createApp needs; everything else has defaults. */
export type AppOptions = {
  database: Database;
  config: Config;
  logger?: Logger;
  mailer?: Mailer;
  /** How often job workers poll the queue (seconds, default 2; tests use less). */
  jobPollSeconds?: number;
  /** LTI options (tests shorten the platform key-set cooldown). */
  lti?: LtiOptions;
  /** Stage modules to load (default: discovered from modules/). */
  modules?: StageManifest[];
  /** Where files live (default: as configured — UPLOAD_DIR, or the S3 bucket). */
  storage?: FileStorage;
};

/** A built app: the express app, its (not yet listening) http server, the socket.io server and the context. */
export type CadreApp = {
  app: Express;
  server: HttpServer;
  io: IoServer;
  ctx: AppContext;
  routes: RouteRegistry;
  modules: StageManifest[];
  /** The LTI tool part (platform key sets, service calls, grade sync). */
  lti: Lti;
  /** Hears every finished request with the SQL statements it sent; returns the unsubscribe. */
  onRequestDone(listener: (done: RequestDone) => void): () => void;
  /** Until `work` settles, only the login page, static files and the probes answer (/readyz with 503 "preparing");
   * every other request waits for it. A first start writes the demo this way while it already listens. */
  holdUntil(work: Promise<unknown>): void;
  /**
   * Starts draining (SIGTERM): /readyz answers 503 so the load balancer sends nothing new, every response closes its
   * connection, and socket.io clients are disconnected so they reconnect through another node. Requests in flight finish.
   */
  drain(): void;
  /** Stops sockets and timers (the database is closed by whoever opened it). */
  close(): Promise<void>;
};

/** Creates the app. Fails fast (CADRE_ERR_STAGE_*) if any stage manifest is invalid. */
export async function createApp(options: AppOptions): Promise<CadreApp> {
  const { database, config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const plainMailer = options.mailer ?? createMailer(config.smtpUrl, config.mailFrom, logger);
  const modules = options.modules ?? discoverModules();
  validateManifests(modules);
  // Each module's own migrations run after core's (which opening the database ran); then its tables must be there.
  await migrateModules(database, modules);
  await checkModuleTables(database, modules);
  const registry = buildRegistry(modules);

  const lifecycle: Lifecycle = { draining: false };
  const app = express();
  const server = createServer(app);
  const io = new IoServer(server, {
    serveClient: true,
    // Large enough that an oversized event reaches validation and is refused by name (`validation_failed`, the
    // socket stays up); engine.io drops the connection only past this, and the live client never sends that much.
    maxHttpBufferSize: 1024 * 1024,
    pingInterval: 10_000,
    pingTimeout: 8_000,
    // Cross-site WebSocket hijacking: a page elsewhere may not open a socket with the visitor's cookie.
    // A draining node takes no new sockets: the client retries and the load balancer sends it elsewhere.
    allowRequest: (req, callback) => callback(null, !lifecycle.draining && socketOriginAllowed(req, config.publicUrl)),
  });
  let listenPool: AdapterPool | undefined;
  if (database.kind === 'postgres' && database.pool) {
    // A checked-out connection (such as the adapter's LISTEN connection) has no error listener of its own: a dropped
    // connection would crash the process. Log it; the pool and the adapter reconnect. (Idle ones: server/db.)
    database.pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err }, 'PostgreSQL connection failed')));
    listenPool = adapterPool(database.pool);
    // Required here, not at the top: the embedded database never needs it, and start-up is shorter without it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createAdapter } = require('@socket.io/postgres-adapter') as { createAdapter: typeof CreateAdapter };
    io.adapter(createAdapter(listenPool.pool, { tableName: 'socket_io_attachments' }));
  }
  const actors = new ActorCache(database.db, registry.capabilities);
  actors.listen(io, database.kind === 'postgres');
  const jobs = await startJobs(database, logger);
  const identity = new ProviderIdentityCache(database.db);
  const storage = options.storage ?? createStorage(config);
  const mailer = brandedMailer(plainMailer, { identity: () => (identity.get().organisationId ? identity.get() : identity.refresh()), logo: (id) => providerLogo(storage, id) });
  const ctx: AppContext = { db: database.db, database, config, logger, mailer, io, actors, jobs, registry, storage, identity };
  await ctx.identity.start(60_000, (err) => logger.warn({ err }, 'provider identity could not be loaded'));
  await workAfterCommit(ctx, options.jobPollSeconds);
  await startExpiryWarnings(ctx, options.jobPollSeconds);
  const runtimes = new Map(modules.map((m) => [m.key, runtimeFor(ctx, m)]));
  const runtimeOf = (m: StageManifest) => runtimes.get(m.key) as StageRuntime;
  const routes = new RouteRegistry();
  const lti = await createLti(routes, ctx, { jobPollSeconds: options.jobPollSeconds, ...options.lti });

  // X-Forwarded-For is believed only from the configured proxies (TRUST_PROXY); otherwise req.ip is the peer.
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  const doneListeners = new Set<(done: RequestDone) => void>();
  // The request path's first steps, run as one layer (inSeries): the request's id, logger and statement tally, …
  app.use(
    inSeries(
      requestContext(logger, (done) => doneListeners.forEach((l) => l(done)), { statementsHeader: config.statementsHeader }),
      // … a refusal sent before a small body was read waits for the body, so the client sees the answer, not a reset …
      answerAfterBody({ maxBytes: 1024 * 1024, maxMs: 5000 }),
      // … while a first start writes the demo (holdUntil), the login page, static files and the probes answer at once
      // and every other request waits for it …
      (req, _res, next) => {
        const preparing = lifecycle.preparing;
        if (!preparing || ((req.method === 'GET' || req.method === 'HEAD') && /^\/(login|healthz|readyz|static\/.*)$/.test(req.path))) return next();
        preparing.then(() => next(), next);
      },
      // … draining: keep-alive connections are closed after each answer, so the client's next request goes to another
      // node …
      (_req, res, next) => {
        if (lifecycle.draining) res.setHeader('connection', 'close');
        next();
      },
      // … and the security headers.
      helmet({
        contentSecurityPolicy: {
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", 'data:', 'blob:'],
            mediaSrc: ["'self'", 'blob:'],
            connectSrc: ["'self'", 'ws:', 'wss:'],
            objectSrc: ["'none'"],
            frameAncestors: ["'none'"],
            formAction: ["'self'"],
            upgradeInsecureRequests: config.env === 'production' ? [] : null,
          },
        },
        strictTransportSecurity: config.env === 'production',
      }),
    ),
  );
  app.use('/static', express.static(path.resolve(__dirname, '../public'), { maxAge: config.env === 'production' ? '7d' : 0 }));
  app.use('/static/vendor/chart.js', express.static(path.dirname(require.resolve('chart.js/auto')).replace(/auto$/, 'dist'), { maxAge: '7d' }));
  const keepRaw = (req: { rawBody?: Buffer }, _res: unknown, buf: Buffer) => {
    req.rawBody = buf;
  };
  // Every answer past the static files is made for its reader (a candidate's record, a form's token): never stored by
  // a browser or a proxy, so the back button on a shared ward computer after logout shows nothing. A route with
  // public content says otherwise itself (a badge's verification page, the provider's logo). Hence no ETag either:
  // nothing is kept to revalidate, and hashing every page cost more than rendering it from a kept body.
  app.set('etag', false);
  const notStored: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'private, no-store');
    next();
  };
  app.use(inSeries(notStored, express.json({ limit: '256kb', verify: keepRaw }), express.urlencoded({ extended: false, limit: '256kb' }), cookieParser()));

  // Webhooks: signed by their sender, so no session or CSRF.
  for (const m of modules) {
    if (!m.webhooks) continue;
    const r = routes.router(`/webhooks/${m.key}`);
    m.webhooks(r, runtimeOf(m));
    app.use(r.prefix, r.express);
  }

  const { middleware: sessionMiddleware } = createSessionMiddleware(database, config);
  const passport = createPassport(database, actors, lti.confinement);
  // passport.session(), leaner (server/http/session.ts); no passport.initialize(), whose request helpers it provides.
  // LTI: a session from a launch may be framed by its platform; launches and logins carry signatures, not CSRF tokens.
  app.use(inSeries(sessionMiddleware, sessionLifetime, sessionUser(app, passport), lti.sessionFraming, lti.gradeTrigger));
  for (const r of lti.publicRouters) app.use(r.prefix, r.express);

  app.use(csrfProtection(config));
  const locals: RequestHandler = (req, res, next) => {
    res.locals.user = req.user;
    res.locals.path = req.path;
    res.locals.menu = mainMenu(registry.modules, req.user, req.path);
    res.locals.provider = ctx.identity.get();
    // Dates and times on pages are in this zone; a route whose subject is a cohort or an organisation sets that one's.
    res.locals.timeZone = homeTimeZone(req.user);
    // The token (and its cookie) is made only when a page renders it (see server/http/csrf.ts).
    Object.defineProperty(res.locals, 'csrfToken', { get: () => req.csrfToken?.(), enumerable: true, configurable: true });
    next();
  };
  app.use(locals);

  setupViews(
    app,
    modules.filter((m) => m.views).map((m) => ({ key: m.key, dir: m.views as string })),
    { cache: config.viewCache },
  );

  // Every router, in this order, is reached through one dispatch that tries only those a path can belong to.
  const mounted: MountedRouter[] = [];
  const mount = (routers: CadreRouter[], ...guards: RequestHandler[]) => {
    for (const r of routers) mounted.push({ prefix: r.prefix || '/', router: r.express, guards });
  };
  mount(healthRoutes(routes, ctx, lifecycle));
  mount(openApiRoutes(routes));
  mount(authRoutes(routes, ctx, passport));
  const features = registerCoreFeatures(routes, ctx);
  // Public feature routes (no login) go before any router that requires one.
  mount(features.publicRouters);
  // The logo is public (login page, e-mails); its admin forms authorise provider:manage themselves.
  mount(identityRoutes(routes, ctx));
  mount(homeRoutes(routes, ctx), requireUser);
  mount(adminPageRoutes(routes, ctx), requireUser);
  mount(organisationSettingsRoutes(routes, ctx), requireUser);
  mount(adminApiRoutes(routes, ctx), requireUser);
  mount(features.routers, requireUser);
  mount(lti.routers, requireUser);

  for (const m of modules) {
    const runtime = runtimeOf(m);
    if (m.routers) mount(m.routers(routes, runtime), requireUser);
    if (m.globalRoutes) {
      const r = routes.router(`/stages/${m.key}`);
      m.globalRoutes(r, runtime);
      mount([r], requireUser);
    }
    if (m.routes) {
      const r = routes.router(`/cohorts/:cohortId/stages/${m.key}`);
      m.routes(r, runtime);
      mount([r], requireUser);
    }
    if (m.api) {
      const r = routes.router(`/api/v1/cohorts/:cohortId/stages/${m.key}`);
      m.api(r, runtime);
      mount([r], requireUser);
    }
  }

  app.use(routerDispatch(mounted));
  // A path no router has: someone signed out is asked to log in first (as every guarded router would ask them).
  app.use(requireUser);
  app.use((req, _res, next) => next(new NotFoundError(req.path.startsWith('/api/') ? 'That API route' : 'That page')));
  app.use(errorHandler(logger));

  // Sockets share the login session (socket.io's passport recipe): anonymous handshakes are refused.
  io.engine.use(handshakeSession([sessionMiddleware, sessionLifetime, passport.session()] as Parameters<typeof handshakeSession>[0], lti.confinement));
  io.use((socket, next) => {
    const user = adoptHandshake(socket);
    if (!user) return next(new Error('unauthorized'));
    next();
  });
  io.on('connection', (socket) => {
    const user = (socket.request as { user?: Express.User }).user as Express.User;
    void socket.join(`user:${user.id}`);
    // Ending a login session (password change or reset, logout) disconnects the sockets opened with it.
    const sessionId = (socket.request as { sessionID?: string }).sessionID;
    if (sessionId) void socket.join(sessionRoom(sessionId));
    for (const register of features.sockets) register(io, socket, ctx);
    for (const m of modules) m.sockets?.(io, socket, runtimeOf(m));
    settleHandshake(socket);
  });

  const pruneTimer = setInterval(
    () => void Promise.all([pruneSessions(database), pruneRateLimits(database)]).catch((err) => logger.warn({ err }, 'session prune failed')),
    15 * 60_000,
  );
  pruneTimer.unref();

  return {
    app,
    server,
    io,
    ctx,
    routes,
    modules,
    lti,
    onRequestDone(listener) {
      doneListeners.add(listener);
      return () => doneListeners.delete(listener);
    },
    holdUntil(work) {
      const preparing = work.finally(() => {
        if (lifecycle.preparing === preparing) lifecycle.preparing = undefined;
      });
      preparing.catch(() => undefined);
      lifecycle.preparing = preparing;
    },
    drain() {
      if (lifecycle.draining) return;
      lifecycle.draining = true;
      server.closeIdleConnections();
      // Closing the transports (not disconnecting the sockets) lets each client reconnect on its own, elsewhere.
      io.engine.close();
    },
    async close() {
      clearInterval(pruneTimer);
      ctx.identity.stop();
      lti.stop();
      await jobs.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      listenPool?.close();
      if (!options.storage) ctx.storage.close?.();
    },
  };
}

function runtimeFor(ctx: AppContext, manifest: StageManifest): StageRuntime {
  return { ...ctx, manifest, view: (name) => path.join(manifest.views ?? viewsDir, name), stage: stageHelpers(ctx, manifest.key, manifest.title) };
}
