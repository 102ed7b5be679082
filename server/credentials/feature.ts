/** The credentials feature: certificates' pages, the admins' Open Badges page, the public verification page and the
 * Open Badges issuer. */
import type { FeatureRegistration } from '../feature-types';
import { credentialRoutes } from './routes';
import { credentialAdminRoutes } from './routes-admin';

/** Registers the certificate and admin routers; verification and the issuer's keys are public (no login). */
export const credentialsFeature: FeatureRegistration = (routes, ctx) => {
  const { routers, publicRouters } = credentialRoutes(routes, ctx);
  return { routers: [...routers, ...credentialAdminRoutes(routes, ctx)], publicRouters };
};
