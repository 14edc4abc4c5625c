import net from 'node:net';

/** An address that is not a URL even with a scheme added: reported as such, not as a policy verdict. */
export class UrlParseError extends Error {}

/** Hosts a browser opens over plain http when typed without a scheme: this machine and private networks. */
function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (net.isIPv6(host)) return host === '::1' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  return false;
}

/**
 * The one reading of a typed address, for navigate, start_url, --start-url
 * and the address bar: anything with a scheme is taken as given; a bare
 * `host[:port][/path]` gets http:// for this machine and private addresses
 * (127.0.0.1:8765, localhost:3000, [::1]:8080, 10.0.0.5), as browsers do,
 * and https:// for every other host (example.com).
 */
export function normalizeUrl(input: string): string {
  const trimmed = input.trim();
  // "localhost:3000" parses as scheme "localhost"; a port after the colon makes it a host.
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !/^[^:/]+:\d+(\/|$)/.test(trimmed);
  try {
    if (hasScheme) return new URL(trimmed).href;
    const scheme = isLocalHost(new URL(`http://${trimmed}`).hostname) ? 'http' : 'https';
    return new URL(`${scheme}://${trimmed}`).href;
  } catch {
    throw new UrlParseError(
      `Not a valid URL: ${JSON.stringify(input)}. Give an address such as https://example.com/page, example.com or 127.0.0.1:8080`,
    );
  }
}
