/** The credentials feature: certificates' pages, the public verification page and the Open Badges issuer. */
import type { FeatureRegistration } from '../feature-types';
import { credentialRoutes } from './routes';

/** Registers the certificate routers; verification and the issuer's keys are public (no login). */
export const credentialsFeature: FeatureRegistration = (routes, ctx) => credentialRoutes(routes, ctx);
