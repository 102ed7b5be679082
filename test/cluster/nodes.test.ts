/** Two real Cadre node processes (tsx server/index.ts) on one PostgreSQL and one S3 bucket (the test peer, in this
 * process): both ready on S3; evidence uploaded through node A lands in the shared bucket; node A is stopped with
 * SIGTERM mid-session and the candidate carries on through node B with the same login. Needs DATABASE_URL (the
 * CI's PostgreSQL step): two nodes cannot share the embedded database, so without it this file says so and skips. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loginCookie } from '../live/clients';
import { openTestDatabase, type TestDatabase } from '../support/db';
import type { TestApp } from '../support/app';
import { buildSignoffWorld, type SignoffWorld } from '../signoffs/support';
import { startS3Peer, type S3Peer } from '../support/s3-peer';

jest.setTimeout(120_000);
const root = path.resolve(__dirname, '../..');
const maybe = process.env.DATABASE_URL ? describe : describe.skip;
if (!process.env.DATABASE_URL) console.warn('test/cluster/nodes.test.ts skipped: set DATABASE_URL to a PostgreSQL server (two nodes cannot share the embedded database).');

type Node = { child: ChildProcessWithoutNullStreams; url: string; output: { text: string }; exit: Promise<number | null> };

/** Starts a node and resolves once it prints its address. */
function startNode(env: NodeJS.ProcessEnv): Promise<Node> {
  const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'server/index.ts'], { cwd: root, env });
  const output = { text: '' };
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${output.text}`)), 90_000);
    const seen = (d: Buffer) => {
      output.text += d.toString();
      const m = /Cadre is running at http:\/\/localhost:(\d+)/.exec(output.text);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${m[1]}`, output, exit });
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    void exit.then((code) => reject(new Error(`node exited ${code}:\n${output.text}`)));
  });
}

maybe('two app nodes on one PostgreSQL and one S3 bucket', () => {
  let peer: S3Peer;
  let database: TestDatabase;
  let w: SignoffWorld;
  let a: Node;
  let b: Node;

  beforeAll(async () => {
    peer = await startS3Peer();
    database = await openTestDatabase();
    // The sign-off world reads only the database of the app it is given.
    w = await buildSignoffWorld({ database } as unknown as TestApp);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-cluster-'));
    const env = (name: string): NodeJS.ProcessEnv => ({
      ...process.env,
      ...peer.env,
      NODE_ENV: 'test',
      DATABASE_URL: database.url as string,
      SESSION_SECRET: 'the-same-secret-on-every-node-0123456789',
      SEED_DEMO: 'never',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: path.join(dir, name),
      UPLOAD_DIR: path.join(dir, name, 'uploads'),
    });
    // Started together: the migration lock lets one migrate while the other waits.
    [a, b] = await Promise.all([startNode(env('a')), startNode(env('b'))]);
  });

  afterAll(async () => {
    for (const n of [a, b]) if (n && n.child.exitCode === null) n.child.kill('SIGKILL');
    await peer?.stop();
    await database?.drop();
  });

  it('serves evidence uploaded on A from the shared bucket, and carries the session on through B once A is stopped', async () => {
    for (const n of [a, b]) {
      const ready = await fetch(`${n.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', database: 'postgres', storage: 's3' });
    }
    const login = await loginCookie(a.url, w.a.candidate.email);
    const page = await request(a.url).get('/cohorts').set('cookie', login);
    // The page may set a CSRF cookie beside the session's: carry both, as a browser would.
    const set = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
    const names = new Set(set.map((c) => c.split('=')[0]));
    const cookie = [...login.split('; ').filter((c) => !names.has(c.split('=')[0])), ...set].join('; ');
    const token = (/name="_csrf" value="([^"]+)"/.exec(page.text) ?? /name="csrf-token" content="([^"]+)"/.exec(page.text))?.[1] as string;
    expect(token).toBeTruthy();
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const before = peer.keys().length;
    const upload = await request(a.url)
      .post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`)
      .set('cookie', cookie)
      .set('x-csrf-token', token)
      .field('competencyId', w.code.D1)
      .field('reflection', 'I stayed calm, gave the resident space and offered two choices; it settled within a minute.')
      .attach('files', pdf, { filename: 'reflection.pdf', contentType: 'application/pdf' });
    expect(upload.status).toBeLessThan(300);
    expect(peer.keys().length).toBe(before + 1);
    expect(peer.keys().at(-1)).toMatch(/^evidence\//);

    // Node A is stopped mid-session: it exits cleanly, and the same login works on B.
    a.child.kill('SIGTERM');
    expect(await a.exit).toBe(0);
    const onB = await fetch(`${b.url}/cohorts`, { headers: { cookie }, redirect: 'manual' });
    expect(onB.status).toBe(200);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  });
});
