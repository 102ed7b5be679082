/** The readiness feature: cohort readiness and exports, the lead/mentor/admin dashboards, and the notifications page. */
import type { FeatureRegistration } from '../feature-types';
import { dashboardRoutes } from '../dashboards/routes';
import { notificationRoutes } from '../notifications-ui/routes';
import { readinessRoutes } from './routes';

/** Registers the readiness, dashboard and notification routers. */
export const readinessFeature: FeatureRegistration = (routes, ctx) => ({
  routers: [...readinessRoutes(routes, ctx), ...dashboardRoutes(routes, ctx), ...notificationRoutes(routes, ctx)],
});
