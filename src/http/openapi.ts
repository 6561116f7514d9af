import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { SwaggerOptions } from '@fastify/swagger';
import type { TSchema } from 'typebox';
import { parseDatabaseUrl } from '../db/connect.ts';
import { isDatabaseFile } from '../db/files.ts';
import { AppError, type ErrorCode } from '../lib/errors.ts';
import { can } from './access.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from './pagination.ts';
import { ROLES } from './principal.ts';
import type { RouteAccessConfig } from './route-config.ts';
import { ErrorBody } from './schemas.ts';

/** Where the app serves the two references the document links to (app.ts serves them from docs/). */
export const DOC_LINKS = { errors: '/docs/errors.md', segments: '/docs/segments.md' } as const;

/**
 * One line per tag, shown as the section heading's text in the rendered document. A tag a route
 * names must be here: the lint test fails on a tag without a description.
 */
export const TAG_DESCRIPTIONS: Record<string, string> = {
  session: 'Console login with email and password: the session cookie the console uses, logout, password change.',
  users: 'Console users and their roles, and the API keys that scripts and integrations use (admin only).',
  contacts: 'Contacts (people the installation may write to), their custom fields, duplicates, and CSV import and export.',
  consent: 'The consent ledger: levels per contact, guardian consent for children, notices, the gate check and chain verification.',
  lists: 'Named lists of contacts, and list membership one by one or in bulk.',
  segments: `Saved filters over contacts, in the segment language (${DOC_LINKS.segments}): count, members, explain, snapshots.`,
  interactions: 'Behaviour events (opens, clicks, visits...) recorded against contacts, and their statistics.',
  entities: 'Custom record types an admin declares (for example orders), their records, and what they hold per contact.',
  requests: 'Data-subject requests (access, erasure, rectification...): intake, verification, deadlines, fulfilment.',
  tasks: 'Work items for the privacy officer that a request or an erasure leaves open.',
  erasure: 'Erasing a contact (with its residue check), the erasures done, and lifting a suppressed address.',
  exports: 'The access export: everything held about one contact, as one JSON document.',
  public: 'Open to anyone without a key: the data-subject request form and the signed download link. Rate-limited per address.',
  retention: 'Retention rules: what would be deleted for age, and running the deletion.',
  mail: 'The outbox: every message the gated sender queued, its status and attempts.',
  email:
    'Email messages (Liquid templates with a purpose), previews as a contact with the consent gate’s answer, test sends; sends ' +
    'and campaigns.',
  audit: 'The audit log: who did what, when, through which key or session (append-only).',
  datamap: 'The data map: every table and column the installation keeps, its personal-data category and retention.',
  settings: 'Installation settings (purposes, the public base URL, the data protection switch...).',
  jobs: 'Background jobs (imports, bulk actions, exports): their status and outcome.',
  webhooks: 'Webhooks: signed event deliveries to an endpoint of yours, and their delivery log.',
  forms: 'Forms: fields mapped to contact fields, a consent level and lists, with per-field validation; versioned.',
  pages: 'Pages served at /p/{slug}: landing pages over a form, the data-request page, the subscription center and forward to a friend.',
  bulk: 'Bulk actions over many contacts (list membership, consent levels, erasure requests), run as jobs.',
  messages: "Email messages: their subject, HTML and text templates, a preview as a contact with the gate's answer, a test send.",
  campaigns:
    "Sending messages: to one contact or as a campaign to a segment, what the gate would refuse beforehand, a campaign's " +
    'progress and counts, pause, resume and cancel, and every send with its outcome.',
  journeys:
    'Customer journeys: graphs of tiles (email, wait, condition, split…) with a required consent the gate checks before every ' +
    'tile; states, manual entry, a contact’s path, per-tile counts and the tasks journeys make for staff.',
  leads:
    'Sales opportunities about contacts: title, status, owner, value and custom lead fields (typed columns declared in the ' +
    'data map), erased and exported with the person.',
  bounces: 'Bounces and complaints that come back for sent mail (RFC 3464, RFC 5965): received, and listed.',
  scoring:
    'Lead scoring: models of rules (segment conditions over the contact and lead, behaviour with decay) scoring leads only while ' +
    'the gate allows the model’s required consent (children never); recompute jobs, distributions, rankings, and each ' +
    'lead’s scores explained rule by rule.',
};

const INFO_DESCRIPTION = [
  'Privacy-first marketing automation: contacts, lists and segments for marketers; a hash-chained consent ledger and ' +
    'data-subject requests for privacy officers.',
  '',
  '**Authentication.** Every `/api/v1` route needs an API key (`Authorization: Bearer …`, created with `assent keys ' +
    'create` or `POST /api/v1/keys`) or a console session cookie (`POST /api/v1/session`). What a key may do follows its ' +
    'role; a route the role may not use answers `403 forbidden`. The `/public/v1` routes need no key and are rate-limited per ' +
    'client address (`429 rate_limited`, with `Retry-After`).',
  '',
  '**Errors.** Every error is `{"error": {"code", "message", "details"?}}`; match on `code`, never on `message`. ' +
    `Every code, its status and its meaning: [error codes](${DOC_LINKS.errors}). A request that does not match the ` +
    'schema is `400 validation_failed`, and `details` names each field (`{in, path, message}`); for a choice the message ' +
    'names the allowed values.',
  '',
  '**Paging.** A listing answers `{data, page: {next, total, totalIsEstimate}}`: pass `page.next` back as `cursor` for the ' +
    'next page, until it is `null`; `limit` sets the page size.',
  '',
  `**Segments.** Segment filters are JSON trees in the segment language: [segment filters](${DOC_LINKS.segments}).`,
].join('\n');

