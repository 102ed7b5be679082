/** In-process servers for the benchmarks: a bare express app and the Cadre app on PGlite with the demo seed. */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { createApp, type CadreApp } from '../../server/app';
import { migrateDatabase, openPglite, type Database } from '../../server/db';
import { createLogger } from '../../server/logger';
import { seedDemo } from '../../seed/demo';
import { testConfig } from '../../test/support/app';

/** A listening server and how to stop it. */
export type Running = { url: string; stop(): Promise<void> };

/** Listens on 127.0.0.1:0 and returns the base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The baseline: express answering GET /page with a small fixed HTML page. */
export async function startBareExpress(): Promise<Running> {
  const app = express();
  const html = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Progress</title></head><body><main><h1>Your progress</h1>${'<li>Stage — open</li>'.repeat(6)}</main></body></html>`;
  app.get('/page', (_req, res) => {
    res.type('html').send(html);
  });
  const server = createServer(app);
  const url = await listen(server);
  return { url, stop: () => close(server) };
}

/** Cadre on a fresh in-memory PGlite with the demo seed, views cached as in production, logs silent. */
export async function startCadre(): Promise<Running & { cadre: CadreApp; database: Database; login(email: string, password?: string): Promise<string> }> {
  const database = await openPglite();
  await migrateDatabase(database);
  const config = testConfig({ LOG_LEVEL: 'silent' });
  const cadre = await createApp({ database, config, logger: createLogger('silent') });
  cadre.app.enable('view cache');
  await seedDemo(database.db, config, cadre.modules);
  const url = await listen(cadre.server);
  return {
    url,
    cadre,
    database,
    async login(email, password = 'cadre-demo') {
      const res = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      if (res.status !== 200) throw new Error(`login as ${email}: ${res.status} ${await res.text()}`);
      return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    },
    async stop() {
      await cadre.close();
      await close(cadre.server);
      await database.close();
    },
  };
}
