/** The live co-delivery feedback feature: pages, JSON API and the `live:*` socket handlers. */
import type { FeatureRegistration } from '../features';
import { liveApiRoutes } from './api';
import { registerLiveHandlers } from './handlers';
import { livePageRoutes } from './pages';

export { configureLive } from './hub';

/** Registers live feedback: its routers and its socket handlers. */
export const liveFeature: FeatureRegistration = (routes, ctx) => {
  return {
    routers: [...livePageRoutes(routes, ctx), ...liveApiRoutes(routes, ctx)],
    sockets: [registerLiveHandlers],
  };
};
