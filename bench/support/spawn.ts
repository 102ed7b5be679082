/** Child processes for cold-start timing: free ports, spawning, and polling until the first 200. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free loopback port. */
export function freePort(): Promise<number> {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` every 25 ms until it answers 200; resolves with the time since `since` in ms. */
export async function waitFor200(url: string, since: number, child: ChildProcess, limitMs = 120_000): Promise<number> {
  while (performance.now() - since < limitMs) {
    if (child.exitCode !== null) throw new Error(`the process exited (code ${child.exitCode}) before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  throw new Error(`${url} did not answer 200 within ${limitMs} ms`);
}

/** Spawns `command args` and runs `measure` with the start time and the child (its output is added to any error), then
 * stops the process (SIGTERM, then SIGKILL). */
async function whileRunning<T>(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }, measure: (started: number, child: ChildProcess) => Promise<T>): Promise<T> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  try {
    return await measure(started, child);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${output.slice(-2000)}`);
  } finally {
    await stop(child);
  }
}

/** Spawns `command args`, times until `url` first answers 200, then stops the process. */
export function timeToFirst200(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; url: string }): Promise<number> {
  return whileRunning(command, args, options, (started, child) => waitFor200(options.url, started, child));
}

/** Stops a child: SIGTERM, and SIGKILL after 10 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A first start timed twice: to the first page (GET /login answers 200) and to the first login (a demo person's
 * POST /api/v1/session answers 200, so the demo data is in). Stops the process after. */
export function timeFirstStart(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; base: string; email: string; password: string }): Promise<{ firstPageMs: number; firstLoginMs: number }> {
  return whileRunning(command, args, options, async (started, child) => {
    const firstPageMs = await waitFor200(`${options.base}/login`, started, child);
    for (;;) {
      if (performance.now() - started > 120_000) throw new Error('the demo login did not answer 200 within 120 s');
      const res = await fetch(`${options.base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: options.email, password: options.password }) });
      await res.arrayBuffer();
      if (res.status === 200) return { firstPageMs, firstLoginMs: performance.now() - started };
      await sleep(25);
    }
  });
}
