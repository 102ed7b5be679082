/** No 5xx from input, anywhere: every operation of the OpenAPI document and every socket event is sent hostile input
 * (NUL bytes, unpaired surrogates, unsupported charsets and encodings, malformed multipart, duplicated parameters,
 * broken percent-encoding) and must answer 4xx (or a success) — never 5xx, and never `internal` on a socket. A
 * documented body or socket payload made of invalid text must be refused by the one text rule (400 /
 * validation_failed naming the field). The sweep stays signed in (and sends the CSRF token), so every operation is
 * reached past sign-in: logging out mid-sweep once left most operations answering 401 and untested. */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { ask, connected, loginCookie, openSocket } from '../live/clients';
import { startTestApp, type TestApp } from '../support/app';
import { buildSignoffWorld, type SignoffWorld } from '../signoffs/support';

jest.setTimeout(240_000);

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; enum?: unknown[]; format?: string };
type Operation = { parameters?: { name: string; in: string; schema?: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> } };
type Doc = { paths: Record<string, Record<string, Operation>> };

const NUL = 'a\u0000b';
const SURROGATE = 'a\ud800b';
const HOSTILE_TEXT = [NUL, SURROGATE];
// In an address: a NUL, a lone surrogate's UTF-8-ish bytes, and broken percent-encoding.
const HOSTILE_SEGMENTS = ['%00', 'x%00y', '%ED%A0%80', '%E0%A4%A', '%', '..%2F..%2Fetc'];

let t: TestApp;
let w: SignoffWorld;
let base: string;
let doc: Doc;
const failures: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  w = await buildSignoffWorld(t);
  base = await t.listen();
  doc = (await t.anonymous().get('/api/openapi.json')).body as Doc;
});
afterAll(() => t.stop());

/** A plausible value for a path parameter, so requests reach the code behind the address checks. */
function paramValue(name: string): string {
  const known: Record<string, string> = { cohortId: w.a.cohort.id, userId: w.a.candidate.id, organisationId: w.a.org.id, candidateId: w.a.candidate.id };
  return known[name] ?? (/Id$/.test(name) ? randomUUID() : 'x');
}

/** A body in which every documented field (and one nested level) carries `bad`. */
function hostileBody(schema: Schema | undefined, bad: string): unknown {
  if (!schema?.properties) return { text: bad };
  return Object.fromEntries(
    Object.entries(schema.properties).map(([k, s]) => {
      const types = ([] as string[]).concat(s.type ?? s.anyOf?.flatMap((a) => a.type ?? []) ?? []);
      if (types.includes('array')) return [k, [s.items?.properties ? hostileBody(s.items, bad) : bad]];
      if (types.includes('object') && s.properties) return [k, hostileBody(s, bad)];
      return [k, bad];
    }),
  );
}

function record(what: string, status: number, body: unknown) {
  if (status >= 500) failures.push(`${what} → ${status} ${JSON.stringify(body).slice(0, 200)}`);
}

