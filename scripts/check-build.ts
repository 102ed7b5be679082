/**
 * `npm run check:build` (CI, after `npm run build`): proves the production build runs on its own. Starts
 * `node dist/server/index.js` on an empty DATA_DIR (template copy, migrations, demo seed), waits for the login page,
 * logs in as a demo candidate, reads their progress page and a module's page and stylesheet, then stops it with
 * SIGTERM and expects a clean exit. Prints the time to the first page.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, stop, waitFor200 } from '../bench/support/spawn';

const root = path.resolve(__dirname, '..');

function fail(message: string, output: string): never {
  console.error(`check:build: ${message}\n--- server output ---\n${output.slice(-3000)}`);
  process.exit(1);
}

async function main() {
  const entry = path.join(root, 'dist', 'server', 'index.js');
  if (!existsSync(entry)) fail('dist/server/index.js is missing: run npm run build first', '');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-check-build-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, NODE_ENV: 'development', DATABASE_URL: '', SESSION_SECRET: '', DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  const started = performance.now();
  // Run from another folder: the build must not depend on the working directory.
  const child = spawn(process.execPath, [entry], { cwd: os.tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const firstPage = await waitFor200(`${base}/login`, started, child, 60_000).catch((err: Error) => fail(err.message, output));
    const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'candidate1@cadre.test', password: 'cadre-demo' }) });
    if (login.status !== 200) fail(`demo login answered ${login.status}`, output);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const home = await fetch(`${base}/me/progress`, { headers: { cookie }, redirect: 'manual' });
    const timeline = home.headers.get('location') ?? '';
    const cohort = /^\/cohorts\/([^/]+)\/candidates\//.exec(timeline)?.[1];
    if (!cohort) fail(`/me/progress answered ${home.status} to ${timeline || 'nowhere'}, not the candidate's timeline`, output);
    const progress = await fetch(`${base}${timeline}`, { headers: { cookie } });
    if (progress.status !== 200 || !(await progress.text()).includes('you are at')) fail(`the progress page answered ${progress.status} without the candidate's stages`, output);
    const player = await fetch(`${base}/cohorts/${cohort}/stages/preload-video`, { headers: { cookie } });
    if (player.status !== 200 || !(await player.text()).includes('data-testid="video-player"')) fail(`the pre-load module page answered ${player.status}`, output);
    const css = await fetch(`${base}/static/css/app.css`);
    if (css.status !== 200) fail(`/static/css/app.css answered ${css.status}`, output);
    await stop(child);
    if (child.exitCode !== 0) fail(`the server exited ${child.exitCode ?? child.signalCode} after SIGTERM`, output);
    console.log(`check:build: the built server answered; first page after ${Math.round(firstPage)} ms on an empty DATA_DIR`);
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
