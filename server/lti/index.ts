/** Cadre as an LTI 1.3 Advantage tool (core: it serves every stage). `createLti` wires the parts: platform key sets,
 * service calls, the routes, the session framing, and the grade sync (a durable job per cohort, enqueued when a write
 * under a linked cohort succeeds, and swept every few minutes for changes that come through sockets or webhooks). */
import type { RequestHandler } from 'express';
import { isNotNull } from 'drizzle-orm';
import type { SessionConfinement } from '../http/session';
import type { AppContext } from '../context';
import { ltiResourceLinks } from '../db/tables';
import type { CadreRouter, RouteRegistry } from '../http/router';
import { syncCohortGrades } from './grades';
import { pruneLaunches } from './launch';
import { ltiAdminRoutes } from './routes-admin';
import { ltiPageRoutes } from './routes-pages';
import { ltiPublicRoutes } from './routes-public';
import { PlatformServices } from './services';
import { ltiConfinement, ltiSessionFraming } from './session';
import { PlatformKeys } from './verify';
import { QUEUES } from '../jobs';

/** The grade sync job: one cohort's gradebook columns brought up to date. */
export const GRADE_JOB = QUEUES.ltiGrades;
// 10 s, doubling, eight times: about forty minutes of retries covers a platform's restart or a short outage.
const GRADE_RETRY = { retryLimit: 8, retryDelaySeconds: 10 };
const SWEEP_MS = 10 * 60_000;
const LINKED_REFRESH_MS = 60_000;
const COHORT_PATH = /^\/(?:api\/v1\/)?cohorts\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[/?#]|$)/i;

/** Options for the LTI part (tests shorten the key-set cooldown and the retry delay). */
export type LtiOptions = { jwksCooldownMs?: number; jobPollSeconds?: number; gradeRetryDelaySeconds?: number };

/** The LTI part of one app. */
export type Lti = {
  keys: PlatformKeys;
  services: PlatformServices;
  /** Launch, login, key set and entry routes: no login, no CSRF token (each verifies a signature or a one-time token). */
  publicRouters: CadreRouter[];
  /** Pages and API behind a login. */
  routers: CadreRouter[];
  /** After the session: frame-ancestors and cookie attributes for LTI sessions. */
  sessionFraming: RequestHandler;
  /** Enqueues a grade sync after a successful write under a linked cohort. */
  gradeTrigger: RequestHandler;
  /** Enqueues a grade sync for a cohort (no-op unless a course link points at it). */
  gradesChanged(cohortId: string): Promise<void>;
  /** The organisation an LTI session's actor is confined to (its registration's), for every request and socket event. */
  confinement: SessionConfinement;
  stop(): void;
};

/** Builds the LTI part and starts its worker. */
export async function createLti(registry: RouteRegistry, ctx: AppContext, options: LtiOptions = {}): Promise<Lti> {
  const keys = new PlatformKeys({ cooldownMs: options.jwksCooldownMs ?? 30_000, cacheMaxAgeMs: 600_000 });
  const services = new PlatformServices(ctx.db);
  const linked = new Set<string>();
  const refreshLinked = async () => {
    const rows = await ctx.db.selectDistinct({ cohortId: ltiResourceLinks.cohortId }).from(ltiResourceLinks).where(isNotNull(ltiResourceLinks.cohortId));
    linked.clear();
    for (const r of rows) if (r.cohortId) linked.add(r.cohortId);
  };
  await refreshLinked();

  const gradesChanged = async (cohortId: string) => {
    linked.add(cohortId);
    try {
      await ctx.jobs.enqueue(GRADE_JOB, { cohortId }, { ...GRADE_RETRY, retryDelaySeconds: options.gradeRetryDelaySeconds ?? GRADE_RETRY.retryDelaySeconds });
    } catch (err) {
      ctx.logger.error({ err, cohortId }, 'LTI: grade sync could not be queued');
    }
  };
  await ctx.jobs.work<{ cohortId: string }>(GRADE_JOB, async ({ cohortId }, job) => void (await syncCohortGrades(ctx, services, cohortId, job.attempt + 1)), { pollSeconds: options.jobPollSeconds });

  const timers = [
    setInterval(() => void refreshLinked().catch((err: unknown) => ctx.logger.warn({ err }, 'LTI: linked cohorts not refreshed')), LINKED_REFRESH_MS),
    setInterval(() => void Promise.all([...[...linked].map(gradesChanged), pruneLaunches(ctx).catch((err: unknown) => ctx.logger.warn({ err }, 'LTI: old launches not pruned'))]), SWEEP_MS),
  ];
  for (const t of timers) t.unref();

  const gradeTrigger: RequestHandler = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.on('finish', () => {
      const m = COHORT_PATH.exec(req.originalUrl);
      if (res.statusCode < 400 && m && linked.has(m[1].toLowerCase())) void gradesChanged(m[1].toLowerCase());
    });
    next();
  };

  const deps = { keys, services, gradesChanged };
  return {
    keys,
    services,
    publicRouters: ltiPublicRoutes(registry, ctx, deps),
    routers: [...ltiPageRoutes(registry, ctx, deps), ...ltiAdminRoutes(registry, ctx, deps)],
    sessionFraming: ltiSessionFraming,
    gradeTrigger,
    gradesChanged,
    confinement: ltiConfinement,
    stop: () => timers.forEach(clearInterval),
  };
}

/** What the route files need from the LTI part. */
export type LtiDeps = { keys: PlatformKeys; services: PlatformServices; gradesChanged(cohortId: string): Promise<void> };
