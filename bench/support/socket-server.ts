/**
 * A child process for the idle-socket memory benchmark: `bare` (socket.io alone) or `cadre` (the app, sessions
 * checked on every handshake). Prints `READY <url> <cookie>`; on the IPC message 'measure' it collects garbage
 * and replies with process.memoryUsage(). Run with: node --expose-gc --import tsx bench/support/socket-server.ts <mode>
 */
import { createServer } from 'node:http';
import { Server as IoServer } from 'socket.io';
import { createApp } from '../../server/app';
import { migrateDatabase, openPglite } from '../../server/db';
import { createLogger } from '../../server/logger';
import { testConfig } from '../../test/support/app';
import { buildOrganisation, buildUser, TEST_PASSWORD } from '../../test/support/factories';
import { listen } from './servers';

async function main(mode: string) {
  let url: string;
  let cookie = '-';
  if (mode === 'bare') {
    const server = createServer();
    new IoServer(server, { serveClient: false });
    url = await listen(server);
  } else {
    const database = await openPglite();
    await migrateDatabase(database);
    const config = testConfig({ LOG_LEVEL: 'silent' });
    const cadre = await createApp({ database, config, logger: createLogger('silent') });
    const org = await buildOrganisation(database.db, { kind: 'provider' });
    const user = await buildUser(database.db, { organisationId: org.id, role: 'mentor' });
    url = await listen(cadre.server);
    const res = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: TEST_PASSWORD }) });
    cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  }
  process.on('message', (msg) => {
    if (msg !== 'measure') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    process.send?.(process.memoryUsage());
  });
  console.log(`READY ${url} ${encodeURIComponent(cookie)}`);
}

main(process.argv[2] ?? 'bare').catch((err) => {
  console.error(err);
  process.exit(1);
});
