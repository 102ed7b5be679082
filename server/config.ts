/** Configuration read from environment variables and validated once at start. */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const bytes = z.coerce.number({ message: 'must be a number of bytes, such as 52428800' }).int('must be a whole number of bytes').positive('must be more than 0 bytes');

const proxyNames = ['loopback', 'linklocal', 'uniquelocal'];

/** True for an IP address, an address/prefix (CIDR) or one of express's names for address ranges. */
function proxyEntry(entry: string): boolean {
  if (proxyNames.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= max;
}

const trustProxy = z
  .string()
  .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean))
  .refine((list) => list.length > 0 && list.every(proxyEntry), {
    message: 'must be a comma-separated list of proxy addresses or ranges (such as 10.0.0.5, 10.0.0.0/8) or loopback, linklocal, uniquelocal',
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number({ message: 'must be a port number from 0 to 65535' }).int('must be a whole number').min(0, 'must be a port number from 0 to 65535').max(65535, 'must be a port number from 0 to 65535').default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  UPLOAD_DIR: z.string().min(1).default('./uploads'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Cadre <no-reply@cadre.test>'),
  LOG_LEVEL: z.enum(levels).default('info'),
  PUBLIC_URL: z.string().url('must be a full URL such as https://cadre.example.org').optional(),
  VIDEO_MAX_BYTES: bytes.default(2 * 1024 ** 3),
  EVIDENCE_MAX_BYTES: bytes.default(50 * 1024 ** 2),
  ZOOM_WEBHOOK_SECRET: z.string().min(8).optional(),
  SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
  TRUST_PROXY: trustProxy.optional(),
  VIEW_CACHE: z.enum(['on', 'off']).default('on'),
});

/** The validated configuration every part of Cadre receives. */
export type Config = {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  sessionSecret: string;
  uploadDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: (typeof levels)[number];
  publicUrl: string;
  videoMaxBytes: number;
  evidenceMaxBytes: number;
  zoomWebhookSecret: string | undefined;
  seedDemo: 'auto' | 'never';
  /** The reverse proxies whose X-Forwarded-For is believed; false: none (the client is the socket's peer). */
  trustProxy: string[] | false;
  /** Compiled templates kept between requests; `npm run dev` turns it off so edited views show at once. */
  viewCache: boolean;
};

/** Raised when the environment holds a value Cadre cannot start with; the message lists every bad variable. */
export { ConfigError };

/** Reads or creates the session secret kept beside the embedded database. */
function embeddedSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Validates `env` and returns the configuration, or throws ConfigError naming each bad variable. A server
 * (`serving`, the default) on PostgreSQL needs SESSION_SECRET; scripts that only read the database do not.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { serving?: boolean } = {}): Config {
  const blankToUndefined = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    // Echo the value given, except for variables that may hold passwords.
    const secretish = new Set(['SESSION_SECRET', 'DATABASE_URL', 'SMTP_URL', 'ZOOM_WEBHOOK_SECRET']);
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = i.path.join('.');
        return `${name}: ${i.message}${secretish.has(name) ? '' : ` (got "${String(blankToUndefined[name])}")`}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new ConfigError(['SESSION_SECRET: required when NODE_ENV=production (at least 32 random characters)']);
  }
  if (e.DATABASE_URL && !e.SESSION_SECRET && options.serving !== false) {
    throw new ConfigError([
      'SESSION_SECRET: required when DATABASE_URL is set. Every Cadre node on the shared database must sign session and CSRF cookies with the same secret, or a person logged in on one node is logged out (or refused) on another. Set the same value of at least 32 random characters on every node.',
    ]);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    sessionSecret: e.SESSION_SECRET ?? embeddedSecret(dataDir),
    uploadDir: path.resolve(e.UPLOAD_DIR),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    videoMaxBytes: e.VIDEO_MAX_BYTES,
    evidenceMaxBytes: e.EVIDENCE_MAX_BYTES,
    zoomWebhookSecret: e.ZOOM_WEBHOOK_SECRET,
    seedDemo: e.SEED_DEMO,
    trustProxy: e.TRUST_PROXY ?? false,
    viewCache: e.VIEW_CACHE === 'on',
  };
}
