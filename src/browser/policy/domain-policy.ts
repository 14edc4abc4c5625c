import net from 'node:net';

/**
 * Which hosts and URL schemes a browser session may reach. Pure logic: the
 * enforcement lives in guard.ts (request routing) and proxy.ts
 * (the network path).
 */

export type Verdict = { allowed: true } | { allowed: false; reason: string };

/** Schemes a page may be opened at without asking. */
const NAVIGABLE_SCHEMES = new Set(['http', 'https', 'about', 'blob']);
/** Schemes that show local or browser-internal content; off unless --allow-schemes names them. */
export const OPT_IN_SCHEMES = ['file', 'data', 'view-source', 'chrome'] as const;
/** Schemes whose requests go to a host on the network. */
const NETWORK_SCHEMES = new Set(['http', 'https', 'ws', 'wss']);

export class DomainPatternError extends Error {
  constructor(
    message: string,
    /** The option that was wrong: a DomainPolicyOptions field, or --confirm-domains. */
    readonly field: keyof DomainPolicyOptions | 'confirmDomains',
  ) {
    super(message);
  }
}

interface HostPattern {
  /** As the user wrote it, for messages. */
  text: string;
  /** Normalised host (lower case, punycode); '' for the bare wildcard. */
  host: string;
  /** `*.example.com`: the host and every subdomain. */
  wildcard: boolean;
}

function normalizeHost(host: string): string {
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
function parseHostPatterns(list: string | undefined, field: DomainPatternError['field']): HostPattern[] {
  if (!list) return [];
  return list
    .split(',')
    .filter((item) => item.trim() !== '')
    .map((item) => parsePattern(item, field));
}

function matches(pattern: HostPattern, host: string): boolean {
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
    return this.patterns.find((p) => matches(p, normalizeHost(host)))?.text;
  }
}

/** The URL and its scheme without the colon; undefined when it does not parse. */
function parseUrl(raw: string): { url: URL; scheme: string } | undefined {
  try {
    const url = new URL(raw);
    return { url, scheme: url.protocol.slice(0, -1) };
  } catch {
    return undefined;
  }
}

export interface DomainPolicyOptions {
  allowedDomains?: string;
  blockedDomains?: string;
  /** Comma-separated OPT_IN_SCHEMES to allow for top-level pages. */
  allowSchemes?: string;
}

export class DomainPolicy {
  private readonly allowed: HostPattern[];
  private readonly blocked: HostPattern[];
  private readonly extraSchemes: Set<string>;

  constructor(options: DomainPolicyOptions = {}) {
    this.allowed = parseHostPatterns(options.allowedDomains, 'allowedDomains');
    this.blocked = parseHostPatterns(options.blockedDomains, 'blockedDomains');
    const schemes = (options.allowSchemes ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase().replace(/:$/, ''))
      .filter(Boolean);
    for (const scheme of schemes) {
      if (!(OPT_IN_SCHEMES as readonly string[]).includes(scheme)) {
        throw new DomainPatternError(
          `${JSON.stringify(scheme)} is not a scheme that can be allowed; choose from ${OPT_IN_SCHEMES.join(', ')}`,
          'allowSchemes',
        );
      }
    }
    this.extraSchemes = new Set(schemes);
  }

  /** True when some host is off limits: then every request is checked, not only navigations. */
  get restrictsHosts(): boolean {
    return this.allowed.length > 0 || this.blocked.length > 0;
  }

  /** One line for logs and docs: what this policy lets through. */
  describe(): string {
    const parts = [
      this.allowed.length ? `allowed domains: ${this.allowed.map((p) => p.text).join(', ')}` : 'all domains allowed',
      ...(this.blocked.length ? [`blocked domains: ${this.blocked.map((p) => p.text).join(', ')}`] : []),
      `top-level schemes: ${['http', 'https', 'about', 'blob', ...this.extraSchemes].join(', ')}`,
    ];
    return parts.join('; ');
  }

  checkHost(rawHost: string): Verdict {
    const host = normalizeHost(rawHost);
    const blockedBy = this.blocked.find((p) => matches(p, host));
    if (blockedBy) return { allowed: false, reason: `${host} matches the blocked domain ${blockedBy.text} (--blocked-domains)` };
    if (this.allowed.length && !this.allowed.some((p) => matches(p, host))) {
      return {
        allowed: false,
        reason: `${host} is not in the allowed domains ${this.allowed.map((p) => p.text).join(', ')} (--allowed-domains)`,
      };
    }
    return { allowed: true };
  }

  /**
   * An address a host name resolved to, checked before connecting: a name
   * that is allowed must not lead to an address that is blocked.
   */
  checkAddress(name: string, address: string): Verdict {
    const canonical = canonicalAddress(address);
    const blockedBy = this.blocked.find((p) => matches(p, canonical));
    if (blockedBy)
      return {
        allowed: false,
        reason: `${name} resolves to ${canonical}, which matches the blocked domain ${blockedBy.text} (--blocked-domains)`,
      };
    return { allowed: true };
  }

  /** Any request a page makes (document, frame, fetch, image, socket...). */
  checkRequest(rawUrl: string): Verdict {
    const parsed = parseUrl(rawUrl);
    if (!parsed) return { allowed: true };
    const { url, scheme } = parsed;
    if (NETWORK_SCHEMES.has(scheme)) return this.checkHost(url.hostname);
    if (scheme === 'file' && !this.extraSchemes.has('file')) return schemeBlocked('file');
    return { allowed: true };
  }

  /** A page opened at the top level: by navigate, new_session or --start-url. */
  checkNavigation(rawUrl: string): Verdict {
    const scheme = parseUrl(rawUrl)?.scheme;
    if (scheme === undefined) return { allowed: false, reason: `${JSON.stringify(rawUrl)} is not a URL` };
    if (NAVIGABLE_SCHEMES.has(scheme)) return this.checkRequest(rawUrl);
    if (!this.extraSchemes.has(scheme)) {
      return (OPT_IN_SCHEMES as readonly string[]).includes(scheme)
        ? schemeBlocked(scheme)
        : { allowed: false, reason: `${scheme}: pages cannot be opened; use an http or https URL` };
    }
    // view-source:https://host/ still goes to that host.
    if (scheme === 'view-source') return this.checkNavigation(rawUrl.slice('view-source:'.length));
    return { allowed: true };
  }
}

function schemeBlocked(scheme: string): Verdict {
  return { allowed: false, reason: `${scheme}: URLs are blocked by default (allow them with --allow-schemes ${scheme})` };
}

/** What a blocked document shows instead, so the screenshot explains itself. */
export function blockedPage(url: string, reason: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Blocked by policy</title></head>
<body style="font:18px sans-serif;margin:40px"><h1>Blocked by the domain policy</h1>
<p>${escape(url)}</p><p>${escape(reason)}</p></body></html>`;
}

/** Response header that marks a page the policy served instead of the real one. */
export const BLOCKED_HEADER = 'x-cua-blocked';
