import net from 'node:net';

/**
 * Host patterns as the options spell them (example.com, *.example.com, an IP
 * address, *), and the one spelling of a host they are compared in. Used by
 * the browser's domain policy and by the loop's --confirm-domains.
 */

export class DomainPatternError extends Error {
  constructor(
    message: string,
    /** The option that was wrong. */
    readonly field: 'allowedDomains' | 'blockedDomains' | 'allowSchemes' | 'confirmDomains',
  ) {
    super(message);
  }
}

export interface HostPattern {
  /** As the user wrote it, for messages. */
  text: string;
  /** Normalised host (lower case, punycode); '' for the bare wildcard. */
  host: string;
  /** `*.example.com`: the host and every subdomain. */
  wildcard: boolean;
}

export function normalizeHost(host: string): string {
  return canonicalAddress(host.toLowerCase().replace(/\.$/, ''));
}

/**
 * An IP address in the one spelling the policy compares, as the host a
 * connection to it reaches: every IPv4 form as dotted decimal, IPv6
 * compressed in brackets, an IPv4-mapped IPv6 address as its IPv4 address,
 * and the unspecified addresses (0.0.0.0, [::], which connect to this
 * machine) as loopback. Names are returned as they are.
 */
export function canonicalAddress(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const family = net.isIP(bare);
  if (family === 0) return host;
  const spelled = new URL(`http://${family === 6 ? `[${bare}]` : bare}/`).hostname;
  if (spelled === '0.0.0.0') return '127.0.0.1';
  if (spelled === '[::]') return '[::1]';
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(spelled);
  if (!mapped) return spelled;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return canonicalAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
}

function parsePattern(text: string, field: DomainPatternError['field']): HostPattern {
  const trimmed = text.trim();
  if (trimmed === '*') return { text: trimmed, host: '', wildcard: true };
  const wildcard = trimmed.startsWith('*.');
  const rest = wildcard ? trimmed.slice(2) : trimmed;
  const problem = (why: string) =>
    new DomainPatternError(
      `${JSON.stringify(text)} is not a host pattern (${why}); write example.com, *.example.com, an IP address, or *`,
      field,
    );
  if (rest.includes('*')) throw problem('a * may only stand alone or start the pattern as *.');
  if (/[/\s@?#]/.test(rest) || /^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) throw problem('give the host alone, without scheme, path or port');
  // A colon is only allowed inside an IPv6 literal; ports are not part of the policy.
  if (rest.includes(':') && !/^\[[0-9a-f:.]+\]$/i.test(rest)) throw problem('give the host alone, without scheme, path or port');
  let host: string;
  try {
    host = new URL(`http://${rest}/`).hostname;
  } catch {
    throw problem('not a valid host name');
  }
  if (!host) throw problem('empty');
  return { text: trimmed, host: normalizeHost(host), wildcard };
}

/** Parses a comma-separated pattern list; empty items are ignored. */
export function parseHostPatterns(list: string | undefined, field: DomainPatternError['field']): HostPattern[] {
  if (!list) return [];
  return list
    .split(',')
    .filter((item) => item.trim() !== '')
    .map((item) => parsePattern(item, field));
}

export function hostMatches(pattern: HostPattern, host: string): boolean {
  if (pattern.host === '') return true;
  return host === pattern.host || (pattern.wildcard && host.endsWith(`.${pattern.host}`));
}

/** Host patterns spelled as in --allowed-domains, for the options that name sites (--confirm-domains). */
export class HostPatterns {
  private readonly patterns: HostPattern[];

  constructor(list: string | undefined, field: DomainPatternError['field']) {
    this.patterns = parseHostPatterns(list, field);
  }

  get size(): number {
    return this.patterns.length;
  }

  /** The pattern (as written) the URL's host matches; undefined when none does or it has no host. */
  match(url: string | undefined): string | undefined {
    const host = url ? parseUrl(url)?.url.hostname : undefined;
    if (!host) return undefined;
    return this.patterns.find((p) => hostMatches(p, normalizeHost(host)))?.text;
  }
}

/** The URL and its scheme without the colon; undefined when it does not parse. */
export function parseUrl(raw: string): { url: URL; scheme: string } | undefined {
  try {
    const url = new URL(raw);
    return { url, scheme: url.protocol.slice(0, -1) };
  } catch {
    return undefined;
  }
}
