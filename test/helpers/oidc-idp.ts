import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import Provider, { errors } from 'oidc-provider';

export interface TestIdp {
  /** http://127.0.0.1:PORT, what its tokens' iss says. */
  issuer: string;
  /** Signs a token with the provider's own key, as the provider signs its access tokens (for claims it would not issue on demand). */
  sign(claims: JWTPayload, key?: CryptoKey, typ?: string): Promise<string>;
  stop(): Promise<void>;
}

const KID = 'idp-key-1';

/**
 * A real OpenID provider (npm oidc-provider) on 127.0.0.1: open dynamic client registration, PKCE
 * required, its development login and consent pages (any login name is accepted: it becomes the
 * subject), and resource indicators (RFC 8707) issuing JWT access tokens with scope `scope` for the
 * one resource `resource()` names, and for no other.
 */
export async function startIdp(resource: () => string, scope: string): Promise<TestIdp> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    cookies: { keys: ['oauth-test-cookie-key'] },
    pkce: { required: () => true },
    // Clients register with the scope the resource metadata lists.
    scopes: ['openid', 'offline_access', scope],
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource(),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          if (indicator !== resource()) throw new errors.InvalidTarget(`this provider issues tokens for ${resource()} only`);
          return { scope, audience: indicator, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    sign: (claims, key = privateKey, typ = 'at+jwt') =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: KID, typ }).setIssuer(issuer).setIssuedAt().sign(key),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
