import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpConfig } from './http-config.js';
import { LOCAL_PRINCIPAL } from '../session/principal-ids.js';

/** Why a request is turned away, before it reaches any MCP session. */
export interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

function hostnameOf(value: string, withScheme: boolean): string | undefined {
  try {
    return new URL(withScheme ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * DNS rebinding defence: the Host must be a name this server answers to.
 * A page on evil.example that resolves to 127.0.0.1 still sends Host: evil.example.
 */
function checkHost(headers: IncomingHttpHeaders, config: HttpConfig): Refusal | undefined {
  if (config.allowedHosts.includes('*')) return undefined;
  const host = headers.host ? hostnameOf(headers.host, false) : undefined;
  if (host && config.allowedHosts.includes(host)) return undefined;
  return {
    status: 403,
    message: `Forbidden: Host ${JSON.stringify(headers.host ?? '')} is not one this server answers to (${config.allowedHosts.join(', ')}). Add it with --allowed-hosts if it is yours.`,
  };
}

/** Browsers send Origin on cross-site requests; the MCP spec requires 403 for an invalid one. */
function checkOrigin(headers: IncomingHttpHeaders, config: HttpConfig): Refusal | undefined {
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  const normalized = origin.replace(/\/+$/, '').toLowerCase();
  if (config.allowedOrigins.includes('*') || config.allowedOrigins.includes(normalized)) return undefined;
  const hostname = hostnameOf(origin, true);
  if (hostname && origin !== 'null' && config.allowedHosts.includes(hostname)) return undefined;
  return {
    status: 403,
    message: `Forbidden: Origin ${JSON.stringify(origin)} is not allowed. Add it with --allowed-origins if that web page may drive the browser.`,
  };
}

/** Said wherever a client may be looking for how to authenticate (401s, and the OAuth paths it probes). */
export const HOW_TO_SEND_TOKEN =
  'Send the header "Authorization: Bearer <token>" with the token the server was started with (--auth-token / CUA_AUTH_TOKEN); this server does not use OAuth.';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Who is calling: the principal of the bearer token (compared as digests,
 * so constant-time whatever the lengths), or the one local principal when
 * the server takes no token.
 */
export function authenticate(headers: IncomingHttpHeaders, config: HttpConfig): { principal: string } | Refusal {
  if (!config.tokens.length) return { principal: LOCAL_PRINCIPAL };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  const given = match ? digest(match[1]!) : undefined;
  // Every token is compared, so the time taken says nothing about which one (if any) matched.
  const found = config.tokens.reduce<string | undefined>(
    (hit, { token, principal }) => (given && timingSafeEqual(given, digest(token)) ? principal : hit),
    undefined,
  );
  if (found) return { principal: found };
  return {
    status: 401,
    message: match
      ? 'Unauthorized: the bearer token is wrong. Send the one the server was started with (--auth-token / CUA_AUTH_TOKEN).'
      : `Unauthorized: this server requires a bearer token. ${HOW_TO_SEND_TOKEN}`,
    headers: { 'WWW-Authenticate': match ? 'Bearer realm="cua-mcp", error="invalid_token"' : 'Bearer realm="cua-mcp"' },
  };
}

/** Whether the request comes from a place allowed to talk to this server at all (before any path or token check). */
export function checkCaller(headers: IncomingHttpHeaders, config: HttpConfig): Refusal | undefined {
  return checkHost(headers, config) ?? checkOrigin(headers, config);
}
