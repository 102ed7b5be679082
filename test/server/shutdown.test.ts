/** `npm start` as a person runs it: seeds an empty embedded database, prints the URL and logins, stops cleanly on SIGTERM. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default (the project-level testTimeout is not applied).
jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../..');
const LOGINS = ['admin@cadre.test', 'mentor1@cadre.test', 'mentor2@cadre.test', 'lead@cadre.test', 'candidate1@cadre.test', 'candidate2@cadre.test', 'candidate3@cadre.test'];

/** Resolves with the output so far once `pattern` appears on stdout; rejects if the process exits first. */
function waitFor(child: ChildProcessWithoutNullStreams, output: { text: string }, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${pattern}; output:\n${output.text}`)), ms);
    const check = () => {
      const m = pattern.exec(output.text);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.off('exit', exited);
        resolve(m);
      }
    };
    const exited = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (code ${code}) before printing ${pattern}; output:\n${output.text}`));
    };
    child.stdout.on('data', check);
    child.once('exit', exited);
    check();
  });
}

describe('npm start', () => {
  it('seeds the demo on an empty database, prints the URL and logins, serves requests and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-start-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: '', // always the embedded database, even when the suite runs against PostgreSQL
      DATA_DIR: path.join(dir, 'data'),
      UPLOAD_DIR: path.join(dir, 'uploads'),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: '',
    };
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'server/index.ts'], { cwd: root, env });
    const output = { text: '' };
    child.stdout.on('data', (d: Buffer) => (output.text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output.text += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const started = Date.now();
      const [, url] = await waitFor(child, output, /Cadre is running at (http:\/\/localhost:\d+)/, 90_000);
      await waitFor(child, output, /candidate3@cadre\.test/, 60_000);
      const startMs = Date.now() - started;
      expect(output.text).toContain('Demo logins (password "cadre-demo")');
      for (const email of LOGINS) expect(output.text).toContain(email);

      const base = url.replace('localhost', '127.0.0.1');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@cadre.test', password: 'cadre-demo' }) });
      expect(login.status).toBe(200);
      const page = await fetch(`${base}/login`);
      expect(page.status).toBe(200);
      const loginPage = await page.text();
      expect(loginPage).toContain('Log in to Cadre');
      // The seeded provider names every page at once (not "Cadre" until the identity's next refresh).
      expect(loginPage).toContain('data-testid="brand">Calm Response Training<');

      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(startMs).toBeLessThan(90_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
