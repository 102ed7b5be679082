/** Liveness and readiness probes for the load balancer. */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { plain, reply } from '../http/present';
import type { RouteRegistry } from '../http/router';

/** Whether this node is draining (SIGTERM received: it finishes what it has but should be sent nothing new), and
 * whether it is still writing data it will serve (a first start's demo). */
export type Lifecycle = { draining: boolean; preparing?: Promise<unknown> };

/** Rejects after `ms` with `what` timed out. */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** GET /healthz (the process answers) and GET /readyz (database and file storage answer, not draining; else 503). */
export function healthRoutes(registry: RouteRegistry, ctx: AppContext, lifecycle: Lifecycle) {
  const r = registry.router('');
  r.get('/healthz', { summary: 'Liveness probe', authorize: 'public' }, () => reply(plain({ status: 'ok' })));
  r.get('/readyz', { summary: 'Readiness probe: the database and the file storage answer and the node is not draining', authorize: 'public' }, async () => {
    const base = { database: ctx.database.kind, storage: ctx.storage.kind };
    if (lifecycle.draining) return reply(plain({ status: 'draining', ...base }), 503);
    if (lifecycle.preparing) return reply(plain({ status: 'preparing', ...base }), 503);
    const [db, files] = await Promise.allSettled([within(2000, 'the database', ctx.db.execute(sql`select 1`)), within(3000, 'the file storage', ctx.storage.check())]);
    if (db.status === 'fulfilled' && files.status === 'fulfilled') return reply(plain({ status: 'ready', ...base }));
    for (const failed of [db, files]) if (failed.status === 'rejected') ctx.logger.warn({ err: failed.reason }, 'readiness check failed');
    return reply(plain({ status: 'unavailable', ...base, databaseReady: db.status === 'fulfilled', storageReady: files.status === 'fulfilled' }), 503);
  });
  return [r];
}
