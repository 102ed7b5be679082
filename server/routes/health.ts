/** Liveness and readiness probes. */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import { plain, reply } from '../http/present';
import type { RouteRegistry } from '../http/router';

/** GET /healthz (process up) and GET /readyz (database answers). */
export function healthRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('');
  r.get('/healthz', { summary: 'Liveness probe', authorize: 'public' }, () => reply(plain({ status: 'ok' })));
  r.get('/readyz', { summary: 'Readiness probe: the database answers', authorize: 'public' }, async () => {
    try {
      await Promise.race([
        ctx.db.execute(sql`select 1`),
        new Promise((_, reject) => setTimeout(() => reject(new Error('database timeout')), 2000)),
      ]);
      return reply(plain({ status: 'ready', database: ctx.database.kind }));
    } catch (err) {
      ctx.logger.warn({ err }, 'readiness check failed');
      return reply(plain({ status: 'unavailable', database: ctx.database.kind }), 503);
    }
  });
  return [r];
}
