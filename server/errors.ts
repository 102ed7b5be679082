/** Errors a person can cause, each mapped to one HTTP status by the error middleware. */
import { asSentence } from './http/sentences';

/** A field-level problem: which field, and what to do about it. */
export type FieldProblem = { field: string; message: string };

/** Base class: `status` and a stable `code` for API clients. */
export class AppError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly code: string,
    public readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the input was wrong; `fields` names each field and the reason. */
export class ValidationError extends AppError {
  /** True when `message` only lists `fields` again (as `invalid()` writes it): a page then shows the fields alone. */
  public repeatsFields = false;
  constructor(message: string, fields: FieldProblem[] = []) {
    // Commands may name a problem with a fragment ("must be on or after the start date"): people read a sentence.
    super(message, 400, 'validation_failed', fields.map((f) => ({ field: f.field, message: asSentence(f.field, f.message) })));
  }
}

/** 401: not logged in. */
export class UnauthenticatedError extends AppError {
  constructor(message = 'Please log in to continue.') {
    super(message, 401, 'unauthenticated');
  }
}

/** 403: logged in, related to the object, but not allowed to do this. */
export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to do that.') {
    super(message, 403, 'forbidden');
  }
}

/** 404: no such object, or one the user may not know exists. */
export class NotFoundError extends AppError {
  constructor(what = 'That page') {
    super(`${what} could not be found.`, 404, 'not_found');
  }
}

/** 409: the object is not in a state that allows this (e.g. signing off twice). */
export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, 409, 'conflict');
  }
}

/** 409: a stage gate is closed; the message is the reason shown to the candidate. */
export class GateClosedError extends AppError {
  constructor(message: string) {
    super(message, 409, 'gate_closed');
  }
}

/** 413 / 415: an upload was refused. */
export class UploadError extends AppError {
  constructor(message: string, status: 400 | 413 | 415 = 400, field = 'file') {
    super(message, status, status === 413 ? 'file_too_large' : status === 415 ? 'unsupported_file_type' : 'bad_upload', [
      { field, message },
    ]);
  }
}

/**
 * 503: the file store (the S3 bucket, or the upload folder) did not answer, so a file could not be read or saved. A
 * person is told so in words; operators find `cause` (the network or server error) in the log.
 */
export class StorageUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super('Cadre cannot reach its file store just now, so files cannot be opened or saved. Nothing was changed; please try again in a few minutes.', 503, 'storage_unavailable');
    this.cause = cause;
  }
}

/** 429: too many attempts; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message, 429, 'rate_limited');
  }
}

// ─── Boot errors: Cadre refuses to start, with a named code (Fastify's FST_ERR_* style) ────────────────────────

/** Every code Cadre fails to boot (or to register a part) with, and what it means. */
export const BOOT_CODES = {
  CADRE_ERR_CONFIG: 'an environment variable is missing or invalid',
  CADRE_ERR_STAGE_NO_MANIFEST: 'a module folder has no default-exported manifest',
  CADRE_ERR_STAGE_KEY_MISMATCH: 'a manifest key differs from its folder name',
  CADRE_ERR_STAGE_BAD_KEY: 'a manifest key is not kebab-case',
  CADRE_ERR_STAGE_DUPLICATE_KEY: 'two manifests declare the same key',
  CADRE_ERR_STAGE_NO_TITLE: 'a manifest has no title',
  CADRE_ERR_STAGE_CAPABILITY_PREFIX: 'a capability does not start with its module key',
  CADRE_ERR_STAGE_BAD_GRANTEE: 'a capability grants a role that does not exist',
  CADRE_ERR_STAGE_REQUIREMENT_PREFIX: 'a requirement kind does not start with its module key',
  CADRE_ERR_STAGE_EVIDENCE_PREFIX: 'an evidence kind does not start with its module key',
  CADRE_ERR_STAGE_LEDGER_PREFIX: 'a ledger checker reads subject types that do not start with its module key',
  CADRE_ERR_STAGE_VIEWS_MISSING: 'a manifest names a views folder that does not exist',
  CADRE_ERR_STAGE_DEPENDENCY_MISSING: 'a manifest requires a module that is not installed',
  CADRE_ERR_STAGE_TABLES_MISSING: 'a module’s tables are not in the database',
  CADRE_ERR_STAGE_TABLE_PREFIX: 'a module’s table is not named with its key in snake case',
  CADRE_ERR_STAGE_MIGRATIONS_MISSING: 'a module declares tables but no migrations folder drizzle-kit made',
  CADRE_ERR_STAGE_BAD_PROGRAMME: 'a module’s place in the built-in programme is not a valid order and day window',
  CADRE_ERR_STAGE_BAD_LINK: 'a module’s admin link or menu entry is not a label with a path on this site',
  CADRE_ERR_POLICY_UNKNOWN_ACTION: 'a route or view asked about an action no policy or manifest declares',
  CADRE_ERR_ROUTE_NO_ANSWER: 'a JSON route returned without answering',
  CADRE_ERR_ROUTE_UNPRESENTED: 'a JSON route answered with a value that did not pass a presenter',
  CADRE_ERR_STORAGE_KEY: 'a stored file’s key points outside the upload folder',
  CADRE_ERR_STORAGE_UNREACHABLE: 'the file storage (the S3 bucket or the upload folder) cannot be reached or used',
} as const;

/** A code from the boot catalogue. */
export type BootCode = keyof typeof BOOT_CODES;

/** A programming or configuration error with a named code; never a person's fault, so never a 4xx. */
export class CadreError extends Error {
  constructor(
    public readonly code: BootCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = new.target.name;
  }
}

/** A stage manifest failed validation; `code` names the rule (CADRE_ERR_STAGE_*). */
export class StageLoadError extends CadreError {}

/** A policy was asked about an action nobody declared. */
export class PolicyError extends CadreError {
  constructor(action: string) {
    super('CADRE_ERR_POLICY_UNKNOWN_ACTION', action);
  }
}

/** The environment is wrong; `problems` names each bad variable. */
export class ConfigError extends CadreError {
  constructor(public readonly problems: string[]) {
    super('CADRE_ERR_CONFIG', `Cadre cannot start: fix these environment variables\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.message = `Cadre cannot start: fix these environment variables\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  }
}

// ─── PostgreSQL error codes, by name (no bare '23505' anywhere else) ───────────────────────────────────────────

/** The SQLSTATE codes Cadre reacts to. */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  notNullViolation: '23502',
  checkViolation: '23514',
  invalidTextRepresentation: '22P02',
  characterNotInRepertoire: '22021',
  untranslatableCharacter: '22P05',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  undefinedTable: '42P01',
} as const;

/** The SQLSTATE of a database error (Drizzle puts the driver's error at `cause`), or undefined. */
export function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when `err` is the database error named `name`. */
export function isPgError(err: unknown, name: keyof typeof PG): boolean {
  return pgCode(err) === PG[name];
}
