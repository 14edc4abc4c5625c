/** --oauth-*: this server as an OAuth 2.1 resource server of one authorization server (see oauth.ts). */
export interface OAuthConfig {
  /** The authorization server's issuer URL, exactly as its tokens' `iss` says it. */
  issuer: string;
  /** This server's URL as clients reach it (the RFC 9728 `resource`); undefined: the URL it listens at. */
  resource?: string;
  /** The `aud` every access token must carry; undefined: the resource. */
  audience?: string;
  /** Scopes every access token must carry, all of them. */
  scopes: string[];
}

export interface OAuthOptionValues {
  oauthIssuer?: string | boolean;
  oauthResource?: string | boolean;
  oauthAudience?: string | boolean;
  oauthScopes?: string | boolean;
}

function text(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** An http(s) URL; plain http only on this machine (OAuth 2.1 requires TLS for everything else). */
function secureUrl(flag: string, value: string, isLoopback: (host: string) => boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--${flag} must be a URL (https://login.example.com/realms/team), got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new Error(`--${flag} must be an https URL (plain http only on localhost), got ${JSON.stringify(value)}`);
  }
  if (url.search || url.hash) throw new Error(`--${flag} must not have a query or fragment, got ${JSON.stringify(value)}`);
  return url;
}

/**
 * The OAuth settings of the HTTP server, or undefined without --oauth-issuer.
 * Throws (naming the option) on a bad value, on the other --oauth-* options
 * without an issuer, and when the server listens beyond this machine without
 * --oauth-resource (the URL it listens at is then not the one clients use,
 * and tokens must name the one they use).
 */
export function resolveOAuth(
  values: OAuthOptionValues,
  listensOnLoopback: boolean,
  isLoopback: (host: string) => boolean,
): OAuthConfig | undefined {
  const issuer = text(values.oauthIssuer);
  const resource = text(values.oauthResource);
  const audience = text(values.oauthAudience);
  const scopes = (text(values.oauthScopes) ?? '').split(/[\s,]+/).filter(Boolean);
  if (!issuer) {
    const stray = [resource && 'oauth-resource', audience && 'oauth-audience', scopes.length && 'oauth-scopes'].filter(Boolean);
    if (stray.length)
      throw new Error(`--${stray.join(', --')} need --oauth-issuer (CUA_OAUTH_ISSUER), the authorization server whose tokens to accept`);
    return undefined;
  }
  secureUrl('oauth-issuer', issuer, isLoopback);
  if (resource) secureUrl('oauth-resource', resource, isLoopback);
  else if (!listensOnLoopback) {
    throw new Error(
      '--oauth-issuer on an address beyond this machine needs --oauth-resource (CUA_OAUTH_RESOURCE): the https URL of /mcp as clients reach it (https://cua.example.com/mcp)',
    );
  }
  return { issuer, resource, audience, scopes };
}
