/** Live feedback in co-delivery: the rooms' pages and JSON API (their own URL space) and the `live:*` socket handlers. */
import type { CadreRouter, RouteRegistry, StageRuntime } from '../../../server/modules/kit';
import { liveApiRoutes } from './api';
import { livePageRoutes } from './pages';

export { registerLiveHandlers } from './handlers';
export { configureLive } from './hub';

/** The live routers: pages under /cohorts/:cohortId/live, JSON under /api/v1/cohorts/:cohortId/live-rooms and /api/v1/live. */
export function liveRouters(routes: RouteRegistry, rt: StageRuntime): CadreRouter[] {
  return [...livePageRoutes(routes, rt), ...liveApiRoutes(routes, rt)];
}