describe('every documented operation refuses hostile input with a 4xx', () => {
  it('answers no 5xx to hostile path segments, query values, bodies and headers', async () => {
    // Signed in as the provider's admin, with the session's CSRF token on every request (page forms need it), so each
    // request reaches the text rule instead of stopping at sign-in or CSRF. An operation that ends the session (log
    // out) is noted and the admin signs in again, so the operations after it are not all answered 401.
    let agent = await t.loginAs(w.admin.email);
    let token = await t.csrf(agent, '/cohorts');
    const endedSession: string[] = [];
    const notRefused: string[] = [];
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(ops.length).toBeGreaterThan(50);
    let previous = '';
    const stillSignedIn = async (after: string) => {
      if ((await agent.get('/api/v1/me')).status !== 401) return;
      endedSession.push(after);
      agent = await t.loginAs(w.admin.email);
      token = await t.csrf(agent, '/cohorts');
    };
    for (const { path, method, op } of ops) {
      await stillSignedIn(previous);
      previous = `${method.toUpperCase()} ${path}`;
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const url = (override?: [string, string]) => path.replace(/\{(\w+)\}/g, (_m, n: string) => (override && override[0] === n ? override[1] : encodeURIComponent(paramValue(n))));
      const send = (u: string) => (agent as unknown as Record<string, (u: string) => import('supertest').Test>)[method](u).set('x-csrf-token', token);
      // 1. Each path parameter, hostile.
      for (const name of names) {
        for (const seg of HOSTILE_SEGMENTS) {
          const u = url([name, seg]);
          const res = await send(u).send({});
          record(`${method.toUpperCase()} ${u}`, res.status, res.body);
        }
      }
      // 2. Each query parameter, hostile and duplicated.
      const queryNames = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      for (const q of [...queryNames, 'next', 'back']) {
        for (const bad of ['a%00b', 'a%ED%A0%80b', '%E0%A4%A']) {
          const u = `${url()}?${q}=${bad}`;
          const res = await send(u);
          record(`${method.toUpperCase()} ${u}`, res.status, res.body);
        }
        const dup = `${url()}?${q}=1&${q}=2&${q}=%00`;
        const res = await send(dup);
        record(`${method.toUpperCase()} ${dup}`, res.status, res.body);
      }
      if (method === 'get' || method === 'delete') continue;
      // 3. The documented body with every field hostile (JSON escapes keep the lone surrogate intact on the wire).
      const content = op.requestBody?.content ?? {};
      const schema = (content['application/json'] ?? content['multipart/form-data'])?.schema;
      for (const bad of HOSTILE_TEXT) {
        const raw = JSON.stringify(hostileBody(schema, bad)).replace(/\ud800/g, '\\ud800');
        const res = await send(url()).set('content-type', 'application/json').send(raw);
        record(`${method.toUpperCase()} ${url()} body ${JSON.stringify(bad)}`, res.status, res.body);
        // A documented body whose every field is invalid text is refused by the one text rule: 400 naming a field (a
        // page form re-shows the page with the sentence). A webhook checks its signature before reading the body.
        if (!Object.keys(schema?.properties ?? {}).length || path.startsWith('/webhooks/')) continue;
        const error = (res.body as { error?: { code?: string; fields?: { field: string }[] } } | undefined)?.error;
        const refused = path.startsWith('/api/') ? res.status === 400 && error?.code === 'validation_failed' && !!error.fields?.length : res.status === 400 && /must not contain a NUL character|contains a broken character/.test(res.text);
        if (!refused) notRefused.push(`${method.toUpperCase()} ${path} body ${JSON.stringify(bad)} → ${res.status} ${(res.text ?? '').slice(0, 160)}`);
      }
      // 4. Hostile headers: an unsupported charset and content encoding, a malformed multipart body.
      const headerCases: [string, Record<string, string>, string][] = [
        ['charset', { 'content-type': 'application/json; charset=utf-7' }, '{"a":"b"}'],
        ['charset (form)', { 'content-type': 'application/x-www-form-urlencoded; charset=klingon' }, 'a=b'],
        ['encoding', { 'content-type': 'application/json', 'content-encoding': 'compress' }, '{"a":"b"}'],
        ['gzip that is not', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'not gzip at all'],
        ['multipart without boundary', { 'content-type': 'multipart/form-data' }, '--x\r\n'],
        ['multipart malformed part header', { 'content-type': 'multipart/form-data; boundary=XyZ' }, '--XyZ\r\nContent-Disposition: form-data; name\r\nbroken header line\r\n\r\nvalue\r\n--XyZ--\r\n'],
        ['multipart cut short', { 'content-type': 'multipart/form-data; boundary=XyZ' }, '--XyZ\r\nContent-Disposition: form-data; name="reflection"\r\n\r\nunfinished'],
        ['multipart NUL field', { 'content-type': 'multipart/form-data; boundary=XyZ' }, '--XyZ\r\nContent-Disposition: form-data; name="reflection"\r\n\r\na\u0000b\r\n--XyZ--\r\n'],
      ];
      for (const [label, headers, body] of headerCases) {
        let req = send(url());
        for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
        const res = await req.send(body);
        record(`${method.toUpperCase()} ${url()} ${label}`, res.status, res.body);
      }
    }
    await stillSignedIn(previous);
    expect(failures).toEqual([]);
    expect(notRefused).toEqual([]);
    expect(endedSession).toEqual(['DELETE /api/v1/session']);
  });

  it('keeps pages free of 5xx for hostile next/back values and login e-mails', async () => {
    const anon = t.anonymous();
    for (const next of ['/\\evil.example/', '//evil.example', NUL, 'https://evil.example/']) {
      const res = await anon.get(`/login?next=${encodeURIComponent(next)}&next=/x`);
      record(`GET /login?next=${next}`, res.status, res.text);
    }
    const api = await anon.post('/api/v1/session').send(JSON.stringify({ email: `a${NUL}@example.test`, password: 'x' })).set('content-type', 'application/json');
    expect(api.status).toBe(400);
    expect(api.body.error.fields[0].field).toBe('email');
    expect(failures).toEqual([]);
  });
});

