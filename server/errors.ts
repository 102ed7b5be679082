/** Errors a person can cause, each mapped to one HTTP status by the error middleware. */

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
  constructor(message: string, fields: FieldProblem[] = []) {
    super(message, 400, 'validation_failed', fields);
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

/** 429: too many attempts; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message, 429, 'rate_limited');
  }
}
