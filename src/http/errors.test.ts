import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { it } from 'node:test';
import { ERROR_CODES } from '../lib/errors.ts';
import { clientErrorHandler } from './errors.ts';

/** A socket that records what the handler writes. */
function fakeSocket(opts: { headersSent?: boolean; writable?: boolean } = {}) {
  const written: string[] = [];
  let destroyed = false;
  const socket = {
    writable: opts.writable ?? true,
    get destroyed() {
      return destroyed;
    },
    write: (s: string) => written.push(s),
    destroy: () => {
      destroyed = true;
    },
    ...(opts.headersSent !== undefined ? { _httpMessage: { headersSent: opts.headersSent } } : {}),
  };
  return { socket: socket as unknown as Socket, written, isDestroyed: () => destroyed };
}

const err = (code: string) => Object.assign(new Error(code), { code });

it('answers parser errors in the envelope with a catalogued code, and closes the connection', () => {
  for (const [code, status, ours] of [
    ['HPE_HEADER_OVERFLOW', 431, 'header_too_large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request_timeout'],
    ['HPE_INVALID_METHOD', 400, 'bad_request'],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 400, 'bad_request'],
  ] as const) {
    const s = fakeSocket();
    clientErrorHandler(err(code), s.socket);
    const [raw] = s.written;
    assert.match(raw!, new RegExp(`^HTTP/1\\.1 ${status} `));
    const body = JSON.parse(raw!.slice(raw!.indexOf('\r\n\r\n') + 4));
    assert.deepEqual(Object.keys(body.error), ['code', 'message']);
    assert.equal(body.error.code, ours);
    assert.equal(ERROR_CODES[ours].status, status);
    assert.equal(Buffer.byteLength(raw!.slice(raw!.indexOf('\r\n\r\n') + 4)), Number(/Content-Length: (\d+)/.exec(raw!)![1]));
    assert.ok(s.isDestroyed());
  }
});

it('writes nothing on a reset connection, an unwritable one, or after a response began', () => {
  for (const [e, opts] of [
    [err('ECONNRESET'), {}],
    [err('HPE_INVALID_METHOD'), { writable: false }],
    [err('ERR_HTTP_REQUEST_TIMEOUT'), { headersSent: true }],
  ] as const) {
    const s = fakeSocket(opts);
    clientErrorHandler(e, s.socket);
    assert.deepEqual(s.written, []);
  }
});
