import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { HttpConfig } from './http-config.js';
import { log } from '../log.js';
import { authenticate, type Refusal } from './http-guard.js';
import type { OAuthConfig } from './oauth-options.js';

/** Clock skew allowed between this machine and the authorization server when checking exp and nbf. */
const CLOCK_TOLERANCE_S = 30;
const DISCOVERY_TIMEOUT_MS = 10_000;
const METADATA_PATH = '/.well-known/oauth-protected-resource';

/** Characters kept as they are in a principal id; every other byte is %XX, so ids stay file names and never collide. */
function escapeId(value: string): string {
  const escaped = value.replace(/[^\w.@+-]/gu, (c) =>
    [...Buffer.from(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return escaped.length <= 64 ? escaped : `sha256-${createHash('sha256').update(value).digest('hex').slice(0, 32)}`;
}

/**
 * The principal of a token's subject: `SUB~ISSUER` (the issuer without its
 * scheme), so a subject of another issuer, or an --auth-tokens name (which
 * cannot hold `~` or `%`), is never the same principal. Principal ids name
 * recordings on disk: every character is a file-name one.
 */
export function oauthPrincipal(issuer: string, subject: string): string {
  return `${escapeId(subject)}~${escapeId(issuer.replace(/^https?:\/\//, '').replace(/\/+$/, ''))}`;
}

/** Scopes a token carries: `scope` (RFC 9068, space-separated) or `scp` (Entra ID: a string; Okta: an array). */
function scopesOf(payload: JWTPayload): Set<string> {
  const found = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    const values = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
    for (const value of values) if (typeof value === 'string' && value) found.add(value);
  }
  return found;
}

/** A claim value in a message: the token's own claims are no secret, but keep them short. */
function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? 'nothing';
  return json.length > 200 ? `${json.slice(0, 200)}...` : json;
}

function when(seconds: unknown): string {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : 'an unknown time';
}

/** Where the issuer says its keys are: OpenID discovery, then RFC 8414 metadata; the metadata must name this very issuer. */
async function discoverJwksUri(issuer: string): Promise<URL> {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  const candidates = [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
  const tried: string[] = [];
  for (const candidate of candidates) {
    let metadata: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(candidate, {
        signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
        redirect: 'error',
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) {
        tried.push(`${candidate} (HTTP ${response.status})`);
        continue;
      }
      metadata = (await response.json()) as typeof metadata;
    } catch (error) {
      tried.push(`${candidate} (${(error as Error).message})`);
      continue;
    }
    if (metadata.issuer !== issuer) {
      throw new Error(
        `${candidate} names the issuer ${shown(metadata.issuer)}, not ${shown(issuer)}: set --oauth-issuer to exactly what the authorization server calls itself`,
      );
    }
    if (typeof metadata.jwks_uri !== 'string')
      throw new Error(`${candidate} names no jwks_uri: the authorization server publishes no keys to check its tokens with`);
    return new URL(metadata.jwks_uri);
  }
  throw new Error(`cannot read the metadata of the authorization server ${issuer}: tried ${tried.join(', ')}`);
}

/**
 * This server as an OAuth 2.1 resource server (the MCP authorization spec):
 * it publishes its protected resource metadata (RFC 9728) naming the
 * authorization server, and accepts a JWT access token only if it verifies
 * against the keys that server publishes, was issued by it, names this
 * resource as its audience, has not expired and carries the required scopes.
 * Verifying is jose's; nothing here is crypto of our own.
 */
export class OAuthResourceServer {
  readonly resource: string;
  readonly audience: string;
  /** Where the metadata is, per RFC 9728: the well-known path with the resource's path after it. */
  readonly metadataUrl: string;
  private readonly metadataPaths: Set<string>;
  private jwks: Promise<{ keys: JWTVerifyGetKey; uri: URL }> | undefined;

  constructor(
    private readonly config: OAuthConfig,
    /** The URL the server listens at, the resource when --oauth-resource is not given. */
    listenUrl: string,
  ) {
    this.resource = config.resource ?? listenUrl;
    this.audience = config.audience ?? this.resource;
    const resource = new URL(this.resource);
    const suffix = resource.pathname === '/' ? '' : resource.pathname.replace(/\/+$/, '');
    this.metadataUrl = `${resource.origin}${METADATA_PATH}${suffix}`;
    // The root form too: clients that predate path-suffixed metadata (and people) look there.
    this.metadataPaths = new Set([METADATA_PATH, `${METADATA_PATH}${suffix}`]);
  }

  get issuer(): string {
    return this.config.issuer;
  }

  /** The RFC 9728 document, for a GET of one of its paths; undefined for any other path. */
  metadataAt(path: string): Record<string, unknown> | undefined {
    if (!this.metadataPaths.has(path)) return undefined;
    return {
      resource: this.resource,
      authorization_servers: [this.config.issuer],
      ...(this.config.scopes.length ? { scopes_supported: this.config.scopes } : {}),
      bearer_methods_supported: ['header'],
      resource_name: 'cua-mcp',
    };
  }

  /** The issuer's key set, found once; a failure is forgotten, so the next request tries again. */
  keys(): Promise<{ keys: JWTVerifyGetKey; uri: URL }> {
    this.jwks ??= discoverJwksUri(this.config.issuer).then(
      (uri) => ({ keys: createRemoteJWKSet(uri), uri }),
      (error: unknown) => {
        this.jwks = undefined;
        throw error;
      },
    );
    return this.jwks;
  }

  /** A challenge per RFC 6750 and RFC 9728: how to get a token, and (for a bad one) what was wrong, briefly. */
  private challenge(error?: { code: string; description: string }): Record<string, string> {
    const params = [
      ...(error ? [`error="${error.code}"`, `error_description="${error.description}"`] : []),
      ...(this.config.scopes.length ? [`scope="${this.config.scopes.join(' ')}"`] : []),
      `resource_metadata="${this.metadataUrl}"`,
    ];
    return { 'WWW-Authenticate': `Bearer ${params.join(', ')}` };
  }

  private invalid(description: string, message: string): Refusal {
    return { status: 401, message: `Unauthorized: ${message}`, headers: this.challenge({ code: 'invalid_token', description }) };
  }

  /**
   * Who is calling: the principal of a verified access token's subject (or
   * of an --auth-token / --auth-tokens token, which keep working beside
   * OAuth), or why not. No message repeats the token.
   */
  async authenticate(headers: IncomingHttpHeaders, http: HttpConfig): Promise<{ principal: string } | Refusal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!match) {
      return {
        status: 401,
        message:
          `Unauthorized: this server requires an OAuth access token from ${this.config.issuer}. ` +
          `An MCP client that supports OAuth signs you in by itself (it finds how in ${this.metadataUrl}); ` +
          'otherwise get a token for this resource and send "Authorization: Bearer <token>".',
        headers: this.challenge(),
      };
    }
    if (http.tokens.length) {
      const fixed = authenticate(headers, http);
      if ('principal' in fixed) return fixed;
    }
    let jwks: { keys: JWTVerifyGetKey; uri: URL };
    try {
      jwks = await this.keys();
    } catch (error) {
      return this.unavailable((error as Error).message);
    }
    let payload: JWTPayload;
    let typ: string | undefined;
    try {
      ({
        payload,
        protectedHeader: { typ },
      } = await jwtVerify(match[1]!, jwks.keys, {
        issuer: this.config.issuer,
        audience: this.audience,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      return this.refusalOf(error, jwks.uri);
    }
    // RFC 9068 access tokens say at+jwt, many providers' plain JWT; any other type (logout+jwt...) is another kind of token of the issuer.
    const type = typ?.toLowerCase().replace(/^application\//, '');
    if (type !== undefined && type !== 'at+jwt' && type !== 'jwt') {
      return this.invalid(
        'the token is not an access token',
        `the bearer token is a ${type} token of ${this.config.issuer}, not an access token (at+jwt): send the access token the client got.`,
      );
    }
    if (payload.cnf !== undefined) {
      return this.invalid(
        'the token is bound to a key, not a bearer token',
        'the access token is bound to a key (its cnf claim: DPoP or mutual TLS), and this server accepts bearer tokens only. Ask the authorization server for a plain bearer token.',
      );
    }
    const granted = scopesOf(payload);
    const missing = this.config.scopes.filter((scope) => !granted.has(scope));
    if (missing.length) {
      return {
        status: 403,
        message:
          `Forbidden: the access token lacks the scope ${missing.join(' ')} this server requires (--oauth-scopes ${this.config.scopes.join(',')}); ` +
          `it carries ${granted.size ? [...granted].join(' ') : 'no scope'}. Sign in again asking for "${this.config.scopes.join(' ')}" (an MCP client does so on this answer).`,
        headers: this.challenge({ code: 'insufficient_scope', description: 'the token lacks a required scope' }),
      };
    }
    return { principal: oauthPrincipal(this.config.issuer, payload.sub!) };
  }

  private unavailable(why: string): Refusal {
    return {
      status: 503,
      message: `Service unavailable: cannot check access tokens now: ${why}. Retry later; if it persists, check --oauth-issuer and that this server reaches the authorization server.`,
      headers: { 'Retry-After': '10' },
    };
  }

  /** What was wrong with a token jose refused, in words; an error that is not the token's (the keys out of reach) is a 503. */
  private refusalOf(error: unknown, jwksUri: URL): Refusal {
    const audience = `this server accepts only tokens for ${shown(this.audience)} (--oauth-audience, default --oauth-resource)`;
    if (error instanceof errors.JWTExpired) {
      return this.invalid(
        'the token expired',
        `the access token expired at ${when(error.payload.exp)} (${CLOCK_TOLERANCE_S} s of clock skew allowed). Get a new one: an OAuth client refreshes it, or signs you in again.`,
      );
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      const { claim, payload } = error;
      if (claim === 'aud') {
        return this.invalid(
          'the token is for another audience',
          `the access token is for another audience (aud ${shown(payload.aud)}); ${audience}. Ask the authorization server for a token for this resource (resource=${this.resource}).`,
        );
      }
      if (claim === 'iss')
        return this.invalid(
          'the token is of another issuer',
          `the access token was issued by ${shown(payload.iss)}; this server accepts tokens of ${this.config.issuer} only (--oauth-issuer).`,
        );
      if (claim === 'nbf')
        return this.invalid(
          'the token is not valid yet',
          `the access token is not valid before ${when(payload.nbf)}: check the clocks of this machine and the authorization server.`,
        );
      if (error.reason === 'missing') {
        return this.invalid(
          `the token has no ${claim} claim`,
          `the access token has no ${claim} claim; this server needs one (sub: who you are, exp: when it expires). Is it an access token of ${this.config.issuer}?`,
        );
      }
      return this.invalid(`the token's ${claim} claim is invalid`, `the access token's ${claim} claim is invalid (${error.message}).`);
    }
    if (
      error instanceof errors.JWSSignatureVerificationFailed ||
      error instanceof errors.JWKSNoMatchingKey ||
      error instanceof errors.JWKSMultipleMatchingKeys
    ) {
      return this.invalid(
        'the signature does not verify',
        `the access token's signature does not verify against the keys ${this.config.issuer} publishes (${jwksUri.href}): it was forged, or signed by another server. Get a token from ${this.config.issuer}.`,
      );
    }
    if (
      error instanceof errors.JWSInvalid ||
      error instanceof errors.JWTInvalid ||
      error instanceof errors.JOSEAlgNotAllowed ||
      error instanceof errors.JOSENotSupported
    ) {
      return this.invalid(
        'the token is not a JWT access token',
        `the bearer token is not a JWT access token this server can check (${error.message}). It accepts signed JWT access tokens of ${this.config.issuer}; an authorization server that issues opaque tokens must be told to issue JWTs for this resource (${this.audience}).`,
      );
    }
    log.warn(`OAuth: cannot check an access token against ${jwksUri.href}`, error);
    return this.unavailable(`the keys of ${this.config.issuer} at ${jwksUri.href} cannot be read (${(error as Error).message})`);
  }
}
