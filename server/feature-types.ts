/** What a core feature is: the types `server/features.ts` lists and each feature's registration returns. */
import type { Server as IoServer, Socket } from 'socket.io';
import type { AppContext } from './context';
import type { CadreRouter, RouteRegistry } from './http/router';

/** A socket handler, called for each authenticated connection. */
export type SocketHandler = (io: IoServer, socket: Socket, ctx: AppContext) => void;

/** What a feature mounts. Routers are mounted behind `requireUser`; public routers (no login, e.g. a questionnaire
 * answered by link) before it, and every route on them must declare `authorize: 'public'`. */
export type Feature = { routers: CadreRouter[]; publicRouters?: CadreRouter[]; sockets?: SocketHandler[] };

/** A feature's registration function. */
export type FeatureRegistration = (routes: RouteRegistry, ctx: AppContext) => Feature;