/** What an error answer of each status says, and an example of it (valid against ErrorBody). */
const ERROR_ANSWERS: Record<number, { description: string; code: ErrorCode; message: string; details?: unknown }> = {
  400: {
    description:
      'The request is invalid: `validation_failed` names each field in `details`; other 400 codes are listed in the error codes.',
    code: 'validation_failed',
    message: 'the request body is invalid',
    details: [{ in: 'body', path: '/kind', message: 'must be one of: text, number, boolean, date' }],
  },
  401: {
    description: 'No valid API key or session was presented (`unauthenticated`).',
    code: 'unauthenticated',
    message: 'authentication required',
  },
  403: {
    description: "The caller's role does not allow this operation (`forbidden`).",
    code: 'forbidden',
    message: 'this role may not do this',
  },
  404: { description: 'No such record, or the caller may not know it exists (`not_found`).', code: 'not_found', message: 'not found' },
  429: {
    description:
      'Too many requests from this client address (`rate_limited`): wait the seconds in `Retry-After` (also in `details.retryAfter`).',
    code: 'rate_limited',
    message: 'too many requests; try again later',
    details: { retryAfter: 42 },
  },
  500: {
    description: 'An unexpected error (`internal`); the `x-request-id` header names it in the server logs.',
    code: 'internal',
    message: 'an unexpected error occurred',
  },
  503: {
    description: 'The database cannot serve right now (`database_unavailable`) or the server is shutting down; retry after `Retry-After`.',
    code: 'database_unavailable',
    message: 'the database cannot serve right now; retry later',
  },
};

/** The error answer of a status, described and with its example. */
export function errorAnswer(status: number): TSchema {
  const a = ERROR_ANSWERS[status];
  if (!a) return ErrorBody;
  const error = { code: a.code, message: a.message, ...(a.details !== undefined ? { details: a.details } : {}) };
  return { ...ErrorBody, description: a.description, examples: [{ error }] } as TSchema;
}

/**
 * The operationId of a route that names none: the method and the path's words, camelCase, a
 * parameter as `By<Name>`, the public routes prefixed `public`. Unique because method and path
 * are, and stable because nothing but the route's own method and path goes into it.
 * `GET /api/v1/contacts/{id}/consent` → `getContactsByIdConsent`.
 */
export function operationIdFor(method: string, url: string): string {
  const pub = url.startsWith('/public/');
  const words = url
    .replace(/^\/(api|public)\/v\d+/, '')
    .split('/')
    .filter(Boolean)
    .map((seg) => {
      const param = /^[:{]([^}]+)}?$/.exec(seg);
      return param ? `By-${param[1]}` : seg;
    })
    .flatMap((seg) => seg.split(/[-_.]/))
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return method.toLowerCase() + (pub ? 'Public' : '') + words.join('');
}

interface RouteForDocs {
  schema?: Record<string, unknown>;
  url: string;
  route: { method: string | string[]; config?: RouteAccessConfig };
}

/**
 * Per route: the operationId when the route names none, and the error answers that can happen
 * on it, declared once here rather than on every route: 500 and 503 anywhere; 401 and 403
 * wherever a key or session is needed; 429 on the open routes, which all count requests per
 * client address; 400 wherever the request carries anything to check.
 */
function transform({ schema, url, route }: RouteForDocs) {
  if (!schema || schema.hide) return { schema, url };
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  const access = route.config?.access;
  const open = access === 'public';
  // A query's or path's example is given for the whole object; the document has one parameter per property.
  const parts: Record<string, unknown> = {};
  for (const part of ['querystring', 'params'] as const) {
    const q = schema[part] as { properties?: Record<string, object>; examples?: unknown[] } | undefined;
    const example = q?.examples?.[0] as Record<string, unknown> | undefined;
    if (!q?.properties || !example || typeof example !== 'object') continue;
    const properties = Object.fromEntries(
      Object.entries(q.properties).map(([k, p]) => [k, k in example ? { ...p, examples: [example[k]] } : p]),
    );
    parts[part] = { ...q, properties };
  }
  const response = { ...((schema.response as Record<string, TSchema> | undefined) ?? {}) };
  const statuses = [500, 503, ...(open ? [429] : [401, 403])];
  if (schema.body || schema.querystring || schema.params) statuses.push(400);
  for (const s of Object.keys(response)) if (response[s] === ErrorBody) statuses.push(Number(s));
  for (const s of statuses) if (!response[s] || response[s] === ErrorBody) response[s] = errorAnswer(s);
  return {
    url,
    schema: {
      ...schema,
      ...parts,
      operationId: schema.operationId ?? operationIdFor(method, url),
      description: [schema.description, whoMayCall(access), paging(schema)].filter(Boolean).join('\n\n'),
      response,
      ...(open ? { security: [] } : {}),
    },
  };
}

