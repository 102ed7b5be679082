/** Two real Cadre node processes (tsx server/index.ts) on one PostgreSQL and one S3 bucket (the test peer, in this
 * process), with a failover load balancer on loopback in front of them: a candidate uploads evidence on A and a
 * mentor views it on B; a video uploaded on B streams with ranges from A; a live note from A reaches a candidate on
 * B; A is stopped with SIGTERM mid-session and both carry on through B — the mentor's socket reconnects through the
 * balancer and rejoins the room. Needs DATABASE_URL (the CI's PostgreSQL step): two nodes cannot share the embedded
 * database, so without it this file says so and skips. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ask, connected, loginCookie, openSocket, RoomFollower } from '../live/clients';
import { addStages, CLIP_DIR, programmeOf } from '../progression/support';
import { openTestDatabase, type TestDatabase } from '../support/db';
import type { TestApp } from '../support/app';
import { buildSignoffWorld, PDF, type SignoffWorld } from '../signoffs/support';
import { startS3Peer, type S3Peer } from '../support/s3-peer';

jest.setTimeout(120_000);
const root = path.resolve(__dirname, '../..');
const maybe = process.env.DATABASE_URL ? describe : describe.skip;
if (!process.env.DATABASE_URL) console.warn('test/cluster/nodes.test.ts skipped: set DATABASE_URL to a PostgreSQL server (two nodes cannot share the embedded database).');

type Node = { child: ChildProcessWithoutNullStreams; url: string; port: number; output: { text: string }; exit: Promise<number | null> };
type Session = { cookie: string; token: string };

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
        resolve({ child, url: `http://127.0.0.1:${m[1]}`, port: Number(m[1]), output, exit });
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    void exit.then((code) => reject(new Error(`node exited ${code}:\n${output.text}`)));
  });
}

/** A TCP load balancer on loopback: each connection goes to the first node that accepts it (A while it listens, then B). */
async function startBalancer(ports: number[]): Promise<{ url: string; close(): void }> {
  const server = net.createServer((client) => {
    client.on('error', () => client.destroy());
    const tryNode = (i: number) => {
      if (i >= ports.length) return client.destroy();
      const upstream = net.connect(ports[i], '127.0.0.1');
      // Refused (the node has stopped listening): try the next one.
      upstream.once('error', () => tryNode(i + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    tryNode(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** Logs in at `url` and returns the cookies a browser would then hold (session and CSRF) and the page's CSRF token. */
async function session(url: string, email: string): Promise<Session> {
  const login = await loginCookie(url, email);
  const page = await request(url).get('/cohorts').set('cookie', login);
  const set = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
  const names = new Set(set.map((c) => c.split('=')[0]));
  const cookie = [...login.split('; ').filter((c) => !names.has(c.split('=')[0])), ...set].join('; ');
  const token = (/name="_csrf" value="([^"]+)"/.exec(page.text) ?? /name="csrf-token" content="([^"]+)"/.exec(page.text))?.[1] as string;
  expect(token).toBeTruthy();
  return { cookie, token };
}

/** GET with a session (and optional headers), the body as bytes. */
async function get(url: string, s: Session, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers: { cookie: s.cookie, ...headers }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Starts a video upload to `url` and sends the first half of the file once the node has read the request's head
 * (its 100 Continue); `finish()` sends the rest and resolves with the answer. A request in flight, for the drain. */
function uploadInHalves(url: string, s: Session, fields: Record<string, string>, file: Buffer): Promise<{ finish(): Promise<{ status: number; connection?: string; body: string }> }> {
  const boundary = `cadre-${randomUUID()}`;
  const head = Buffer.from(
    Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.webm"\r\nContent-Type: video/webm\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const half = Math.floor(file.length / 2);
  const req = http.request(url, {
    method: 'POST',
    agent: false,
    headers: { cookie: s.cookie, 'x-csrf-token': s.token, accept: 'application/json', expect: '100-continue', 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + file.length + tail.length },
  });
  const answer = new Promise<{ status: number; connection?: string; body: string }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
  });
  return new Promise((resolve, reject) => {
    req.on('error', reject);
    req.on('continue', () => {
      req.write(Buffer.concat([head, file.subarray(0, half)]));
      resolve({
        finish: () => {
          req.end(Buffer.concat([file.subarray(half), tail]));
          return answer;
        },
      });
    });
  });
}

maybe('two app nodes on one PostgreSQL and one S3 bucket', () => {
  let peer: S3Peer;
  let database: TestDatabase;
  let w: SignoffWorld;
  let a: Node;
  let b: Node;
  let balancer: { url: string; close(): void };
  const sockets: RoomFollower[] = [];

  beforeAll(async () => {
    peer = await startS3Peer();
    database = await openTestDatabase();
    // The sign-off world reads only the database of the app it is given.
    w = await buildSignoffWorld({ database } as unknown as TestApp);
    await addStages(database.db, w.a.cohort.id, [{ moduleKey: 'preload-video', title: 'Pre-load video' }]);
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
    balancer = await startBalancer([a.port, b.port]);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    balancer?.close();
    for (const n of [a, b]) if (n && n.child.exitCode === null) n.child.kill('SIGKILL');
    await peer?.stop();
    await database?.drop();
  });

  it('shares files, videos and live notes across the nodes, and carries both users on through B once A is stopped', async () => {
    for (const n of [a, b]) {
      const ready = await fetch(`${n.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', database: 'postgres', storage: 's3' });
    }
    const candidateA = await session(a.url, w.a.candidate.email);
    // The mentor comes through the balancer, which sends them to A while A runs.
    const mentor = await session(balancer.url, w.a.mentor.email);
    const adminB = await session(b.url, w.admin.email);

    // Evidence uploaded through A lands in the shared bucket; the mentor views it through B, byte for byte.
    const before = peer.keys().length;
    const upload = await request(a.url)
      .post(`/api/v1/cohorts/${w.a.cohort.id}/candidates/${w.a.candidate.id}/signoffs`)
      .set('cookie', candidateA.cookie)
      .set('x-csrf-token', candidateA.token)
      .field('competencyId', w.code.D1)
      .field('reflection', 'I stayed calm, gave the resident space and offered two choices; it settled within a minute.')
      .attach('files', PDF, { filename: 'reflection.pdf', contentType: 'application/pdf' });
    expect(upload.status).toBe(201);
    expect(peer.keys().length).toBe(before + 1);
    expect(peer.keys().some((k) => k.startsWith('evidence/'))).toBe(true);
    const href = (upload.body.evidence as { href: string }[])[0].href;
    const viewed = await get(`${b.url}${href}`, mentor);
    expect(viewed.status).toBe(200);
    expect(viewed.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.compare(viewed.body, PDF)).toBe(0);
    // It stays private: another cohort's mentor is told it is not there, and the bucket refuses an unsigned read.
    expect((await get(`${b.url}${href}`, await session(b.url, w.b.mentor.email))).status).toBe(404);
    const stored = peer.keys().find((k) => k.startsWith('evidence/')) as string;
    expect((await fetch(`${peer.url}/${peer.bucket}/${stored}`)).status).toBe(403);

    // A video uploaded through B streams from A with ranges: 200 whole, 206 the exact bytes, 416 past the end.
    const clip = readFileSync(path.join(CLIP_DIR, 'first-minute.webm'));
    const video = await request(b.url)
      .post('/stages/preload-video/videos')
      .set('cookie', adminB.cookie)
      .set('x-csrf-token', adminB.token)
      .set('accept', 'application/json')
      .field('programmeId', await programmeOf(database.db, w.a.cohort.id))
      .field('title', 'The first minute')
      .attach('file', clip, { filename: 'first-minute.webm', contentType: 'video/webm' });
    expect(video.status).toBe(201);
    expect(video.body.video.published).toBe(true);
    const stream = `${a.url}/stages/preload-video/videos/${video.body.video.id}/stream`;
    const whole = await get(stream, candidateA);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.compare(whole.body, clip)).toBe(0);
    const part = await get(stream, candidateA, { range: 'bytes=1000-1999' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${clip.length}`);
    expect(Buffer.compare(part.body, clip.subarray(1000, 2000))).toBe(0);
    const tail = await get(stream, candidateA, { range: 'bytes=-100' });
    expect(tail.status).toBe(206);
    expect(Buffer.compare(tail.body, clip.subarray(clip.length - 100))).toBe(0);
    const past = await get(stream, candidateA, { range: `bytes=${clip.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${clip.length}`);

    // A live note written on A (the mentor, through the balancer) reaches the candidate connected to B.
    const room = await request(balancer.url).post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).set('cookie', mentor.cookie).set('x-csrf-token', mentor.token).send({ candidateId: w.a.candidate.id, title: 'Two nodes', quietMode: false });
    expect(room.status).toBe(201);
    const roomId = room.body.room.id as string;
    const candidateLive = new RoomFollower(openSocket(b.url, await loginCookie(b.url, w.a.candidate.email)), roomId, 'releaseSeq');
    const mentorLive = new RoomFollower(openSocket(balancer.url, mentor.cookie), roomId, 'seq');
    sockets.push(candidateLive, mentorLive);
    await Promise.all([connected(candidateLive.socket), connected(mentorLive.socket)]);
    await Promise.all([candidateLive.join(), mentorLive.join()]);
    const note = (body: string) => ask<{ seq: number }>(mentorLive.socket, 'live:note', { roomId, clientId: randomUUID(), body, kind: 'strength', tags: [] });
    expect((await note('Calm voice and open hands as you stepped in.')).seq).toBe(1);
    await candidateLive.waitFor(1);
    expect(candidateLive.notes[0].body).toBe('Calm voice and open hands as you stepped in.');

    // Node A is stopped mid-session while an admin's upload to it is half sent. A drains: it closes the live
    // transports (the mentor's socket drops), lets the upload finish — answered with Connection: close — and exits 0.
    // The mentor's socket reconnects through the balancer to B and rejoins the room; the next note still arrives.
    const programmeId = await programmeOf(database.db, w.a.cohort.id);
    const inFlight = await uploadInHalves(`${a.url}/stages/preload-video/videos`, adminB, { programmeId, title: 'Sent while A drains' }, clip);
    const dropped = new Promise<void>((resolve) => mentorLive.socket.once('disconnect', () => resolve()));
    const reconnected = new Promise<void>((resolve) => mentorLive.socket.io.once('reconnect', () => resolve()));
    a.child.kill('SIGTERM');
    await dropped;
    const finished = await inFlight.finish();
    expect(finished.status).toBe(201);
    expect(finished.connection).toBe('close');
    expect(JSON.parse(finished.body).video.title).toBe('Sent while A drains');
    expect(await a.exit).toBe(0);
    await expect(fetch(`${a.url}/readyz`)).rejects.toThrow();
    await reconnected;
    expect((await note('You named the feeling before offering a choice.')).seq).toBe(2);
    await candidateLive.waitFor(2);
    expect(candidateLive.notes.map((n) => n.seq)).toEqual([1, 2]);

    // Both carry on with the same logins through B: the mentor (balancer → B) views the evidence, the candidate watches on.
    expect((await get(`${balancer.url}${href}`, mentor)).status).toBe(200);
    expect((await get(`${b.url}/stages/preload-video/videos/${video.body.video.id}/stream`, candidateA, { range: 'bytes=0-99' })).status).toBe(206);
    expect((await get(`${b.url}/cohorts`, candidateA)).status).toBe(200);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  });
});
