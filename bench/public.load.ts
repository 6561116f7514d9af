// The load generator of bench/public.bench.ts, in a process of its own so it never shares the
// server's event loop: autocannon against one URL, a warm-up then a measured run of fixed
// durations, N connections. Every request a body of its own, in a fixed mix: mostly new
// addresses (some with non-ASCII names, some without a name), some known contacts, some addresses
// repeated past their per-address limit (dropped silently by the app, answered the same); and a
// client address of its own every three requests, named in X-Forwarded-For as a proxy names it.
// Sends back the measured run's figures and, to check what was stored, how many requests each
// address got in all (warm-up included).

/** The part of autocannon's API used here (the package ships no types). */
interface Figures {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Req = { method: string; path: string; body?: string; headers?: Record<string, string> };
const autocannon = (await import('autocannon' as string)).default as (o: {
  url: string;
  connections: number;
  duration: number;
  requests: (Req & { setupRequest: (r: Req) => Req })[];
}) => Promise<Figures>;

export interface LoadJob {
  url: string;
  path: string;
  listIds: string[];
  /** known0…known<known-1>@bench.example exist as contacts. */
  known: number;
  connections: number;
  warmupS: number;
  durationS: number;
  /** The per-address limit: how many of one address's submissions can be stored. */
  perAddress: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Requests sent in all (warm-up and run). */
  sent: number;
  /** Σ over addresses of min(requests, perAddress): the most rows the app can store for what was sent. */
  storable: number;
}

const NAMES = ['Lena', 'Zoë', 'Jürgen', 'Łucja', 'Mário', '李娜', 'O’Brien', 'Anaïs', 'Søren', 'Ada'];
const REPEATED = 100;

function mix(job: LoadJob) {
  const perAddress = new Map<string, number>();
  let k = 0;
  const next = () => {
    const i = k++;
    const slot = i % 20;
    const email =
      slot === 0
        ? `known${(i * 7919) % job.known}@bench.example`
        : slot <= 2
          ? `Repeat${i % REPEATED}@Bench.Example`
          : `person-${i}@example.org`;
    perAddress.set(email.toLowerCase(), (perAddress.get(email.toLowerCase()) ?? 0) + 1);
    const body: Record<string, unknown> = { email, consent: i % 4 === 0 ? '4' : '3' };
    if (i % 5 !== 0) body.name = NAMES[i % NAMES.length];
    const lists = i % 3 === 0 ? job.listIds : [job.listIds[i % 2]!];
    if (i % 7 !== 0) body.lists = lists;
    body.website = '';
    const ip = Math.floor(i / 3) % 65_536;
    return { body: JSON.stringify(body), ip: `198.18.${ip >> 8}.${ip & 255}` };
  };
  return { next, perAddress, sent: () => k };
}

async function drive(job: LoadJob, durationS: number, next: ReturnType<typeof mix>['next']) {
  return autocannon({
    url: job.url,
    connections: job.connections,
    duration: durationS,
    requests: [
      {
        method: 'POST',
        path: job.path,
        setupRequest: (req) => {
          const b = next();
          return { ...req, body: b.body, headers: { 'content-type': 'application/json', 'x-forwarded-for': b.ip } };
        },
      },
    ],
  });
}

process.on('message', async (job: LoadJob) => {
  const m = mix(job);
  if (job.warmupS > 0) await drive(job, job.warmupS, m.next);
  const r = await drive(job, job.durationS, m.next);
  let storable = 0;
  for (const n of m.perAddress.values()) storable += Math.min(n, job.perAddress);
  const result: LoadResult = {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    total: r.requests.total,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    sent: m.sent(),
    storable,
  };
  process.send!(result, () => process.exit(0));
});
