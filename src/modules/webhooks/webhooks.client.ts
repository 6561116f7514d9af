import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Resolved } from './webhooks.target.ts';

/** What one delivery attempt came to. `error` is a fixed code, never text from the receiver. */
export interface PostOutcome {
  status: number | null;
  error: 'timeout' | 'response_too_large' | 'redirect_not_followed' | 'http_status' | 'connection_failed' | null;
  durationMs: number;
}

export interface PostOptions {
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * POSTs the body to the URL, connecting to the address the guard checked (a lookup that
 * answers only that address, so the name is not resolved again between the check and the
 * connection); TLS still verifies the certificate against the URL's name. No redirect is
 * followed (a 3xx is a failure), the whole exchange has one deadline, and a response body is
 * read only up to a limit and then discarded.
 */
export function post(url: URL, target: Resolved, headers: Record<string, string>, body: string, opts: PostOptions): Promise<PostOutcome> {
  const started = performance.now();
  const pinned: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    else cb(null, target.address, target.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    const done = (status: number | null, error: PostOutcome['error']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status, error, durationMs: Math.round(performance.now() - started) });
    };
    const req = send(
      url,
      {
        method: 'POST',
        lookup: pinned,
        // A fresh connection per delivery: a pooled socket could be one opened to another address.
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxResponseBytes) {
            done(status, 'response_too_large');
            res.destroy();
            req.destroy();
          }
        });
        res.on('end', () => {
          if (status >= 200 && status < 300) done(status, null);
          else if (status >= 300 && status < 400) done(status, 'redirect_not_followed');
          else done(status, 'http_status');
        });
        res.on('error', () => done(status, 'connection_failed'));
      },
    );
    const timer = setTimeout(() => {
      done(null, 'timeout');
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', () => done(null, 'connection_failed'));
    req.end(body);
  });
}
