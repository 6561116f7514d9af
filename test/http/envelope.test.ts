import assert from 'node:assert/strict';
import { connect as tcp } from 'node:net';
import { after, before, it } from 'node:test';
import { ERROR_CODES } from '../../src/lib/errors.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { onOneDatabase } from '../helpers/db.ts';

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The answers in what a socket received, in order (bodies by Content-Length, or chunked). */
function parse(data: string): Raw[] {
  const out: Raw[] = [];
  let rest = data;
  while (rest.length) {
    const split = rest.indexOf('\r\n\r\n');
    if (split < 0) break;
    const [statusLine, ...lines] = rest.slice(0, split).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    rest = rest.slice(split + 4);
    let body = '';
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const eol = rest.indexOf('\r\n');
        const size = parseInt(rest.slice(0, eol), 16);
        rest = rest.slice(eol + 2);
        if (!size) {
          rest = rest.slice(2);
          break;
        }
        body += rest.slice(0, size);
        rest = rest.slice(size + 2);
      }
    } else {
      const n = Number(headers['content-length'] ?? 0);
      body = rest.slice(0, n);
      rest = rest.slice(n);
    }
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body });
  }
  return out;
}

/** Bytes written to a real listening server, as a broken or hostile client would; every answer until the server closes. */
function exchange(port: number, bytes: string, opts: { gapMs?: number; thenWrite?: string; onSent?: () => void } = {}): Promise<Raw[]> {
  return new Promise((resolve, reject) => {
    const socket = tcp(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close: ${JSON.stringify(data.slice(0, 300))}`));
    }, 5000);
    socket.on('connect', () => {
      socket.write(bytes);
      opts.onSent?.();
      if (opts.thenWrite !== undefined) setTimeout(() => socket.writable && socket.write(opts.thenWrite!), opts.gapMs ?? 0);
    });
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parse(data));
    });
  });
}

async function send(port: number, bytes: string): Promise<Raw> {
  const [first] = await exchange(port, bytes);
  assert.ok(first, 'an answer');
  return first;
}

/**
 * Every answer is `{ error: { code, message } }` with a catalogued code, including those Node's
 * HTTP parser and Fastify give before any route runs. A real server, real sockets: the
 * in-process injector never goes through the HTTP parser.
 */
// The envelope is the HTTP layer's, above the database: one database is enough.
onOneDatabase('every answer is in the error envelope', (ctx) => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await testApp(ctx.db);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  after(async () => t.close());

  const enveloped = (r: Raw, status: number, code: string, what: string) => {
    assert.equal(r.status, status, `${what}: ${r.status} ${r.body}`);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/, what);
    const body = JSON.parse(r.body) as { error: { code: string; message: string } };
    assert.deepEqual(Object.keys(body), ['error'], what);
    assert.equal(body.error.code, code, what);
    assert.equal(typeof body.error.message, 'string');
    assert.ok(code in ERROR_CODES, `${code} is catalogued`);
    assert.equal(ERROR_CODES[code as keyof typeof ERROR_CODES].status, status, `${code} has status ${status}`);
  };
  const key = () => t.keys.admin;

  it('431: a 100 kB query string, or too many headers', async () => {
    enveloped(
      await send(port, `GET /api/v1/contacts?q=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      431,
      'header_too_large',
      'long query',
    );
    enveloped(
      await send(
        port,
        `GET /health HTTP/1.1\r\nHost: ` +
          `x\r\n${Array.from({ length: 2000 }, (_, i) => `X-Pad-${i}: ${'v'.repeat(10)}`).join('\r\n')}\r\n\r\n`,
      ),
      431,
      'header_too_large',
      'many headers',
    );
  });

  it('400: a request Node cannot parse, a header it refuses, no Host, a body both chunked and sized', async () => {
    enveloped(await send(port, 'GARBAGE\r\n\r\n'), 400, 'bad_request', 'request line');
    enveloped(await send(port, 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n'), 400, 'bad_request', 'header name with a space');
    enveloped(await send(port, 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n'), 400, 'bad_request', 'NUL in a header value');
    enveloped(await send(port, 'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'), 400, 'bad_request', 'no Host');
    enveloped(
      await send(
        port,
        'POST /public/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\nTransfer-Encoding: ' +
          'chunked\r\n\r\n0\r\n\r\n',
      ),
      400,
      'bad_request',
      'chunked and sized',
    );
  });

  it('400: a path the router cannot decode; 414: a path parameter too long for it', async () => {
    enveloped(
      await send(
        port,
        `GET /api/v1/entities/%E0%A4%A/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key()}\r\nConnection: close\r\n\r\n`,
      ),
      400,
      'bad_request',
      'broken percent-encoding',
    );
    enveloped(
      await send(
        port,
        `GET /api/v1/entities/%ED%A0%80/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key()}\r\nConnection: close\r\n\r\n`,
      ),
      400,
      'bad_request',
      'an encoded lone surrogate',
    );
    enveloped(
      await send(
        port,
        `GET /api/v1/entities/${'a'.repeat(1200)}/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key()}\r\nConnection: ` +
          `close\r\n\r\n`,
      ),
      414,
      'uri_too_long',
      'long path parameter',
    );
  });

  it('417: an expectation the server does not meet', async () => {
    enveloped(
      await send(
        port,
        `POST /api/v1/lists HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key()}\r\nContent-Type: ` +
          `application/json\r\nContent-Length: 2\r\nExpect: 200-ok\r\nConnection: close\r\n\r\n{}`,
      ),
      417,
      'expectation_failed',
      'Expect',
    );
  });

  it('413, 415, 404 and 400 from the routes keep the envelope over a real socket too', async () => {
    enveloped(
      await send(
        port,
        `POST /public/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\nConnection: ` +
          `close\r\n\r\n${'a'.repeat(10_000)}`,
      ),
      413,
      'payload_too_large',
      'body too large',
    );
    enveloped(
      await send(
        port,
        `POST /public/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 2\r\nConnection: close\r\n\r\n<a`,
      ),
      415,
      'unsupported_media_type',
      'media type',
    );
    enveloped(await send(port, 'GET /nothing/here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 404, 'route_not_found', 'no route');
    enveloped(await send(port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 404, 'route_not_found', 'asterisk form');
    enveloped(
      await send(
        port,
        `POST /public/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: ` +
          `close\r\n\r\n{"a":`,
      ),
      400,
      'invalid_json',
      'broken JSON',
    );
  });

  it('503 while the server shuts down, for a request that arrives on an open connection', async () => {
    const other = await testApp(ctx.db);
    await other.app.listen({ port: 0, host: '127.0.0.1' });
    const p = (other.app.server.address() as { port: number }).port;
    // The first request's headers arrive; its body and a second request follow once closing has begun.
    let closing: Promise<void> | undefined;
    const answers = await exchange(
      p,
      'POST /public/v1/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n',
      {
        onSent: () => setTimeout(() => (closing = other.close()), 50),
        gapMs: 200,
        thenWrite: '{}GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      },
    );
    await closing;
    assert.equal(answers.length, 2, JSON.stringify(answers));
    enveloped(answers[0]!, 400, 'validation_failed', 'the request under way is answered by its route');
    enveloped(answers[1]!, 503, 'shutting_down', 'the one after is refused');
  });
});