describe('every page and form outside the OpenAPI document refuses hostile input', () => {
  it('answers no 5xx to hostile path segments and query values, and re-shows invalid text in a form as a sentence', async () => {
    // The core's pages and forms (names, reflections, decisions, waivers, passwords, admin forms) are not in the
    // OpenAPI document; the registry lists them. Signed in as the admin, CSRF token sent, signed in again after a log-out.
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m} ${p.replace(/\{(\w+)\}/g, ':$1')}`)));
    // LTI's browser steps check the launch before reading anything else (test/lti/refusals.test.ts).
    const routes = t.cadre.routes.routes.filter((r) => !documented.has(`${r.method} ${r.path}`) && !r.path.startsWith('/webhooks/') && !/^\/lti\/(enter|connect)$/.test(r.path));
    expect(routes.filter((r) => r.method === 'post').length).toBeGreaterThan(20);
    let agent = await t.loginAs(w.admin.email);
    let token = await t.csrf(agent, '/cohorts');
    const endedSession: string[] = [];
    const notRefused: string[] = [];
    const stillSignedIn = async (after: string) => {
      if ((await agent.get('/api/v1/me')).status !== 401) return;
      endedSession.push(after);
      agent = await t.loginAs(w.admin.email);
      token = await t.csrf(agent, '/cohorts');
    };
    let previous = '';
    let formsChecked = 0;
    for (const route of routes) {
      await stillSignedIn(previous);
      previous = `${route.method.toUpperCase()} ${route.path}`;
      const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      // Values the address accepts, so the body reaches the text rule (a role nobody holds: nothing is removed).
      const value = (n: string) => ({ requirement: 'experience', role: 'observer' })[n] ?? paramValue(n);
      const url = (override?: [string, string]) => route.path.replace(/:(\w+)/g, (_m, n: string) => (override && override[0] === n ? override[1] : encodeURIComponent(value(n))));
      const send = (u: string) => (agent as unknown as Record<string, (u: string) => import('supertest').Test>)[route.method](u).set('x-csrf-token', token);
      for (const name of names) {
        for (const seg of HOSTILE_SEGMENTS) {
          const res = await send(url([name, seg]));
          record(`${route.method.toUpperCase()} ${url([name, seg])}`, res.status, res.text);
        }
      }
      for (const q of ['next', 'back', 'q', 'page']) {
        for (const bad of ['a%00b', '%E0%A4%A', `1&${q}=2&${q}=%00`]) {
          const res = await send(`${url()}?${q}=${bad}`);
          record(`${route.method.toUpperCase()} ${url()}?${q}=${bad}`, res.status, res.text);
        }
      }
      if (route.method === 'get') continue;
      await stillSignedIn(previous); // the query values above may have logged out (POST /logout)
      // The form's own fields, each a NUL — as a browser sends a form — and each a lone surrogate in JSON (a form
      // cannot carry one in UTF-8). A route that declares no fields reads none (log out), as in the API sweep.
      const shape = (route.doc?.body as { shape?: Record<string, unknown> } | undefined)?.shape;
      if (!shape || !Object.keys(shape).length) continue;
      const fields = Object.keys(shape);
      formsChecked += 1;
      const bodies: [string, string, string][] = [
        ['NUL', 'application/x-www-form-urlencoded', [...fields.map((f) => `${encodeURIComponent(f)}=a%00b`), `_csrf=${encodeURIComponent(token)}`].join('&')],
        ['surrogate', 'application/json', JSON.stringify(Object.fromEntries(fields.map((f) => [f, SURROGATE]))).replace(/\ud800/g, '\\ud800')],
      ];
      for (const [label, type, body] of bodies) {
        const res = await send(url()).set('content-type', type).send(body);
        record(`${route.method.toUpperCase()} ${url()} ${label}`, res.status, res.text);
        const error = (res.body as { error?: { code?: string; fields?: unknown[] } } | undefined)?.error;
        const refused = res.status === 400 && (/must not contain a NUL character|contains a broken character/.test(res.text) || (error?.code === 'validation_failed' && !!error.fields?.length));
        if (!refused) notRefused.push(`${route.method.toUpperCase()} ${route.path} ${label} → ${res.status} ${(res.text.split("<main")[1] ?? res.text).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").slice(0, 200)}`);
      }
    }
    await stillSignedIn(previous);
    expect(failures).toEqual([]);
    expect(notRefused).toEqual([]);
    expect(endedSession).toEqual(['POST /logout']);
    expect(formsChecked).toBeGreaterThanOrEqual(20);
  });
});

