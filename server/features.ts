/** The core features, each contributing routers and socket handlers. One line per feature. */
import type { Server as IoServer, Socket } from 'socket.io';
import type { AppContext } from './context';
import type { CadreRouter, RouteRegistry } from './http/router';
import { liveFeature } from './live';
import { readinessFeature } from './readiness/feature';
import { progressionFeature } from './progression/feature';
import { signoffFeature } from './signoffs/feature';

/** A socket handler, called for each authenticated connection. */
export type SocketHandler = (io: IoServer, socket: Socket, ctx: AppContext) => void;

/** What a feature mounts. Routers are mounted behind `requireUser`. */
export type Feature = { routers: CadreRouter[]; sockets?: SocketHandler[] };

/** A feature's registration function. */
export type FeatureRegistration = (routes: RouteRegistry, ctx: AppContext) => Feature;

const features: FeatureRegistration[] = [
  liveFeature,
  readinessFeature,
  progressionFeature,
  signoffFeature,
];

/** Registers every core feature and returns what to mount. */
export function registerCoreFeatures(routes: RouteRegistry, ctx: AppContext): { routers: CadreRouter[]; sockets: SocketHandler[] } {
  const all = features.map((f) => f(routes, ctx));
  return { routers: all.flatMap((f) => f.routers), sockets: all.flatMap((f) => f.sockets ?? []) };
}
