// A mixed API workload for the harness: health checks, contact creation, consent changes and
// reads. Each lane works on contacts it created itself, one call at a time, so the load never
// races two changes of one contact (those races are cases of their own).
import type { Installation } from './installation.ts';
import { call, type Reply } from './load.ts';

export type Op = 'health' | 'create' | 'consent' | 'read';

export interface Sample {
  op: Op;
  /** Index of the server asked. */
  server: number;
  reply: Reply;
}

/**
 * Each lane cycles through the operations, and from one step to the next through the servers,
 * so every server sees every operation from every lane. `timeoutMs`: how long a call waits for
 * its answer (load.ts's default unless given).
 */
export function opsDriver(inst: Installation, opts: { timeoutMs?: number } = {}): { step(lane: number): Promise<Sample> } {
  const wait = opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs };
  const tag = Math.random().toString(36).slice(2, 8);
  const owned = new Map<number, string[]>();
  const steps = new Map<number, number>();
  const auth = inst.auth('admin');
  return {
    async step(lane) {
      const i = steps.get(lane) ?? 0;
      steps.set(lane, i + 1);
      const server = (i + lane) % inst.servers.length;
      const base = inst.servers[server]!.url!;
      const mine = owned.get(lane) ?? [];
      owned.set(lane, mine);
      const last = mine.at(-1);
      const kind = i % 4;
      if (kind === 0) return { op: 'health', server, reply: await call(base, 'GET', '/health', wait) };
      if (kind === 1 || last === undefined) {
        const reply = await call(base, 'POST', '/api/v1/contacts', {
          headers: auth,
          body: { email: `load-${tag}-${lane}-${i}@example.com` },
          ...wait,
        });
        if (reply.status === 201) mine.push((reply.body as { data: { id: string } }).data.id);
        return { op: 'create', server, reply };
      }
      if (kind === 2)
        return {
          op: 'consent',
          server,
          reply: await call(base, 'PUT', `/api/v1/contacts/${last}/consent`, {
            headers: auth,
            body: { level: i % 6, source: 'api' },
            ...wait,
          }),
        };
      return { op: 'read', server, reply: await call(base, 'GET', `/api/v1/contacts/${last}`, { headers: auth, ...wait }) };
    },
  };
}

/**
 * Replies that no outage excuses: no answer at all (a server died or hung), a 500, any other
 * error; a 503 must say `database_unavailable` and when to retry.
 */
export function unexpectedReplies(samples: Sample[]): string[] {
  const out: string[] = [];
  for (const { op, server, reply: r } of samples) {
    const where = `${op} on server ${server + 1}`;
    if (r.status === 0) out.push(`${where}: no answer (${r.error})`);
    else if (r.status === 503) {
      const code = (r.body as { error?: { code?: string } } | null)?.error?.code;
      if (code !== 'database_unavailable') out.push(`${where}: 503 ${code}`);
      else if (!/^\d+$/.test(r.headers?.get('retry-after') ?? '')) out.push(`${where}: 503 without Retry-After`);
    } else if (r.status >= 300) out.push(`${where}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  }
  return out;
}
