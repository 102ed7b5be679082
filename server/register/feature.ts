/** The trainer register feature (17.4): an organisation's register, the provider's, their CSV exports, and each
 * trainer's record page. */
import type { FeatureRegistration } from '../feature-types';
import { recordRoutes } from './record-routes';
import { registerRoutes } from './routes';

/** Registers the register's routers. */
export const registerFeature: FeatureRegistration = (routes, ctx) => ({ routers: [...registerRoutes(routes, ctx), ...recordRoutes(routes, ctx)] });
