import { Readable } from 'node:stream';

/**
 * A message's bytes as a stream whose end is held back. nodemailer writes the SMTP terminator
 * (`CRLF.CRLF`) only when the message stream ends, so until `release()` the relay holds an
 * unterminated message, which it discards if the connection drops (RFC 5321 §4.1.1.4: only the
 * terminator completes the transaction).
 *
 * `consumed` resolves when the reader asks for more after taking every byte: SMTPConnection
 * pipes the stream only after the relay's 354, so by then the envelope was accepted and the
 * bytes went to the data stream in front of the socket. That is the moment to hand the send
 * over (commit), and only after that to release the terminator.
 */
export class HeldBody extends Readable {
  readonly consumed: Promise<void>;
  private onConsumed!: () => void;
  private pushed = false;

  constructor(private readonly bytes: Buffer) {
    // The whole message in one chunk, and a mark of one byte: a second read is asked for only
    // once the buffer is empty, that is after the chunk went to the reader.
    super({ highWaterMark: 1 });
    this.consumed = new Promise((resolve) => {
      this.onConsumed = resolve;
    });
  }

  override _read(): void {
    if (this.pushed) return this.onConsumed();
    this.pushed = true;
    this.push(this.bytes);
  }

  /** Ends the stream: the terminator follows in the same turn of the event loop's stream machinery. */
  release(): void {
    this.push(null);
  }
}
