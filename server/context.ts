/** The typed context handed to routes, commands, socket handlers and stage modules (no globals). */
import type { Server as IoServer } from 'socket.io';
import type { ActorCache } from './auth/authority';
import type { Config } from './config';
import type { Database, Db } from './db';
import type { Jobs } from './jobs';
import type { Logger } from './logger';
import type { Mailer } from './mail';
import type { FileStorage } from './storage';
import type { ProviderIdentityCache } from './identity';
import type { AppRegistry } from './modules/registry';

/** Everything a part of Cadre may use, created once per app instance. */
export type AppContext = {
  db: Db;
  database: Database;
  config: Config;
  logger: Logger;
  mailer: Mailer;
  /** The socket.io server; emit only after a transaction commits. */
  io: IoServer;
  /** Fresh actors by user id (cached; invalidated on every node by `rolesChanged` / `accessReduced`). */
  actors: ActorCache;
  /** Where uploaded files live (local disk under UPLOAD_DIR; streamed, never buffered whole). */
  storage: FileStorage;
  /** The provider's name and logo for pages, e-mails and reports (`identity.get()`, no query; server/identity.ts). */
  identity: ProviderIdentityCache;
  /** The durable job queue (pg-boss): `enqueue(name, payload)` / `work(name, handler)`. */
  jobs: Jobs;
  /** What this app has installed: modules, capabilities, requirement kinds, activity hooks, evidence kinds. */
  registry: AppRegistry;
};
