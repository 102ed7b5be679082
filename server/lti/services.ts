/** Calling a platform's LTI Advantage services: an OAuth 2 client-credentials token got with a JWT bearer client
 * assertion signed by the tool's key (cached until shortly before it expires), then the service request itself. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import type { ltiRegistrations } from '../db/tables';
import { signJwt } from './keys';

type Registration = Pick<typeof ltiRegistrations.$inferSelect, 'id' | 'clientId' | 'accessTokenUrl'>;

/** A platform answered a service call with an error (or could not be reached: status 0). */
export class PlatformError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly answer: string,
  ) {
    super(message);
    this.name = 'PlatformError';
  }

  /** True when trying again later may work (unreachable, 429, 5xx). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

const TIMEOUT_MS = 10_000;

/** Reads at most 2,000 characters of an answer (what is recorded and logged). */
export async function answerText(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 2000);
  } catch {
    return '';
  }
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new PlatformError(`The platform could not be reached at ${new URL(url).origin} (${err instanceof Error ? err.message : 'network error'}).`, 0, '');
  }
}

/** Service calls for every registration of one app, with their access tokens cached per registration and scopes. */
export class PlatformServices {
  private readonly tokens = new Map<string, { token: string; until: number }>();

  constructor(private readonly db: Db) {}

  /** An access token for `scopes` (client credentials with a signed client assertion). */
  async token(reg: Registration, scopes: string[]): Promise<string> {
    const key = `${reg.id}|${[...scopes].sort().join(' ')}`;
    const cached = this.tokens.get(key);
    if (cached && cached.until > Date.now()) return cached.token;
    const assertion = await signJwt(this.db, { iss: reg.clientId, sub: reg.clientId, aud: reg.accessTokenUrl, jti: randomUUID() }, 300);
    const res = await send(reg.accessTokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: scopes.join(' '),
      }).toString(),
    });
    const text = await answerText(res);
    if (!res.ok) throw new PlatformError(`The platform refused an access token (${res.status}).`, res.status, text);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new PlatformError('The platform’s token answer is not JSON.', 502, text);
    }
    if (typeof body.access_token !== 'string') throw new PlatformError('The platform’s token answer has no access_token.', 502, text);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    // Renew a minute early so a token never expires on the way.
    this.tokens.set(key, { token: body.access_token, until: Date.now() + Math.max(0, seconds - 60) * 1000 });
    return body.access_token;
  }

  /** A service request with a bearer token; a 401 gets a fresh token once. Non-2xx answers throw PlatformError. */
  async call(reg: Registration, scopes: string[], url: string, init: { method?: string; accept: string; contentType?: string; body?: unknown }): Promise<{ status: number; text: string; headers: Headers }> {
    for (let round = 0; round < 2; round++) {
      const token = await this.token(reg, scopes);
      const res = await send(url, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${token}`, accept: init.accept, ...(init.contentType ? { 'content-type': init.contentType } : {}) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await answerText(res);
      if (res.status === 401 && round === 0) {
        this.forget(reg.id);
        continue;
      }
      if (!res.ok) throw new PlatformError(`The platform answered ${res.status} to ${init.method ?? 'GET'} ${new URL(url).pathname}.`, res.status, text);
      return { status: res.status, text, headers: res.headers };
    }
    throw new PlatformError('The platform kept refusing Cadre’s access token.', 401, '');
  }

  /** Forgets a registration's cached tokens (after a 401, or when the registration changes). */
  forget(registrationId: string): void {
    for (const key of this.tokens.keys()) if (key.startsWith(`${registrationId}|`)) this.tokens.delete(key);
  }
}
