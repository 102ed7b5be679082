/** The progression feature: progress pages and API, waivers, and programme template admin. */
import type { FeatureRegistration } from '../feature-types';
import { progressionRoutes } from './routes';
import { programmeRoutes } from '../programmes/routes';

/** Registers the candidate timeline, cohort overview, progress API, waivers and programme templates. */
export const progressionFeature: FeatureRegistration = (routes, ctx) => ({
  routers: [...progressionRoutes(routes, ctx), ...programmeRoutes(routes, ctx)],
});
