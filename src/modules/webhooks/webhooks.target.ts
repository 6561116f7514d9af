import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../lib/errors.ts';

/**
 * Where a webhook may point (SSRF): a public address, over https. The ranges below are never
 * reached unless the installation allows a range explicitly (ASSENT_WEBHOOK_ALLOW_RANGES): the
 * host itself, the networks behind it and the cloud metadata service.
 */
const FORBIDDEN: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, with the metadata service at 169.254.169.254
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // protocol assignments
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['64:ff9b::', 96, 'ipv6'], // NAT64: an IPv4 address behind a translator
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // site-local (deprecated)
  ['ff00::', 8, 'ipv6'], // multicast
];

const forbidden = new BlockList();
for (const [net, prefix, type] of FORBIDDEN) forbidden.addSubnet(net, prefix, type);

/** What the installation allows beyond public https (configuration, not the API: an API key cannot open a range). */
export interface TargetPolicy {
  allowHttp: boolean;
  /** CIDRs (`127.0.0.0/8`, `fd00::/8`) or single addresses reachable despite FORBIDDEN. */
  allowRanges: readonly string[];
}

/** A checked address to connect to, and the family to connect with. */
export interface Resolved {
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/** Names that are the host itself however they resolve. */
function isLocalName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === 'localhost.localdomain' || h === 'ip6-localhost' || h === 'ip6-loopback';
}

function refuse(message: string): never {
  throw new AppError('webhook_target_refused', message, [{ path: '/url', message }]);
}

export class TargetGuard {
  private readonly allowed = new BlockList();

  constructor(
    readonly policy: TargetPolicy,
    private readonly resolve: Resolver = systemResolver,
  ) {
    for (const r of policy.allowRanges) {
      const [net, bits] = r.split('/');
      const type = isIP(net ?? '');
      if (type === 0) throw new Error(`webhook allowance ${r} is not an address or CIDR`);
      const family = type === 4 ? 'ipv4' : 'ipv6';
      const prefix = bits === undefined ? (type === 4 ? 32 : 128) : Number(bits);
      this.allowed.addSubnet(net!, prefix, family);
    }
  }

  /** True when the address may be connected to: an allowed range, or not a forbidden one. */
  addressAllowed(address: string): boolean {
    const type = isIP(address);
    if (type === 0) return false;
    const family = type === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(address, family)) return true;
    return !forbidden.check(address, family);
  }

  /**
   * The checks a URL can pass before any lookup (when saved, and again at each delivery): a
   * URL, https (or http where allowed), no credentials, no fragment, and a host that is not a
   * forbidden address written out or a name of the host itself. Returns the parsed URL.
   */
  checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      refuse('not a URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.policy.allowHttp))
      refuse(this.policy.allowHttp ? 'the URL must be http or https' : 'the URL must be https');
    if (url.username || url.password) refuse('the URL must not carry credentials: the signature authenticates Assent');
    if (url.hash) refuse('the URL must not have a fragment');
    const host = hostOf(url);
    if (isIP(host)) {
      if (!this.addressAllowed(host)) refuse('the URL names a loopback, private, link-local or metadata address');
    } else if (isLocalName(host) && !this.addressAllowed('127.0.0.1')) {
      refuse('the URL names this host');
    }
    return url;
  }

  /**
   * Resolves the URL's host at delivery time and checks every address it resolves to: one
   * forbidden address refuses the target (a name that also points inside is not a public
   * endpoint). The caller connects to the address returned, so a second lookup cannot swap it.
   */
  async resolveTarget(url: URL): Promise<Resolved> {
    const host = hostOf(url);
    const literal = isIP(host);
    if (literal) {
      if (!this.addressAllowed(host)) refuse('the URL names a loopback, private, link-local or metadata address');
      return { address: host, family: literal as 4 | 6 };
    }
    let found: { address: string; family: number }[];
    try {
      found = await this.resolve(host);
    } catch {
      throw new AppError('webhook_target_refused', 'the host name does not resolve', [{ path: '/url', message: 'does not resolve' }]);
    }
    if (found.length === 0) refuse('the host name does not resolve');
    for (const a of found)
      if (!this.addressAllowed(a.address)) refuse('the host name resolves to a loopback, private, link-local or metadata address');
    const first = found[0]!;
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}
