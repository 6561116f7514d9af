import type { FastifyError, FastifyInstance } from 'fastify';
import { unavailability } from '../db/availability.ts';
import { AppError, ERROR_CODES, type ErrorCode } from '../lib/errors.ts';

interface ValidationItem {
  instancePath?: string;
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
      details = validationDetails(err.validation, err.validationContext);
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
    return reply.status(status).send({ error: { code, message, ...(details !== undefined ? { details } : {}) } });
  });

  app.setNotFoundHandler((req, reply) => {
    return reply.status(404).send({ error: { code: 'route_not_found', message: `no route for ${req.method} ${req.url.split('?')[0]}` } });
  });
}
