/** The core features, each contributing routers and socket handlers. One line per feature. */
import type { AppContext } from './context';
import type { FeatureRegistration, SocketHandler } from './feature-types';
import type { CadreRouter, RouteRegistry } from './http/router';
import { readinessFeature } from './readiness/feature';
import { progressionFeature } from './progression/feature';
import { signoffFeature } from './signoffs/feature';
import { impactFeature } from './impact/feature';
import { eligibilityFeature } from './eligibility/feature';
import { credentialsFeature } from './credentials/feature';
import { samplingFeature } from './sampling/feature';
import { registerFeature } from './register/feature';

const features: FeatureRegistration[] = [readinessFeature, progressionFeature, signoffFeature, impactFeature, eligibilityFeature, credentialsFeature, samplingFeature, registerFeature];

/** Registers every core feature and returns what to mount. */
export function registerCoreFeatures(routes: RouteRegistry, ctx: AppContext): { routers: CadreRouter[]; publicRouters: CadreRouter[]; sockets: SocketHandler[] } {
  const all = features.map((f) => f(routes, ctx));
  return { routers: all.flatMap((f) => f.routers), publicRouters: all.flatMap((f) => f.publicRouters ?? []), sockets: all.flatMap((f) => f.sockets ?? []) };
}
