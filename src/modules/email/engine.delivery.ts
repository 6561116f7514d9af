import { AppError } from '../../lib/errors.ts';
import type { Db } from '../database.ts';
import type { MailSender } from '../mail/module.ts';
import type { BatchDelivery, BatchItem, BatchOutcome } from './engine.model.ts';

/** Thrown by a hand-over that found its sends taken by another run: nothing of that group may be released. */
export class HandOverTaken extends Error {
  constructor() {
    super('sends already taken by another run');
  }
}

/**
 * A stand-in for the mail module's batch primitive (`MailSender.sendBatch`), over its one-message
 * `send`: each item is handed over (marked sent, in its own transaction) and only then sent, so
 * a crash between the two loses that mail rather than doubling it. It asks the gate once per
 * message where the primitive asks once per batch; the pipeline above it is the same.
 * TODO(integration): replace by `mail.sendBatch` once it lands.
 */
export class OneByOneDelivery implements BatchDelivery {
  constructor(
    private readonly db: Db,
    private readonly mail: MailSender,
  ) {}

  async sendBatch(items: BatchItem[], opts: Parameters<BatchDelivery['sendBatch']>[1]): Promise<BatchOutcome[]> {
    const out: BatchOutcome[] = [];
    for (const item of items) {
      const { sendId, ...msg } = item;
      try {
        await this.db.kysely.transaction().execute((trx) => opts.handOver([sendId], trx));
      } catch (e) {
        // Another run sent it: this one must not.
        if (e instanceof HandOverTaken) continue;
        throw e;
      }
      try {
        const r = await this.mail.send({ ...msg, caller: opts.caller });
        out.push(
          r.sent
            ? { sendId, status: 'sent', messageId: r.result.messageId ?? msg.headers?.['Message-ID'] ?? '' }
            : { sendId, status: 'refused', reason: r.reason },
        );
      } catch (e) {
        out.push(failure(sendId, e));
      }
    }
    return out;
  }
}

/** A relay's refusal: 5xx is final, 4xx or a failure before the message was handed over is retried; anything else may have delivered it. */
function failure(sendId: string, e: unknown): BatchOutcome {
  if (!(e instanceof AppError) || e.code !== 'mail_failed') throw e;
  const d = (e.details ?? {}) as { reason?: string; status?: number };
  if (typeof d.status === 'number')
    return d.status >= 500 ? { sendId, status: 'failed', code: d.status } : { sendId, status: 'retry', code: d.status };
  return { sendId, status: 'unknown' };
}
