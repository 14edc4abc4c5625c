import { ConfigError, integer, list, type RawOptions } from '../config.js';
import { AUTH_TOKEN_PRINCIPAL } from '../session/principal-ids.js';
import { readAuthTokens, type TokenPrincipal } from './auth-tokens.js';
import { resolveOAuth, type OAuthConfig } from './oauth-options.js';
import { ONE_USER_PRINCIPALS } from '../session/principal-ids.js';

/** Serving MCP over Streamable HTTP (--port and what goes with it). */
export interface HttpConfig {
  port: number;
  host: string;
  authToken?: string;
  /** The tokens accepted (--auth-token's and --auth-tokens'), each with its principal; empty: no token needed, one local principal. */
  tokens: TokenPrincipal[];
  /** --oauth-issuer and its options: access tokens of that authorization server are accepted too. */
  oauth?: OAuthConfig;
  /** Lower-case host names (no port) accepted in Host and Origin; '*' accepts any. */
  allowedHosts: string[];
  /** Exact origins accepted besides those of allowedHosts; '*' accepts any. */
  allowedOrigins: string[];
  maxBodyBytes: number;
  /** Most MCP sessions open at once; 0 = no limit. */
  maxClients: number;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export function isLoopback(host: string): boolean {
  return ['localhost', '::1', '[::1]'].includes(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** "MyBox.lan:8931" → "mybox.lan": the Host check compares names, whatever the port. */
function hostnameOnly(host: string): string {
  if (host === '*') return host;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return host.toLowerCase();
  }
}

/** The HTTP slice of the options (set when --port is). */
export function resolveHttp(raw: RawOptions): HttpConfig {
  const host = typeof raw.host === 'string' && raw.host !== '' ? raw.host : '127.0.0.1';
  const authToken = typeof raw.authToken === 'string' && raw.authToken !== '' ? raw.authToken : undefined;
  const tokens = authToken ? [{ token: authToken, principal: AUTH_TOKEN_PRINCIPAL }] : [];
  if (typeof raw.authTokens === 'string' && raw.authTokens !== '') {
    try {
      tokens.push(...readAuthTokens(raw.authTokens));
    } catch (error) {
      throw new ConfigError(`--auth-tokens (CUA_AUTH_TOKENS): ${(error as Error).message}`, { cause: error });
    }
    // A named principal that took one of these would share that user's sessions, runs and files.
    const taken = tokens.slice(authToken ? 1 : 0).find((t) => ONE_USER_PRINCIPALS.includes(t.principal));
    if (taken) {
      throw new ConfigError(
        `--auth-tokens (CUA_AUTH_TOKENS): the name "${taken.principal}" is the server's own for its one user (${ONE_USER_PRINCIPALS.join(', ')}); give that principal another name.`,
      );
    }
  }
  let oauth: OAuthConfig | undefined;
  try {
    oauth = resolveOAuth(raw, isLoopback(host), isLoopback);
  } catch (error) {
    throw new ConfigError((error as Error).message, { cause: error });
  }
  if (!isLoopback(host) && !tokens.length && !oauth) {
    throw new ConfigError(
      `Refusing to listen on ${host} without a token: anyone who reaches it could drive the browser with your cookies. ` +
        'Set --auth-token (CUA_AUTH_TOKEN) or --oauth-issuer (CUA_OAUTH_ISSUER), or listen on 127.0.0.1.',
    );
  }
  // A concrete bind address is a name clients legitimately use; a wildcard one is not.
  const bindName = ['0.0.0.0', '::', '[::]'].includes(host) ? [] : [host.includes(':') && !host.startsWith('[') ? `[${host}]` : host];
  return {
    port: integer('port', raw.port, 0, 65535),
    host,
    authToken,
    tokens,
    oauth,
    allowedHosts: [...new Set([...LOOPBACK_NAMES, ...bindName, ...list(raw.allowedHosts)].map(hostnameOnly))],
    allowedOrigins: list(raw.allowedOrigins).map((o) => (o === '*' ? o : o.replace(/\/+$/, '').toLowerCase())),
    maxBodyBytes: integer('maxBody', raw.maxBody, 1024, 1024 * 1024 * 1024),
    maxClients: integer('maxClients', raw.maxClients, 0, 100_000),
  };
}
