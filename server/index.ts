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
  // A first start writes the demo while it already answers: the login page and static files at once, anything
  // else once the demo is in (server/app.ts holds those requests), so nobody meets a half-written demo. The layout's
  // provider name and logo were loaded from the empty database: the seeded provider is read before the hold ends
  // (else every page said "Cadre" until the next minute's refresh).
  const seeding =
    config.env !== 'production' && config.seedDemo === 'auto' && (await isEmpty(database.db))
      ? seedDemo(database.db, config, cadre.modules).then(() => cadre.ctx.identity.refresh())
      : null;
  if (seeding) cadre.holdUntil(seeding);
  await new Promise<void>((resolve) => cadre.server.listen(config.port, config.host, resolve));
  const address = cadre.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  phase('listen');
  logger.info({ port, database: database.kind, ms: Date.now() - started, phases, cpu }, 'Cadre is listening');
  process.stdout.write(`\n  Cadre is running at ${url}  (database: ${database.kind === 'pglite' ? `embedded, ${config.dataDir}` : 'PostgreSQL'})\n`);
  if (seeding) {
    process.stdout.write('  Writing the demo data…\n');
    await seeding;
    phase('seed');
    logger.info({ ms: Date.now() - started, phases, cpu }, 'demo data written');
  }
  const lines: string[] = [];
  if (config.env !== 'production' && (seeding || database.kind === 'pglite')) {
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
    await seeding?.catch(() => undefined); // a demo being written is finished (one transaction), not cut off
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
