/** The eligibility feature (17.1): evidence pages, mentors' decisions and the cohort setting. */
import type { FeatureRegistration } from '../feature-types';
import { eligibilityRoutes } from './routes';

/** Registers the eligibility routers. */
export const eligibilityFeature: FeatureRegistration = (routes, ctx) => ({ routers: eligibilityRoutes(routes, ctx) });
