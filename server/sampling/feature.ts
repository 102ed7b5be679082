/** The observation sampling feature (issue 17.6): the QA report, rates, observations and hand picks. */
import type { FeatureRegistration } from '../feature-types';
import { samplingRoutes } from './routes';

/** Registers the sampling routers. */
export const samplingFeature: FeatureRegistration = (routes, ctx) => ({ routers: samplingRoutes(routes, ctx) });
