import { LogController } from 'fastify';
import type { Logger } from 'pino';
import { accessLogger } from '../lib/log.ts';

/**
 * Fastify's request lines, one per request instead of two: nothing when a request comes in, and
 * when it is answered one access line (request id, method, path without its query, status, time)
 * through `accessLogger`, which skips the redaction pass its fixed fields do not need. A request
 * that ended in an error is logged as Fastify does, through the redacting logger.
 */
export class RequestLog extends LogController {
  private readonly access: Logger;

  constructor(log: Logger) {
    super();
    this.access = accessLogger(log);
  }

  override incomingRequest(): void {}

  override requestCompleted(...args: Parameters<LogController['requestCompleted']>): void {
    const [error, request, reply] = args;
    if (error) return super.requestCompleted(...args);
    this.access.info({ reqId: request.id, req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
