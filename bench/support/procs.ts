/**
 * Processes for the HTTP bench: servers and the load generator each run in their own process, so the baseline is
 * not held back by sharing a CPU thread with autocannon, and each server's CPU can be read from /proc.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stop } from './spawn';

const root = path.resolve(__dirname, '../..');
/** Kernel clock ticks per second (utime and stime in /proc/<pid>/stat count these). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process has used so far, in ms; 0 for one that has gone. */
export function cpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are 14th and 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** A server in its own process. */
export type ServerProcess = { url: string; pid: number; child: ChildProcess; output(): string; stop(): Promise<void> };

/** Starts `script` (TypeScript, through tsx) and waits for it to print `ready` (default `READY <url>`; the url is its first group). */
export async function startServer(script: string, args: string[], env: NodeJS.ProcessEnv, options: { ready?: RegExp; url?: string; limitMs?: number; nodeFlags?: string[] } = {}): Promise<ServerProcess> {
  const limitMs = options.limitMs ?? 180_000;
  const ready = options.ready ?? /READY (\S+)/;
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', path.join(root, script), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not print READY within ${limitMs / 1000} s:\n${out.slice(-2000)}`)), limitMs);
    const check = () => {
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(options.url ?? m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready:\n${out.slice(-2000)}`));
    });
  });
  return { url, pid: child.pid as number, child, output: () => out, stop: () => stop(child) };
}

/** What one autocannon run measured. */
export type Load = { rps: number; p99Ms: number; requests: number; non2xx: number; errors: number };

/** Runs autocannon in its own process against `url` for `duration` seconds (after its own warm-up run). */
export async function load(url: string, options: { connections: number; duration: number; headers?: Record<string, string>; warmup?: number }): Promise<Load> {
  const run = (seconds: number) =>
    new Promise<Load>((resolve, reject) => {
      const args = [require.resolve('autocannon/autocannon.js'), '--json', '-c', String(options.connections), '-d', String(seconds), '-t', '20'];
      for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}=${v}`);
      args.push(url);
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => {
        try {
          const r = JSON.parse(out) as { requests: { total: number }; latency: { p99: number }; '2xx': number; non2xx: number; errors: number; duration: number };
          resolve({ rps: r['2xx'] / r.duration, p99Ms: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors });
        } catch {
          reject(new Error(`autocannon exited ${code}: ${err.slice(-500)}`));
        }
      });
    });
  if ((options.warmup ?? 2) > 0) await run(options.warmup ?? 2);
  const r = await run(options.duration);
  if (r.rps === 0) throw new Error(`${url} answered no 2xx (${r.non2xx} non-2xx, ${r.errors} errors)`);
  return r;
}

/** Load on `url` while reading the CPU that `pids()` used (the server, and PostgreSQL's backends when there): per request. */
export async function loadWithCpu(url: string, pids: () => Promise<number[]>, options: Parameters<typeof load>[1]): Promise<Load & { cpuMsPerRequest: number }> {
  // Warm up first; sample the CPU around the measured run only.
  if ((options.warmup ?? 2) > 0) await load(url, { ...options, duration: options.warmup ?? 2, warmup: 0 });
  const before = await pids();
  const cpu0 = new Map(before.map((p) => [p, cpuMs(p)]));
  const r = await load(url, { ...options, warmup: 0 });
  const after = await pids();
  let used = 0;
  for (const p of new Set([...before, ...after])) {
    const now = cpuMs(p);
    if (now > 0) used += now - (cpu0.get(p) ?? 0); // a backend that ended during the run is not counted
  }
  return { ...r, cpuMsPerRequest: used / Math.max(1, r.requests) };
}
