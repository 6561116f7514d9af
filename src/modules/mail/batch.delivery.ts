import type { Kysely } from 'kysely';
import { inParallel } from '../../lib/parallel.ts';
import type { Database } from '../database.ts';
import { HeldBody } from './held-body.ts';
import type { RelayLanes } from './relay.lanes.ts';

/**
 * What became of one send of a batch:
 * - `refused`: not sent, by rule (the gate's reason, `suppressed`, `invalid_address`, `invalid_message`);
 * - `sent`: the relay answered 250 (or the message went into the outbox); `messageId` is ours;
 * - `failed`: the relay refused it for good (5xx); `code` is the reply code (`550`);
 * - `retry`: not taken, may be tried again: a 4xx (`code` `451`), or a connection error before
 *   the hand-over (`code` nodemailer's, `ECONNECTION`), or a hand-over that failed (`handover`);
 * - `unknown`: handed over, then the connection was lost with no answer: the relay may have it.
 *   Count it as sent: sending again could mail the person twice.
 */
export type BatchOutcome =
  | { sendId: string; status: 'refused'; reason: string }
  | { sendId: string; status: 'sent'; messageId: string }
  | { sendId: string; status: 'failed'; code: string }
  | { sendId: string; status: 'retry'; code: string }
  | { sendId: string; status: 'unknown' };

/**
 * Marks the sends as sent, all or none (it throws for none); delivery completes only after it
 * returned. `q` is the transaction the delivery writes in when it writes too (the outbox's
 * rows), else the database itself: the hand-over is then atomic on its own (one statement, or
 * a transaction it opens), which spares a relay's every message a transaction's round trips.
 */
export type HandOver = (sendIds: string[], q: Kysely<Database>) => Promise<void>;

export interface ComposedItem {
  sendId: string;
  messageId: string;
  envelope: { from: string; to: string[] };
  bytes: Buffer;
}

/**
 * Hands ready sends over in groups: those ready in the same turn of the event loop share one
 * write. Up to `parallel` hand-overs run at once (on PostgreSQL each on a pooled connection), so
 * a message whose bytes are at the relay never waits for another group's round trip: the
 * hand-over is on every message's way to its terminator.
 */
class HandOverGroups {
  private waiting: { id: string; done: (e?: unknown) => void }[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly commit: (ids: string[]) => Promise<void>,
    private readonly parallel: number,
  ) {}

  ready(id: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, done: (e) => (e === undefined ? resolve() : reject(e)) });
      this.next();
    });
  }

  private next(): void {
    if (this.scheduled || this.running >= this.parallel || this.waiting.length === 0) return;
    this.scheduled = true;
    // The commit waits for the end of this turn of the event loop, so the other connections'
    // messages that are ready in the same turn share its transaction.
    setImmediate(() => this.commitWaiting());
  }

  private commitWaiting(): void {
    this.scheduled = false;
    this.running++;
    const group = this.waiting.splice(0);
    this.commit(group.map((g) => g.id)).then(
      () => this.finish(group),
      (e: unknown) => this.finish(group, e ?? new Error('hand-over failed')),
    );
  }

  private finish(group: { done: (e?: unknown) => void }[], e?: unknown): void {
    this.running--;
    for (const g of group) g.done(e);
    this.next();
  }
}

/**
 * Delivers composed messages through the relay's lanes, at most one per lane at a time:
 *
 * 1. the envelope is sent and the message streamed, but its end held back (HeldBody), so the
 *    relay has every byte and no terminator;
 * 2. once the bytes are consumed, the send joins the next hand-over group: one transaction in
 *    which the caller marks the group's sends as sent (`handOver`), then commit;
 * 3. only after the commit the streams end, and the terminator goes to the relay.
 *
 * Crash analysis (docs/adr/0016-email-delivery.md):
 * - killed before the commit: the relay holds an unterminated message and discards it when the
 *   connection drops (the kernel closes the socket of a killed process); the send is still
 *   queued and goes again later: one mail.
 * - killed after the commit: the send is marked sent; if the terminator was not yet written the
 *   mail is lost. In this process that is from the commit's return to the socket write of the
 *   terminator: promise callbacks and stream ticks, no I/O wait in between; but on PostgreSQL
 *   the server commits before its reply arrives, so the window also holds the reply's way back
 *   and the wait to be scheduled (milliseconds on a loaded machine). A loss there is possible;
 *   a second mail never is.
 */
export async function deliverOverRelay(
  lanes: RelayLanes,
  items: ComposedItem[],
  handOver: (ids: string[]) => Promise<void>,
  beforeEach: () => Promise<void>,
): Promise<BatchOutcome[]> {
  const groups = new HandOverGroups(handOver, lanes.size);
  const out: BatchOutcome[] = new Array(items.length);
  await inParallel(
    items.map((item, i) => ({ item, i })),
    lanes.size,
    async ({ item, i }) => {
      out[i] = await deliverOne(lanes, item, groups, beforeEach);
    },
  );
  return out;
}

async function deliverOne(
  lanes: RelayLanes,
  item: ComposedItem,
  groups: HandOverGroups,
  beforeEach: () => Promise<void>,
): Promise<BatchOutcome> {
  const { sendId } = item;
  const lane = await lanes.acquire();
  try {
    // The rate's token is taken with the lane in hand, so a message that got one goes out at once.
    await beforeEach();
    const body = new HeldBody(item.bytes);
    const sent = lane.send(item.envelope, body);
    const streamed = await Promise.race([
      body.consumed.then(() => true),
      sent.then(
        () => false,
        () => false,
      ),
    ]);
    if (!streamed) {
      // The relay answered before taking the message: a refused envelope, or a lost connection.
      try {
        await sent;
      } catch (e) {
        return beforeHandOver(sendId, e);
      }
      // An answer without the terminator cannot happen; were it to, count it as sent.
      return { sendId, status: 'unknown' };
    }
    try {
      await groups.ready(sendId);
    } catch {
      // Not marked: cut the connection so the relay discards the unterminated message. Closing
      // it drops the send without calling back, so `sent` is left unsettled, not awaited.
      sent.catch(() => undefined);
      lane.abort();
      return { sendId, status: 'retry', code: 'handover' };
    }
    body.release();
    try {
      await sent;
      return { sendId, status: 'sent', messageId: item.messageId };
    } catch (e) {
      return afterHandOver(sendId, e);
    }
  } finally {
    lanes.release(lane);
  }
}

/** The reply code, or nodemailer's error code; never the reply text, which often quotes the address. */
function codeOf(e: unknown): { reply: number | null; code: string } {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; responseCode?: unknown };
  const reply = typeof err.responseCode === 'number' && Number.isInteger(err.responseCode) ? err.responseCode : null;
  const code =
    reply !== null ? String(reply) : typeof err.code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(err.code) ? err.code : 'UNKNOWN';
  return { reply, code };
}

function beforeHandOver(sendId: string, e: unknown): BatchOutcome {
  const { reply, code } = codeOf(e);
  return reply !== null && reply >= 500 ? { sendId, status: 'failed', code } : { sendId, status: 'retry', code };
}

/** After the hand-over: a reply says what the relay did; silence may hide a delivered message. */
function afterHandOver(sendId: string, e: unknown): BatchOutcome {
  const { reply, code } = codeOf(e);
  if (reply === null) return { sendId, status: 'unknown' };
  return reply >= 500 ? { sendId, status: 'failed', code } : { sendId, status: 'retry', code };
}
