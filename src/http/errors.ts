import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unavailability } from '../db/availability.ts';
import { isWriteConflict, RETRY_AFTER_CONFLICT } from '../db/conflict.ts';
import { namedChoices } from '../lib/choices.ts';
import { AppError, ERROR_CODES, type ErrorCode } from '../lib/errors.ts';
import { linkFor } from './links.ts';

interface ValidationItem {
  instancePath?: string;
  schemaPath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
}

// Fastify's own errors for malformed requests, mapped to our stable codes.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
};

function validationDetails(items: ValidationItem[], part: string | undefined) {
  return items.map((v) => {
    let path = v.instancePath ?? '';
    // Name the offending field itself for "unknown field" and "missing field".
    if (v.keyword === 'additionalProperties' && v.params?.additionalProperty) path += `/${String(v.params.additionalProperty)}`;
    if (v.keyword === 'required' && v.params?.missingProperty) path += `/${String(v.params.missingProperty)}`;
    return { in: part ?? 'body', path: path || '/', message: v.message ?? 'invalid' };
  });
}

const body = (code: ErrorCode, message: string, details?: unknown) => ({
  error: { code, message, ...(details !== undefined ? { details } : {}) },
});

/**
 * Answers Node's HTTP parser gives before Fastify sees a request (Fastify's default writes its
 * own shape): a request line or header it cannot read, headers over the size limit (a long
 * query string is part of them), a request that took too long. Same envelope as every answer.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException & { bytesParsed?: number }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    err.code === 'HPE_HEADER_OVERFLOW' ? 'header_too_large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'bad_request';
  const message =
    code === 'header_too_large'
      ? 'the request line and headers are too large'
      : code === 'request_timeout'
        ? 'the request did not arrive in time'
        : 'the HTTP request could not be read';
  const status = ERROR_CODES[code].status;
  const json = JSON.stringify(body(code, message));
  // A response already under way on this socket cannot be followed by another (Node's own advice).
  const busy = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (socket.writable && !busy) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ` +
        `${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}

/**
 * Errors Fastify's router meets before any route or hook runs: a path whose percent-encoding
 * does not decode, a path parameter over the router's length limit. Under a public link's path
 * they get the link's one refusal; elsewhere the envelope.
 */
export async function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  void reply.header('x-request-id', String(req.id));
  const refuse = linkFor(req.server, req.raw.url ?? '');
  try {
    if (refuse) {
      await refuse(req, reply);
      return;
    }
  } catch (e) {
    err = e as FastifyError;
  }
  const code: ErrorCode = err instanceof AppError ? err.code : (FASTIFY_CODES[err.code] ?? 'internal');
  if (code === 'internal') req.log.error({ err }, 'router error');
  void reply
    .status(ERROR_CODES[code].status)
    .send(
      body(
        code,
        err instanceof AppError ? err.message : code === 'internal' ? 'an unexpected error occurred' : 'the request path could not be read',
      ),
    );
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: ValidationItem[]; validationContext?: string }, req, reply) => {
    let code: ErrorCode;
    let message: string;
    let details: unknown;
    const down = err instanceof AppError ? null : unavailability(err);
    if (down) {
      // Not the request's fault nor a bug: the database is away or busy. The client may retry.
      code = 'database_unavailable';
      message = 'the database cannot serve right now; retry later';
      void reply.header('retry-after', String(down.retryAfter));
    } else if (!(err instanceof AppError) && isWriteConflict(err)) {
      // A deadlock victim that lost every retry (or was not retried): nothing was written, a retry succeeds.
      code = 'write_conflict';
      message = 'the change collided with concurrent changes; retry';
      void reply.header('retry-after', String(RETRY_AFTER_CONFLICT));
    } else if (err instanceof AppError) {
      code = err.code;
      message = err.message;
      details = err.details;
      if (code === 'rate_limited') {
        const retry = (err.details as { retryAfter?: number } | undefined)?.retryAfter;
        if (retry) void reply.header('retry-after', String(retry));
      }
    } else if (err.validation) {
      code = 'validation_failed';
      message = `the request ${err.validationContext ?? 'body'} is invalid`;
      // The part's schema, where a choice's allowed values are read to name them.
      const part = err.validationContext ?? 'body';
      const schema = (req.routeOptions.schema as Record<string, unknown> | undefined)?.[part];
      details = validationDetails(namedChoices(err.validation, schema), err.validationContext);
    } else if (err.code && FASTIFY_CODES[err.code]) {
      code = FASTIFY_CODES[err.code]!;
      message = code === 'invalid_json' ? 'the body is not valid JSON' : err.message;
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      code = 'validation_failed';
      message = err.message;
    } else {
      code = 'internal';
      message = 'an unexpected error occurred';
      req.log.error({ err }, 'unhandled error');
    }
    const status = ERROR_CODES[code].status;
    if (status >= 500 && code !== 'internal') req.log.warn({ code }, 'request failed');
    return reply.status(status).send(body(code, message, details));
  });

  app.setNotFoundHandler((req, reply) => {
    return reply.status(404).send({ error: { code: 'route_not_found', message: `no route for ${req.method} ${req.url.split('?')[0]}` } });
  });

  // An `Expect` other than 100-continue: Node would answer 417 with an empty body.
  app.server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const json = JSON.stringify(body('expectation_failed', 'only "Expect: 100-continue" is supported'));
    res.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      connection: 'close',
    });
    res.end(json);
  });

  // Fastify's own 503 while closing is outside the envelope (return503OnClosing is off in app.ts): this is it, in the envelope.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (req) => {
    if (closing) throw new AppError('shutting_down', 'the server is shutting down; retry');
    // Node refuses an HTTP/1.1 request without Host with an empty 400 (requireHostHeader is off in app.ts): the same refusal, enveloped.
    if (req.raw.httpVersion === '1.1' && req.headers.host === undefined)
      throw new AppError('bad_request', 'an HTTP/1.1 request needs a Host header');
  });
}
