/** Boots a real Cadre app on a real database for a test file, with helpers to log in as anyone. */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp, type CadreApp } from '../../server/app';
import type { StageManifest } from '../../server/modules/types';
import { loadConfig, type Config } from '../../server/config';
import type { LtiOptions } from '../../server/lti';
import { createLogger, type Logger } from '../../server/logger';
import type { Mailer } from '../../server/mail';
import type { StatementTally } from '../../server/db/statements';
import type { RequestDone } from '../../server/http/request-context';
import { openTestDatabase, type TestDatabase } from './db';
import { TEST_PASSWORD } from './factories';

/** A running test app. */
export type TestApp = {
  cadre: CadreApp;
  database: TestDatabase;
  config: Config;
  /** A supertest agent (keeps cookies) not logged in. */
  anonymous(): TestAgent;
  /** A supertest agent logged in through the JSON API as `email`. */
  loginAs(email: string): Promise<TestAgent>;
  /** Fetches a page and returns its CSRF token along with the agent (for form posts). */
  csrf(agent: TestAgent, pagePath?: string): Promise<string>;
  /** The SQL statements the request behind `res` sent (waits for it to finish; reads its X-Request-Id). */
  statementsOf(res: { headers: Record<string, string> }): Promise<StatementTally>;
  /** Listens on `port` (default: an ephemeral one) for sockets, browsers and protocol peers; returns the base URL. */
  listen(port?: number): Promise<string>;
  /** Waits (up to 5 s) until `count` e-mails have gone to `to` and returns the last (some are sent after the answer). */
  mailTo(to: string, count?: number): Promise<{ to: string; subject: string; text: string }>;
  stop(): Promise<void>;
};

/** Test configuration: temp folders, silent logs. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-test-'));
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: path.join(dir, 'data'),
    UPLOAD_DIR: path.join(dir, 'uploads'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    ...overrides,
  });
}

/** Starts an app on a fresh database. Call `stop()` in afterAll. */
export async function startTestApp(options: { config?: Record<string, string>; database?: TestDatabase; logger?: Logger; mailer?: Mailer; jobPollSeconds?: number; lti?: LtiOptions; modules?: StageManifest[] } = {}): Promise<TestApp> {
  const database = options.database ?? (await openTestDatabase());
  const config = testConfig(options.config);
  const cadre = await createApp({ database, config, logger: options.logger ?? createLogger(config.logLevel), mailer: options.mailer, jobPollSeconds: options.jobPollSeconds, lti: options.lti, modules: options.modules });
  let listening = false;
  // Finished requests by id, and whoever waits for one that has not finished yet (bounded: the newest 500).
  const finished = new Map<string, RequestDone>();
  const waiting = new Map<string, (done: RequestDone) => void>();
  cadre.onRequestDone((done) => {
    finished.set(done.id, done);
    if (finished.size > 500) finished.delete(finished.keys().next().value as string);
    waiting.get(done.id)?.(done);
    waiting.delete(done.id);
  });
  const t: TestApp = {
    cadre,
    database,
    config,
    anonymous: () => request.agent(cadre.server),
    async loginAs(email) {
      const agent = request.agent(cadre.server);
      const res = await agent.post('/api/v1/session').send({ email, password: TEST_PASSWORD });
      if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return agent;
    },
    async csrf(agent, pagePath = '/login') {
      const res = await agent.get(pagePath);
      const m = /name="_csrf" value="([^"]+)"/.exec(res.text) ?? /name="csrf-token" content="([^"]+)"/.exec(res.text);
      if (!m) throw new Error(`no CSRF token on ${pagePath} (status ${res.status})`);
      // Handlebars escapes the token's "=", "/" and "+" like any text; the form sends it decoded.
      return m[1].replace(/&#x([0-9a-f]+);/gi, (_e, hex: string) => String.fromCharCode(parseInt(hex, 16))).replace(/&amp;/g, '&');
    },
    async statementsOf(res) {
      const id = res.headers['x-request-id'];
      if (!id) throw new Error('that response has no X-Request-Id');
      const done = finished.get(id) ?? (await new Promise<RequestDone>((resolve) => waiting.set(id, resolve)));
      return done.statements;
    },
    async mailTo(to, count = 1) {
      for (let waited = 0; ; waited += 20) {
        const mails = cadre.ctx.mailer.outbox.filter((m) => m.to === to);
        if (mails.length >= count) return mails[count - 1];
        if (waited > 5000) throw new Error(`no e-mail number ${count} to ${to} within 5 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async listen(port = 0) {
      if (!listening) {
        await new Promise<void>((resolve) => cadre.server.listen(port, '127.0.0.1', resolve));
        listening = true;
      }
      const addr = cadre.server.address();
      return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    },
    async stop() {
      await cadre.close();
      if (listening) {
        cadre.server.closeAllConnections();
        await new Promise<void>((resolve) => cadre.server.close(() => resolve()));
      }
      if (!options.database) await database.drop();
    },
  };
  return t;
}
