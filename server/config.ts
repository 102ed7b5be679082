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
  STORAGE: z.enum(['local', 's3'], { message: 'must be local or s3' }).optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots or hyphens')
    .optional(),
  S3_ENDPOINT: z.string().regex(/^https?:\/\/[^\s/]+/, 'must be a URL such as https://s3.eu-west-2.amazonaws.com or http://127.0.0.1:9000').optional(),
  S3_REGION: z.string().regex(/^[a-z0-9-]{2,40}$/, 'must be a region name such as eu-west-2').optional(),
  AWS_REGION: z.string().optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false'),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_SESSION_TOKEN: z.string().optional(),
  STATEMENTS_HEADER: z.enum(['on', 'off']).default('off'),
});

/** Where evidence files and videos are kept: the local disk (UPLOAD_DIR) or an S3-compatible bucket. */
export type StorageConfig =
  | { kind: 'local' }
  | {
      kind: 's3';
      bucket: string;
      /** Unset: AWS's own endpoint for the region. */
      endpoint: string | undefined;
      region: string;
      /** Addresses objects as endpoint/bucket/key (most S3-compatible servers) instead of bucket.endpoint/key. */
      forcePathStyle: boolean;
      /** Unset: the SDK's default chain (AWS_PROFILE, web identity, container or instance role). */
      credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
    };

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
  storage: StorageConfig;
  /** Each answer carries X-Cadre-Statements, the SQL statements it sent (for benchmarks; off by default). */
  statementsHeader: boolean;
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
    const secretish = new Set(['SESSION_SECRET', 'DATABASE_URL', 'SMTP_URL', 'ZOOM_WEBHOOK_SECRET', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
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
  const storage = storageConfig(e);
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
    storage,
    statementsHeader: e.STATEMENTS_HEADER === 'on',
  };
}

/** STORAGE, or S3 when S3_BUCKET is set; the S3 settings checked together (a half-configured bucket never falls back to disk). */
function storageConfig(e: z.infer<typeof envSchema>): StorageConfig {
  const kind = e.STORAGE ?? (e.S3_BUCKET ? 's3' : 'local');
  if (kind === 'local') {
    if (!e.STORAGE && e.S3_ENDPOINT) throw new ConfigError(['S3_BUCKET: required when S3_ENDPOINT is set (name the bucket for evidence and videos, or unset S3_ENDPOINT to keep files in UPLOAD_DIR)']);
    return { kind: 'local' };
  }
  const problems: string[] = [];
  if (!e.S3_BUCKET) problems.push('S3_BUCKET: required when STORAGE=s3 (the bucket that keeps evidence files and videos)');
  if (e.AWS_ACCESS_KEY_ID && !e.AWS_SECRET_ACCESS_KEY) problems.push('AWS_SECRET_ACCESS_KEY: required when AWS_ACCESS_KEY_ID is set');
  if (e.AWS_SECRET_ACCESS_KEY && !e.AWS_ACCESS_KEY_ID) problems.push('AWS_ACCESS_KEY_ID: required when AWS_SECRET_ACCESS_KEY is set');
  const region = e.S3_REGION ?? e.AWS_REGION ?? (e.S3_ENDPOINT ? 'us-east-1' : undefined);
  if (!region) problems.push('S3_REGION: required for AWS S3 (such as eu-west-2); with S3_ENDPOINT it defaults to us-east-1');
  if (problems.length || !e.S3_BUCKET || !region) throw new ConfigError(problems);
  return {
    kind: 's3',
    bucket: e.S3_BUCKET,
    endpoint: e.S3_ENDPOINT?.replace(/\/$/, ''),
    region,
    forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
    credentials:
      e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY, ...(e.AWS_SESSION_TOKEN ? { sessionToken: e.AWS_SESSION_TOKEN } : {}) }
        : undefined,
  };
}
