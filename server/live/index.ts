/** The live co-delivery feedback feature: pages, JSON API and the `live:*` socket handlers. */
import type { FeatureRegistration } from '../features';
import { liveApiRoutes } from './api';
import { registerLiveHandlers } from './handlers';
import { livePageRoutes } from './pages';

export { configureLive } from './hub';

/** Registers live feedback: its routers and its socket handlers. */
export const liveFeature: FeatureRegistration = (routes, ctx) => {
  const pool = ctx.database.pool;
  if (pool) {
    // The socket.io Postgres adapter holds a LISTEN connection without an error listener: a dropped connection
    // (server restart, database dropped) would otherwise crash the process. Log it; the adapter reconnects.
    pool.on('error', (err) => ctx.logger.warn({ err }, 'idle PostgreSQL connection failed'));
    pool.on('connect', (client) => client.on('error', (err) => ctx.logger.warn({ err }, 'PostgreSQL connection failed')));
  }
  return {
    routers: [...livePageRoutes(routes, ctx), ...liveApiRoutes(routes, ctx)],
    sockets: [registerLiveHandlers],
  };
};
