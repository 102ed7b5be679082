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

  it('accepts a PostgreSQL URL, an SMTP URL and a public URL', () => {
    const config = loadConfig({ DATA_DIR: tmp(), DATABASE_URL: 'postgresql://u:p@db:5432/cadre', SMTP_URL: 'smtps://u:p@mail:465', PUBLIC_URL: 'https://cadre.example.org/', PORT: '8080' });
    expect(config).toMatchObject({ databaseUrl: 'postgresql://u:p@db:5432/cadre', smtpUrl: 'smtps://u:p@mail:465', publicUrl: 'https://cadre.example.org', port: 8080 });
  });
});
