/** Starts Cadre: validate configuration, open and migrate the database, seed the demo if empty, listen. */
import { mkdirSync } from 'node:fs';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db';
import { createLogger } from './logger';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  mkdirSync(config.uploadDir, { recursive: true });
  const started = Date.now();
  // How long each part of start-up took (in the "listening" line): wall ms, and CPU ms, which a busy machine
  // does not inflate. A first start should reach the first page in ≤ 3 s.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return Math.round((u.user + u.system) / 1000);
  };
  const phases: Record<string, number> = { boot: Math.round(performance.now()) };
  const cpu: Record<string, number> = { boot: cpuMs() };
  let mark = Date.now();
  let cpuMark = cpu.boot;
  const phase = (name: string) => {
    phases[name] = Date.now() - mark;
    cpu[name] = cpuMs() - cpuMark;
    mark = Date.now();
    cpuMark = cpuMs();
  };
  // The app's code (most of a start's CPU) loads while the embedded database's files copy and PGlite starts.
  const [database, { createApp }, { DEMO_LOGINS, DEMO_PASSWORD, isEmpty, seedDemo }] = await Promise.all([openDatabase(config), import('./app.js'), import('../seed/demo.js')]);
  phase('database');
  const cadre = await createApp({ database, config, logger });
  phase('app');
  let seeded = false;
  if (config.env !== 'production' && config.seedDemo === 'auto' && (await isEmpty(database.db))) {
    await seedDemo(database.db, config, cadre.modules);
    // The layout's provider name and logo were loaded from the empty database: read the seeded provider now, not at
    // the next minute's refresh (until then every page said "Cadre").
    await cadre.ctx.identity.refresh();
    seeded = true;
    phase('seed');
  }
  await new Promise<void>((resolve) => cadre.server.listen(config.port, config.host, resolve));
  const address = cadre.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  logger.info({ port, database: database.kind, ms: Date.now() - started, phases, cpu }, 'Cadre is listening');
  const lines = [
    '',
    `  Cadre is running at ${url}  (database: ${database.kind === 'pglite' ? `embedded, ${config.dataDir}` : 'PostgreSQL'})`,
  ];
  if (config.env !== 'production' && (seeded || database.kind === 'pglite')) {
    lines.push(`  Demo logins (password "${DEMO_PASSWORD}"):`);
    for (const l of DEMO_LOGINS) lines.push(`    ${l.email.padEnd(24)} ${l.role}`);
  }
  lines.push('');
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    // Draining: /readyz answers 503, live sockets are closed so their clients reconnect through another node, and
    // answers close their connections. Stop accepting connections; in-flight requests finish.
    cadre.drain();
    const closed = new Promise<void>((resolve) => cadre.server.close(() => resolve()));
    cadre.server.closeIdleConnections();
    await cadre.close();
    await closed;
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
