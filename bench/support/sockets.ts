/** Memory per 1,000 idle sockets: connect N clients to a child server and read its memory before and after (bench/run.ts
 * connects 3,000: at 1,000 the bare server's growth fits in pages its process already had). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { io as connectIo, type Socket } from 'socket.io-client';
import { stop } from './spawn';

const root = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function measure(child: ChildProcess): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as NodeJS.MemoryUsage));
    child.send('measure');
  });
}

/** RSS and heap growth of the server, in MB per 1,000 idle sockets. */
export type SocketMemory = { rssMbPer1000: number; heapMbPer1000: number; connected: number };

/** Starts `mode` in a child, connects `count` websocket clients (with the session cookie for Cadre), measures, cleans up. */
export async function socketMemory(mode: 'bare' | 'cadre', count = 1000): Promise<SocketMemory> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'socket-server.ts'), mode], { cwd: root, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const sockets: Socket[] = [];
  try {
    const ready = await new Promise<{ url: string; cookie?: string }>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READY (\S+) (\S+)/.exec(out);
        if (m) resolve({ url: m[1], cookie: m[2] === '-' ? undefined : decodeURIComponent(m[2]) });
      });
      child.once('exit', (code) => reject(new Error(`socket server (${mode}) exited with ${code}`)));
    });
    await sleep(500);
    const before = await measure(child);
    for (let i = 0; i < count; i += 100) {
      const batch = Array.from({ length: Math.min(100, count - i) }, () => {
        const s = connectIo(ready.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: ready.cookie ? { cookie: ready.cookie } : {} });
        sockets.push(s);
        return new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        });
      });
      await Promise.all(batch);
    }
    await sleep(2000);
    const after = await measure(child);
    const per1000 = (bytes: number) => (bytes / 1024 ** 2) * (1000 / count);
    return { rssMbPer1000: per1000(after.rss - before.rss), heapMbPer1000: per1000(after.heapUsed - before.heapUsed), connected: sockets.filter((s) => s.connected).length };
  } finally {
    for (const s of sockets) s.close();
    await stop(child);
  }
}