describe('every socket event refuses hostile payloads without `internal`', () => {
  let socket: Socket;
  afterAll(() => socket?.close());

  it('answers hostile text with validation_failed naming the field, and never internal', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const room = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'Fuzzed room' });
    expect(room.status).toBe(201);
    const roomId = (room.body.room?.id ?? room.body.id) as string;
    socket = openSocket(base, await loginCookie(base, w.a.mentor.email));
    await connected(socket);
    // Every event the server registered for this connection.
    const serverSocket = [...t.cadre.io.of('/').sockets.values()][0];
    const events = serverSocket.eventNames().map(String).filter((e) => !['disconnect', 'disconnecting', 'error'].includes(e));
    expect(events.length).toBeGreaterThan(3);
    const fields = ['roomId', 'clientId', 'body', 'text', 'kind', 'criterionId', 'tags', 'segment', 'candidateId', 'afterSeq', 'upToReleaseSeq', 'seen', 'quietMode', 'atOffsetMs'];
    const problems: string[] = [];
    for (const event of events) {
      const payloads: unknown[] = [NUL, { roomId: NUL }, { roomId: SURROGATE }, [NUL], null];
      for (const bad of HOSTILE_TEXT) payloads.push({ ...Object.fromEntries(fields.map((f) => [f, bad])), roomId });
      for (const bad of HOSTILE_TEXT) payloads.push({ roomId, clientId: randomUUID(), body: bad, kind: 'observation', tags: [bad] });
      for (const payload of payloads) {
        const answer = await ask<{ error?: { code: string; fields?: { field: string }[] } }>(socket, event, payload).catch((err: Error) => ({ error: { code: `no answer: ${err.message}`, fields: [] } }));
        if (answer.error?.code === 'internal' || answer.error?.code.startsWith('no answer')) problems.push(`${event} ${JSON.stringify(payload).slice(0, 120)} → ${answer.error.code}`);
        // Invalid text is refused by the one text rule, naming the field, before anything else is looked at.
        else if (payload !== null && !(answer.error?.code === 'validation_failed' && answer.error.fields?.length)) problems.push(`${event} ${JSON.stringify(payload).slice(0, 120)} → ${JSON.stringify(answer).slice(0, 120)}, not validation_failed naming a field`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refuses an oversized note by name and keeps the connection (a disconnect would make the outbox resend it forever)', async () => {
    const mentor = await t.loginAs(w.a.mentor.email);
    const room = await mentor.post(`/api/v1/cohorts/${w.a.cohort.id}/live-rooms`).send({ candidateId: w.a.candidate.id, title: 'Oversized room' });
    const roomId = (room.body.room?.id ?? room.body.id) as string;
    const huge = await ask<{ error?: { code: string; fields?: { field: string }[] } }>(socket, 'live:note', { roomId, clientId: randomUUID(), body: 'x'.repeat(200_000), kind: 'observation', tags: [] });
    expect(huge.error?.code).toBe('validation_failed');
    expect(huge.error?.fields?.map((f) => f.field)).toContain('body');
    expect(socket.connected).toBe(true);
  });
});
