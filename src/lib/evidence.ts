import { isIP } from 'node:net';

/**
 * Request evidence, minimised before it is stored: an IPv4 address loses its last octet, an
 * IPv6 address its last 80 bits (what remains names a network, not a device); a user agent
 * is cut to a length that identifies the browser family, not the person.
 */
export function truncateIp(ip: string | undefined | null): string | null {
  if (!ip) return null;
  let s = ip.trim();
  if (s.startsWith('::ffff:') && isIP(s.slice(7)) === 4) s = s.slice(7);
  const kind = isIP(s);
  if (kind === 4) return s.split('.').slice(0, 3).concat('0').join('.');
  if (kind === 6) {
    const groups = expandIpv6(s);
    return compressIpv6([...groups.slice(0, 3), 0, 0, 0, 0, 0]);
  }
  return null;
}

function expandIpv6(s: string): number[] {
  let addr = s.split('%')[0]!;
  // An embedded IPv4 tail (::a.b.c.d) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    addr = addr.slice(0, -v4[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = addr.includes('::') ? (addr.split('::') as [string, string]) : [addr, null];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail ? tail.split(':').filter(Boolean) : [];
  const fill = tail === null ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

function compressIpv6(groups: number[]): string {
  const hex = groups.map((g) => g.toString(16));
  // Collapse the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const MAX_USER_AGENT = 200;

export function truncateUserAgent(ua: string | undefined | null): string | null {
  if (!ua) return null;
  // eslint-disable-next-line no-control-regex
  const clean = ua.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean ? clean.slice(0, MAX_USER_AGENT) : null;
}

/**
 * The client a login throttle counts against (before it is hashed): an IPv4 address whole, an
 * IPv6 address by its /64, the block one host or home usually holds, so stepping through the
 * addresses of its own block gives a guesser no new budget. Anything else is taken as given.
 */
export function throttleClient(ip: string | undefined | null): string {
  if (!ip) return '';
  let s = ip.trim();
  if (s.startsWith('::ffff:') && isIP(s.slice(7)) === 4) s = s.slice(7);
  const kind = isIP(s);
  if (kind === 6) return `${compressIpv6([...expandIpv6(s).slice(0, 4), 0, 0, 0, 0])}/64`;
  return s;
}
