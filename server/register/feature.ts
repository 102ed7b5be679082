/** The trainer register feature (17.4): an organisation's register, the provider's, and their CSV exports. */
import type { FeatureRegistration } from '../feature-types';
import { registerRoutes } from './routes';

/** Registers the register's routers. */
export const registerFeature: FeatureRegistration = (routes, ctx) => ({ routers: registerRoutes(routes, ctx) });
