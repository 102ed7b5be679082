/** Configuration: defaults, and a message naming each bad variable; production requires SESSION_SECRET. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/config';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default (the project-level testTimeout is not applied).
jest.setTimeout(60_000);

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'cadre-config-'));
const secret = 'x'.repeat(40);

/** The problems loadConfig reports for `env`. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: tmp(), ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^Cadre cannot start: fix these environment variables/);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has working defaults and keeps a generated session secret in DATA_DIR', () => {
    const dir = tmp();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({ env: 'development', port: 3000, logLevel: 'info', databaseUrl: undefined, smtpUrl: undefined, seedDemo: 'auto', publicUrl: 'http://localhost:3000' });
    expect(config.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dir, 'session-secret'), 'utf8').trim()).toBe(config.sessionSecret);
    expect(loadConfig({ DATA_DIR: dir }).sessionSecret).toBe(config.sessionSecret); // the same on the next start
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATA_DIR: tmp(), PORT: '', SMTP_URL: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, smtpUrl: undefined, databaseUrl: undefined });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'mysql://localhost/cadre'],
    ['SESSION_SECRET', 'too-short'],
    ['SMTP_URL', 'http://mail.example.org'],
    ['LOG_LEVEL', 'verbose'],
    ['NODE_ENV', 'staging'],
    ['PUBLIC_URL', 'cadre.example.org'],
    ['VIDEO_MAX_BYTES', 'lots'],
    ['EVIDENCE_MAX_BYTES', '0'],
    ['ZOOM_WEBHOOK_SECRET', 'short'],
    ['SEED_DEMO', 'always'],
  ])('%s=%s is refused with a message naming the variable', (name, value) => {
    const found = problems({ [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${name}: .+`));
  });

  it('says what was given, except for values that may hold passwords', () => {
    expect(problems({ PORT: 'eighty' })).toEqual(['PORT: must be a port number from 0 to 65535 (got "eighty")']);
    expect(problems({ SESSION_SECRET: 'hunter2' })[0]).not.toContain('hunter2');
    expect(problems({ SMTP_URL: 'http://u:hunter2@mail' })[0]).not.toContain('hunter2');
  });

  it('names every bad variable at once', () => {
    const found = problems({ PORT: 'x', LOG_LEVEL: 'loud', SMTP_URL: 'nope' });
    expect(found.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT', 'SMTP_URL']);
  });

  it('requires SESSION_SECRET in production, and never writes one there', () => {
    const dir = tmp();
    expect(problems({ NODE_ENV: 'production', DATA_DIR: dir })).toEqual([expect.stringMatching(/^SESSION_SECRET: required when NODE_ENV=production/)]);
    expect(existsSync(path.join(dir, 'session-secret'))).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, SESSION_SECRET: secret }).sessionSecret).toBe(secret);
  });

  it('refuses to serve on PostgreSQL without a shared SESSION_SECRET, saying why (scripts may run without one)', () => {
    const dir = tmp();
    const found = problems({ DATA_DIR: dir, DATABASE_URL: 'postgres://db/cadre' });
    expect(found).toEqual([expect.stringMatching(/^SESSION_SECRET: required when DATABASE_URL is set\. Every Cadre node on the shared database must sign session and CSRF cookies with the same secret/)]);
    expect(existsSync(path.join(dir, 'session-secret'))).toBe(false); // nothing generated per node
    expect(loadConfig({ DATA_DIR: dir, DATABASE_URL: 'postgres://db/cadre' }, { serving: false }).databaseUrl).toBe('postgres://db/cadre');
  });

  it('trusts X-Forwarded-For only from the configured proxies (TRUST_PROXY), validated', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).trustProxy).toBe(false);
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    for (const bad of ['true', '1', '10.0.0.0/33', 'proxy.example.org', '10.0.0.1/8/2']) {
      expect(problems({ TRUST_PROXY: bad })).toEqual([expect.stringMatching(/^TRUST_PROXY: must be a comma-separated list of proxy addresses or ranges/)]);
    }
  });

  it('keeps files on the local disk by default, and on S3 when a bucket is named, validated together', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).storage).toEqual({ kind: 'local' });
    // Naming a bucket implies S3; an endpoint defaults the region and a trailing slash is dropped.
    expect(loadConfig({ DATA_DIR: tmp(), S3_BUCKET: 'cadre-files', S3_ENDPOINT: 'http://127.0.0.1:9000/', S3_FORCE_PATH_STYLE: 'true', AWS_ACCESS_KEY_ID: 'KEY', AWS_SECRET_ACCESS_KEY: 'hunter2-secret' }).storage).toEqual({
      kind: 's3',
      bucket: 'cadre-files',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'KEY', secretAccessKey: 'hunter2-secret' },
    });
    // Without keys the SDK's usual chain (instance role, AWS_PROFILE…) is used.
    expect(loadConfig({ DATA_DIR: tmp(), STORAGE: 's3', S3_BUCKET: 'cadre-files', S3_REGION: 'eu-west-2' }).storage).toMatchObject({ kind: 's3', region: 'eu-west-2', endpoint: undefined, forcePathStyle: false, credentials: undefined });
    // A half-configured bucket stops the node with a sentence naming the variable; it never falls back to the disk.
    expect(problems({ STORAGE: 's3' })).toEqual([expect.stringMatching(/^S3_BUCKET: required when STORAGE=s3/), expect.stringMatching(/^S3_REGION: required for AWS S3/)]);
    expect(problems({ S3_BUCKET: 'cadre-files' })).toEqual([expect.stringMatching(/^S3_REGION: required/)]);
    expect(problems({ S3_ENDPOINT: 'http://127.0.0.1:9000' })).toEqual([expect.stringMatching(/^S3_BUCKET: required when S3_ENDPOINT is set/)]);
    const keyOnly = problems({ S3_BUCKET: 'cadre-files', S3_REGION: 'eu-west-2', AWS_ACCESS_KEY_ID: 'KEY' });
    expect(keyOnly).toEqual([expect.stringMatching(/^AWS_SECRET_ACCESS_KEY: required when AWS_ACCESS_KEY_ID is set/)]);
    const secretOnly = problems({ S3_BUCKET: 'cadre-files', S3_REGION: 'eu-west-2', AWS_SECRET_ACCESS_KEY: 'hunter2-secret' });
    expect(secretOnly).toEqual([expect.stringMatching(/^AWS_ACCESS_KEY_ID: required/)]);
    expect(secretOnly.join(' ')).not.toContain('hunter2');
    for (const [name, value] of [['STORAGE', 'disk'], ['S3_BUCKET', 'Cadre_Files'], ['S3_ENDPOINT', 's3.example.net'], ['S3_REGION', 'EU West'], ['S3_FORCE_PATH_STYLE', 'yes']]) {
      expect(problems({ S3_BUCKET: 'cadre-files', S3_REGION: 'eu-west-2', [name]: value }).map((p) => p.split(':')[0])).toEqual([name]);
    }
  });

  it('accepts a PostgreSQL URL, an SMTP URL and a public URL', () => {
    const config = loadConfig({ DATA_DIR: tmp(), DATABASE_URL: 'postgresql://u:p@db:5432/cadre', SESSION_SECRET: secret, SMTP_URL: 'smtps://u:p@mail:465', PUBLIC_URL: 'https://cadre.example.org/', PORT: '8080' });
    expect(config).toMatchObject({ databaseUrl: 'postgresql://u:p@db:5432/cadre', smtpUrl: 'smtps://u:p@mail:465', publicUrl: 'https://cadre.example.org', port: 8080 });
  });
});
