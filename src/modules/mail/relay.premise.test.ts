import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { type ScriptedSink, startScriptedSink } from '../../../test/helpers/smtp-script-sink.ts';

/**
 * The premise of the batch sender's crash safety (docs/adr/0016-email-delivery.md): a relay
 * keeps no message whose client died before the terminator. Checked against smtp-server with a
 * real process, SIGKILLed while it holds a streamed message's end; and, so the check can fail,
 * the same client releasing the end delivers.
 */
describe('a relay and a client that dies before the terminator', () => {
  let sink: ScriptedSink;
  before(async () => {
    sink = await startScriptedSink();
  });
  after(async () => sink.close());

  const client = (mode: 'hold' | 'release') => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/mail/held-client.fixture.ts', String(sink.port), mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
    });
    // Listened for from the start: a child that exits before a later `once` is attached would leave it waiting for ever.
    const exited = once(child, 'exit');
    return { child, out: () => out, exited };
  };
  const until = async (what: string, ok: () => boolean, ms = 20_000) => {
    for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 10)))
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  };

  it('a client SIGKILLed with the whole message streamed and no terminator leaves no message', async () => {
    const closed = sink.closed();
    const c = client('hold');
    await until('the client to stream', () => c.out().includes('streamed'));
    await until('the relay to have the bytes', () => (sink.streaming().get('premise@example.org') ?? 0) > 2000);
    c.child.kill('SIGKILL');
    await c.exited;
    await until('the relay to see the connection close', () => sink.closed() > closed);
    assert.equal(sink.count('premise@example.org'), 0);
    assert.equal(sink.streaming().size, 0);
  });

  it('the same client releasing the end delivers the message once', async () => {
    const c = client('release');
    await until('the message', () => sink.count('premise@example.org') === 1);
    await c.exited;
    assert.match(c.out(), /streamed\nsent\n/);
    assert.equal(sink.count('premise@example.org'), 1);
  });
});
