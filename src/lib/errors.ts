/**
 * The one error type. `code` is the stable contract (clients and tests match on it);
 * the message is for people and may change. Every code is catalogued below with its
 * HTTP status, and docs/errors.md is checked against this table by a test.
 */
export const ERROR_CODES = {
  validation_failed: {
    status: 400,
    description:
      'The request did not match the schema: unknown field, wrong type, missing or out-of-range value. `details` lists each problem ' +
      'with its path.',
  },
  invalid_json: { status: 400, description: 'The body is not valid JSON.' },
  bad_request: {
    status: 400,
    description:
      'The HTTP request could not be read: a malformed request line or header, no Host header, a body both chunked and sized, or a ' +
      'path whose percent-encoding is not UTF-8. Answered before any route runs.',
  },
  invalid_cursor: { status: 400, description: 'The paging cursor is malformed or belongs to another listing.' },
  payload_too_large: { status: 413, description: 'The body is larger than the route accepts.' },
  unsupported_media_type: { status: 415, description: 'The Content-Type is not one the route accepts.' },
  unsupported_encoding: {
    status: 415,
    description:
      'The file is not text in an encoding the import reads (UTF-8 with or without BOM, UTF-16 LE/BE, Windows-1252/Latin-1), a ' +
      '`charset` names an unknown encoding, or the bytes are not valid in the declared or detected one (a file mixing encodings ' +
      'too). Nothing is guessed or replaced: save the file as UTF-8 and send it again.',
  },
  header_too_large: {
    status: 431,
    description: 'The request line and headers together are too large (16 KiB; a long query string counts too).',
  },
  uri_too_long: { status: 414, description: 'A path segment is longer than any route accepts.' },
  request_timeout: { status: 408, description: 'The request did not arrive in time; the connection is closed.' },
  expectation_failed: { status: 417, description: 'The request has an `Expect` header the server does not meet (only `100-continue` is).' },
  unauthenticated: { status: 401, description: 'No valid API key or session was presented.' },
  invalid_credentials: { status: 401, description: 'The email and password do not match an active user.' },
  forbidden: { status: 403, description: "The caller's role does not allow this action." },
  not_found: { status: 404, description: 'No such resource (or the caller may not know it exists).' },
  route_not_found: { status: 404, description: 'No route answers this method and path.' },
  scoring_model_not_found: { status: 404, description: 'No scoring model has this id (it may have been deleted).' },
  user_exists: { status: 409, description: 'A user with this email already exists.' },
  contact_exists: { status: 409, description: 'A contact with this email already exists (addresses compare without regard to case).' },
  field_exists: { status: 409, description: 'A custom field with this name already exists.' },
  list_exists: { status: 409, description: 'A list with this name already exists.' },
  suppressed: {
    status: 409,
    description:
      'The address belongs to an erased person and is suppressed: it cannot be created, imported or submitted again until an admin ' +
      'lifts the suppression (`DELETE /api/v1/suppressions?email=…`).',
  },
  entity_exists: { status: 409, description: 'A custom entity with this name already exists.' },
  name_taken: {
    status: 409,
    description:
      'The name would make a table, index or column whose name the database already uses for something else (for example an object ' +
      'made outside Assent); `details` name it. Choose another name.',
  },
  link_invalid: {
    status: 404,
    description: 'The link is forged, altered, expired, or its download was removed; the same answer in every case, so it reveals nothing.',
  },
  invalid_filter: {
    status: 400,
    description: 'The segment filter tree is not valid: `details` lists each problem with the JSON pointer of the node.',
  },
  filter_reference_unknown: {
    status: 422,
    description:
      'The filter is well formed but names something that does not exist (the scoring model of a `score` condition): `details` ' +
      'lists each with the JSON pointer of the node (`/and/1/score/modelId`).',
  },
  segment_unevaluable: {
    status: 409,
    description:
      'The segment cannot be evaluated against the database as it is now: `details.reason` is `filter_invalid` (the saved filter no ' +
      'longer passes validation, e.g. a custom field it names was removed; `details.problems` lists them) or `query_failed` (the ' +
      'database refused the query, e.g. a column was dropped outside the application). Change or delete the segment.',
  },
  unknown_purpose: { status: 400, description: 'The processing purpose is not one the installation defines (see the `purposes` setting).' },
  request_not_verified: {
    status: 409,
    description:
      'The data-subject request is not verified: nothing is released, changed or deleted before the requester has confirmed the ' +
      'address (or staff have vouched for them).',
  },
  request_closed: { status: 409, description: 'The data-subject request is completed or rejected; it cannot change any more.' },
  invalid_status_change: {
    status: 409,
    description:
      'The data-subject request cannot move from its current status to the one asked (see the status rules in the API description), ' +
      'or another change moved it first.',
  },
  already_extended: {
    status: 409,
    description: 'The deadline of this data-subject request was already extended; it can be extended once.',
  },
  erasure_residue_open: {
    status: 409,
    description:
      'The erasure of this data-subject request left residue, and tasks for the privacy officer about it are still open (`GET ' +
      '/api/v1/tasks?request=…`); the case is completed once they are done.',
  },
  webhook_target_refused: {
    status: 400,
    description:
      'The webhook URL may not be used: not https (plain http needs ASSENT_WEBHOOK_ALLOW_HTTP=true), carries credentials or a ' +
      'fragment, or names (or, at delivery, resolves to) a loopback, private, link-local, carrier-grade NAT or metadata address ' +
      'that the installation does not allow (ASSENT_WEBHOOK_ALLOW_RANGES).',
  },
  campaign_state: {
    status: 409,
    description:
      'The campaign is not in a state this change applies to: pause a sending campaign, resume a paused one, cancel one that has ' +
      'not ended. `details.status` names its state now.',
  },
  rate_limited: { status: 429, description: 'Too many requests; retry after the time in the Retry-After header.' },
  mail_failed: { status: 502, description: 'The configured SMTP relay refused or could not be reached.' },
  smtp_not_set: {
    status: 409,
    description: 'No SMTP relay is set (mail is kept in the local outbox): set `smtp` in the settings before testing it.',
  },
  not_ready: { status: 503, description: 'The service is starting or its database is not migrated yet.' },
  shutting_down: {
    status: 503,
    description: 'The server is shutting down and takes no new requests; retry (another instance may answer).',
  },
  database_unavailable: {
    status: 503,
    description:
      'The database cannot serve right now: the server is down, restarting or unreachable, or (SQLite) another process held the ' +
      'write lock past the busy timeout. Retry after the seconds in the Retry-After header. A change whose connection was cut while ' +
      'it committed may have been made: read before repeating one that is not idempotent.',
  },
  write_conflict: {
    status: 503,
    description:
      'The change collided with concurrent changes of the same rows (the database chose it as a deadlock victim, or could not ' +
      'serialise it) and still did after a few tries; nothing of it was written. Retry after the seconds in the Retry-After header.',
  },
  report_invalid: {
    status: 422,
    description:
      'The message is not a delivery status notification (RFC 3464) or feedback report (RFC 5965) that can be read: `details.reason` ' +
      'is `empty`, `too_large`, `unreadable` (not MIME), `not_a_report` (not multipart/report), `unsupported_report_type`, ' +
      '`missing_report_part` or `malformed_report` (no recipient with a readable action and status, or no feedback type).',
  },
  internal: { status: 500, description: 'An unexpected error; the request id in the logs names it.' },
  template_invalid: {
    status: 422,
    description:
      'A Liquid template of the message (subject, HTML or text) does not parse, names a variable or filter that does not exist, ' +
      'includes a file, or fails or runs past its time limit when rendered for a sample contact. `details` give `path` (`/subject`, ' +
      '`/html` or `/text`), `line`, `column` and `message`.',
  },
  message_in_use: {
    status: 409,
    description: 'Sends or campaigns name this message (they keep its history): it cannot be deleted.',
  },
  missing_subscription_link: {
    status: 422,
    description:
      'A marketing or subscription message, or one of a purpose at consent level 3 or higher, must contain ' +
      '`{{ subscription_center_url }}` or `{{ unsubscribe_url }}` in its HTML (and in its text when it has one) for every recipient. ' +
      '`details.path` names the part.',
  },
  dkim_key_invalid: {
    status: 422,
    description:
      'The `dkim` setting names no usable key: `privateKey` must be an unencrypted PEM RSA key of 1024 bits or more or an Ed25519 key, ' +
      'and is required when the domain or selector changes. `details` names the rule, never the key.',
  },
  form_invalid: {
    status: 400,
    description:
      'The form’s definition is not valid: a field name repeated or not usable as an HTML name, no or several fields mapping ' +
      '`email` (or one not required), an unknown contact field, custom field or list, a consent choice without its notice text, ' +
      'an invalid pattern or origin. `details` lists each problem with its path (`/fields/2/levels/0/notice`).',
  },
  page_invalid: {
    status: 400,
    description:
      'The page is not valid: a slug not of lower-case letters, digits and inner hyphens (1–64), an empty or long title, an ' +
      'intro over 20,000 characters, a language the catalogue lacks, a landing page without a live form (or another type with ' +
      'one), a type changed. `details` lists each problem with its path (`/slug`).',
  },
  journey_invalid: {
    status: 400,
    description:
      'The journey cannot go live (or, live or paused, change) with the problems it has: `details` lists each as `{path: ' +
      '"/tiles/<index>", tileId, code, message}` (`tileId` null and path `/` for the journey as a whole). The codes — ' +
      '`no_start`, `several_starts`, `duplicate_id`, `unknown_next`, `missing_next`, `unreachable`, `cycle_without_wait`, `end_missing`, ' +
      '`needs_more_consent`, `message_wrong_purpose`, `unknown_message`, `unknown_segment`, `unknown_form`, `unknown_event`, ' +
      '`unknown_list`, `unknown_field`, `bad_duration`, `split_not_100`, `bad_condition`, `unknown_purpose` — are the ones a ' +
      'journey’s `problems` list; a draft is stored with them.',
  },
  journey_state: {
    status: 409,
    description:
      'The journey is not in a state this applies to: draft → live, live ⇄ paused, live or paused → stopped, nothing leaves ' +
      'stopped (nor does a stopped journey change); only a draft or a stopped journey is deleted; contacts enter by the API only ' +
      'a live journey with a manual trigger. `details.state` names its state now.',
  },
  journey_in_use: {
    status: 409,
    description:
      'Contacts are at tiles this change of a live or paused journey removes or gives another type: `details` lists ' +
      '`[{tileId, contacts}]`. Keep those tiles (a wait’s duration may change), or wait until the contacts have moved on.',
  },
  lead_not_found: { status: 404, description: 'No lead with this id (it was deleted, or erased with its contact).' },
  conflict: {
    status: 409,
    description: 'The value must be unique and another record has it (a page’s `slug`); `details` name the field.',
  },
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
