/** The impact feature: courses the new trainers deliver, learners' questionnaire (public), incident data and the
 * impact view. */
import type { FeatureRegistration } from '../feature-types';
import { courseRoutes } from './course-routes';
import { incidentRoutes } from './incident-routes';
import { questionnaireRoutes } from './questionnaire-routes';
import { impactRoutes } from './routes';

/** Registers the impact routers; the questionnaire is public (no login). */
export const impactFeature: FeatureRegistration = (routes, ctx) => ({
  routers: [...courseRoutes(routes, ctx), ...incidentRoutes(routes, ctx), ...impactRoutes(routes, ctx)],
  publicRouters: questionnaireRoutes(routes, ctx),
});