/** Who may call the route, read from the access table itself, so the document cannot disagree with it. */
function whoMayCall(access: RouteAccessConfig['access']): string {
  if (access === 'public') return '**Who may call:** anyone, without a key (rate-limited per client address).';
  if (access === 'authenticated' || access === undefined) return '**Who may call:** any API key or console session.';
  const roles = ROLES.filter((r) => can(r, access.area, access.op));
  return `**Who may call:** ${roles.map((r) => `\`${r}\``).join(', ')} (area \`${access.area}\`, ${access.op}); other roles get 403.`;
}

/** The paging note of a listing: one that takes a `cursor`. */
function paging(schema: Record<string, unknown>): string {
  const q = schema.querystring as { properties?: Record<string, unknown> } | undefined;
  if (!q?.properties?.cursor) return '';
  return (
    `**Paging:** up to \`limit\` rows (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}); pass \`page.next\` back as \`cursor\` ` +
    'for the next page, until it is `null`. `page.total` counts every page.'
  );
}

const retryAfter = {
  description: 'Seconds to wait before retrying.',
  schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400 },
};

type Doc = Record<string, any>;

/**
 * OpenAPI 3.0 schemas take one `example`, not JSON Schema's `examples` list: @fastify/swagger
 * converts it at the top of a schema and in its properties, not inside a union's branches, so
 * what it left is converted here (the first value). A media type's `examples` is a map, not a list, and stays.
 */
function oneExample(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) oneExample(n);
    return;
  }
  const o = node as Doc;
  if (Array.isArray(o.examples)) {
    if (o.example === undefined && o.examples.length) o.example = o.examples[0];
    delete o.examples;
  }
  // Values, not schemas: an example payload may well hold a field named `examples`.
  for (const [k, v] of Object.entries(o)) if (!VALUES.has(k)) oneExample(v);
}
const VALUES = new Set(['example', 'examples', 'default', 'enum', 'const']);

/** A body's example at the media type, where tools look for it, when the schema alone carries one. */
function mediaExample(media: Doc): void {
  if (media.example !== undefined || media.examples !== undefined || media.schema?.example === undefined) return;
  media.example = media.schema.example;
}

/** The whole document: the tags the routes use, with their descriptions, and Retry-After where the answer carries it. */
function transformObject({ openapiObject }: { openapiObject: Doc }): Doc {
  const used = new Set<string>();
  oneExample(openapiObject);
  for (const item of Object.values<Doc>(openapiObject.paths ?? {})) {
    for (const op of Object.values<Doc>(item)) {
      for (const t of op.tags ?? []) used.add(t);
      for (const media of Object.values<Doc>(op.requestBody?.content ?? {})) mediaExample(media);
      for (const [status, answer] of Object.entries<Doc>(op.responses ?? {})) {
        for (const media of Object.values<Doc>(answer.content ?? {})) mediaExample(media);
        if (status === '429' || status === '503') answer.headers = { 'Retry-After': retryAfter, ...answer.headers };
      }
    }
  }
  openapiObject.tags = [...used].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? '' }));
  return openapiObject;
}

/** The OpenAPI document's options for @fastify/swagger. */
export function swaggerOptions(securitySchemes: Record<string, unknown>): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Assent API',
        version: '1',
        description: INFO_DESCRIPTION,
        contact: { name: 'The administrator of this installation' },
      },
      externalDocs: { description: `Error codes (${DOC_LINKS.errors}); segment filters: ${DOC_LINKS.segments}`, url: DOC_LINKS.errors },
      components: { securitySchemes: securitySchemes as never },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: transform as never,
    transformObject: transformObject as never,
  };
}

const docCache = new Map<string, string>();

/**
 * A file of docs/, found upwards from this file: from src/http/ when run from source, from dist/
 * when compiled (esbuild bundles this file there). Read once. The server has the database open,
 * and closing a descriptor of one of its files would drop SQLite's locks: a path that is one of
 * the database's files (a DATABASE_URL pointed into docs/) is not opened.
 */
export async function readDoc(name: 'errors.md' | 'segments.md', databaseUrl: string): Promise<string> {
  const cached = docCache.get(name);
  if (cached !== undefined) return cached;
  for (const up of ['../docs/', '../../docs/', '../../../docs/']) {
    const path = fileURLToPath(new URL(up + name, import.meta.url));
    if (!existsSync(path)) continue;
    if (isDatabaseFile(parseDatabaseUrl(databaseUrl), path)) break;
    const text = await readFile(path, 'utf8');
    docCache.set(name, text);
    return text;
  }
  throw new AppError('not_found', 'this installation was installed without its docs/ folder');
}
