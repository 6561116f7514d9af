/**
 * The one error type. `code` is the stable contract (clients and tests match on it);
 * the message is for people and may change. Every code is catalogued below with its
 * HTTP status, and docs/errors.md is checked against this table by a test.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, description: 'The request did not match the schema: unknown field, wrong type, missing or out-of-range value. `details` lists each problem with its path.' },
  invalid_json: { status: 400, description: 'The body is not valid JSON.' },
  invalid_cursor: { status: 400, description: 'The paging cursor is malformed or belongs to another listing.' },
  payload_too_large: { status: 413, description: 'The body is larger than the route accepts.' },
  unsupported_media_type: { status: 415, description: 'The Content-Type is not one the route accepts.' },
  unauthenticated: { status: 401, description: 'No valid API key or session was presented.' },
  invalid_credentials: { status: 401, description: 'The email and password do not match an active user.' },
  forbidden: { status: 403, description: "The caller's role does not allow this action." },
  not_found: { status: 404, description: 'No such resource (or the caller may not know it exists).' },
  route_not_found: { status: 404, description: 'No route answers this method and path.' },
  user_exists: { status: 409, description: 'A user with this email already exists.' },
  contact_exists: { status: 409, description: 'A contact with this (normalised) email already exists.' },
  field_exists: { status: 409, description: 'A custom field with this name already exists.' },
  list_exists: { status: 409, description: 'A list with this name already exists.' },
  invalid_filter: { status: 400, description: 'The segment filter tree is not valid: `details` lists each problem with the JSON pointer of the node.' },
  unknown_purpose: { status: 400, description: 'The processing purpose is not one the installation defines (see the `purposes` setting).' },
  rate_limited: { status: 429, description: 'Too many requests; retry after the time in the Retry-After header.' },
  mail_failed: { status: 502, description: 'The configured SMTP relay refused or could not be reached.' },
  not_ready: { status: 503, description: 'The service is starting or its database is not migrated yet.' },
  internal: { status: 500, description: 'An unexpected error; the request id in the logs names it.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
