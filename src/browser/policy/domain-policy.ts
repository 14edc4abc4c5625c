import {
  canonicalAddress,
  DomainPatternError,
  hostMatches,
  normalizeHost,
  parseHostPatterns,
  parseUrl,
  type HostPattern,
} from '../../host-patterns.js';

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
    const blockedBy = this.blocked.find((p) => hostMatches(p, host));
    if (blockedBy) return { allowed: false, reason: `${host} matches the blocked domain ${blockedBy.text} (--blocked-domains)` };
    if (this.allowed.length && !this.allowed.some((p) => hostMatches(p, host))) {
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
    const blockedBy = this.blocked.find((p) => hostMatches(p, canonical));
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
