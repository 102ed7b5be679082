/** Liveness and readiness probes. */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../context';
import type { RouteRegistry } from '../http/router';

/** GET /healthz (process up) and GET /readyz (database answers). */
export function healthRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('');
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    try {
      await Promise.race([
        ctx.db.execute(sql`select 1`),
        new Promise((_, reject) => setTimeout(() => reject(new Error('database timeout')), 2000)),
      ]);
      res.json({ status: 'ready', database: ctx.database.kind });
    } catch (err) {
      ctx.logger.warn({ err }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', database: ctx.database.kind });
    }
  });
  return [r];
}
