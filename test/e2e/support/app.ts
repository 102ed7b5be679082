/** Starts the real app for browser journeys: a fresh embedded database with the demo seed, on 127.0.0.1. */
import { createServer } from 'node:net';
import { createApp, type CadreApp } from '../../../server/app';
import { createLogger } from '../../../server/logger';
import { seedDemo } from '../../../seed/demo';
import { testConfig } from '../../support/app';
import { openTestDatabase, type TestDatabase } from '../../support/db';

/** A running app for a journey. */
export type E2EApp = {
  /** e.g. http://127.0.0.1:43125 — also the base of invitation links. */
  baseUrl: string;
  cadre: CadreApp;
  database: TestDatabase;
  /** The seeded demo cohort. */
  cohortId: string;
  stop(): Promise<void>;
};

/** A free loopback port (so PUBLIC_URL, and with it every e-mailed link, points at this app). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts Cadre with the demo seed (password "cadre-demo" for every demo login). Call `stop()` in afterAll. `config`
 * adds environment variables (an S3 peer's `env`, say, so the demo's files and every upload go to its bucket).
 */
export async function startE2E(options: { config?: Record<string, string> } = {}): Promise<E2EApp> {
  const database = await openTestDatabase();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = testConfig({ ...options.config, PORT: String(port), PUBLIC_URL: baseUrl, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' });
  const cadre = await createApp({ database, config, logger: createLogger(config.logLevel) });
  const { cohortId } = await seedDemo(database.db, config, cadre.modules);
  await cadre.ctx.identity.refresh();
  await new Promise<void>((resolve, reject) => {
    cadre.server.once('error', reject);
    cadre.server.listen(port, '127.0.0.1', resolve);
  });
  return {
    baseUrl,
    cadre,
    database,
    cohortId,
    async stop() {
      await cadre.close();
      cadre.server.closeAllConnections();
      await new Promise<void>((resolve) => cadre.server.close(() => resolve()));
      await database.drop();
    },
  };
}
