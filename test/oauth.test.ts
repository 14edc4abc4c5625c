import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type CallToolResult,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { generateKeyPair } from 'jose';
import { chromium, type Browser } from 'playwright';
import { chromiumArgs, findExecutable } from '../src/browser/launcher.js';
import { parseOptions } from '../src/config.js';
import { resolveConfig } from '../src/mcp/server-config.js';
import { errorMessage, MCP_HEADERS, rawRequest, startHttpServer, type HttpServerProcess } from './helpers/http.js';
import { startIdp, type TestIdp } from './helpers/oidc-idp.js';

// One identity provider (oidc-provider, a certified OpenID provider) and one server with --oauth-issuer for the file.
const SCOPE = 'mcp';
let idp: TestIdp;
let server: HttpServerProcess;
let browser: Browser;
const callback = http.createServer((_req, res) => res.end('signed in'));
let callbackUrl = '';

before(async () => {
  idp = await startIdp(() => server.url, SCOPE);
  [server, browser] = await Promise.all([
    startHttpServer(['--oauth-issuer', idp.issuer, '--oauth-scopes', SCOPE]),
    chromium.launch({ executablePath: findExecutable(resolveConfig(parseOptions([]).raw)).path, args: chromiumArgs() }),
    new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve)),
  ]);
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.stop();
  callback.closeAllConnections();
  callback.close();
});

/** An OAuth-capable MCP client's memory: what it registered, its tokens, and the page it was sent to. */
class MemoryProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private client: StoredOAuthClientInformation | undefined;
  private saved: StoredOAuthTokens | undefined;
  private verifier = '';
  private discovery: OAuthDiscoveryState | undefined;

  constructor(readonly redirectUrl: string) {}
  get clientMetadata() {
    return {
      client_name: 'cua-mcp oauth test',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation = () => this.client;
  saveClientInformation = (info: StoredOAuthClientInformation) => void (this.client = info);
  tokens = () => this.saved;
  saveTokens = (tokens: StoredOAuthTokens) => void (this.saved = tokens);
  redirectToAuthorization = (url: URL) => void (this.authorizationUrl = url);
  saveCodeVerifier = (verifier: string) => void (this.verifier = verifier);
  codeVerifier = () => this.verifier;
  discoveryState = () => this.discovery;
  saveDiscoveryState = (state: OAuthDiscoveryState) => void (this.discovery = state);
}

/**
 * What a person does with an OAuth-capable MCP client: the client meets the 401, finds the
 * authorization server through the metadata, registers and sends the person to its login page;
 * the person signs in and consents in a browser; the client exchanges the code (PKCE) and connects.
 */
async function signIn(login: string, versionNegotiation: 'auto' | 'legacy'): Promise<Client> {
  const provider = new MemoryProvider(callbackUrl);
  const refused = new Client({ name: `oauth-${login}`, version: '1' }, { versionNegotiation: { mode: versionNegotiation } });
  await assert.rejects(
    refused.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider })),
    UnauthorizedError,
  );
  assert.ok(provider.authorizationUrl, 'the client was sent to the authorization page');
  assert.equal(provider.authorizationUrl.searchParams.get('resource'), server.url, 'it asks for a token for this server (RFC 8707)');
  assert.equal(provider.authorizationUrl.searchParams.get('code_challenge_method'), 'S256');

  const context = await browser.newContext();
  context.setDefaultTimeout(20_000);
  // The provider's pages import a web font; this machine has no network.
  await context.route(/fonts\.googleapis\.com/, (route) => route.abort());
  try {
    const page = await context.newPage();
    await page.goto(provider.authorizationUrl.href);
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'any password');
    await page.click('button:has-text("Sign-in")');
    await page.click('button:has-text("Continue")');
    await page.waitForURL((url) => url.href.startsWith(callbackUrl));
    const transport = new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider });
    await transport.finishAuth(new URL(page.url()).searchParams);
    const client = new Client({ name: `oauth-${login}`, version: '1' }, { versionNegotiation: { mode: versionNegotiation } });
    await client.connect(transport);
    return client;
  } finally {
    await context.close();
  }
}

type Result = CallToolResult & { structuredContent: Record<string, unknown> };
const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as Result;
const sessionIds = (result: Result) => (result.structuredContent.sessions as { session_id: string }[]).map((s) => s.session_id);

/** A raw initialize with this bearer token, as any client sends it. */
function initializeWith(token: string | undefined) {
  return rawRequest(server.url, {
    headers: { ...MCP_HEADERS, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
}

describe('--oauth-issuer: an OAuth 2.1 resource server', () => {
  test('publishes its protected resource metadata (RFC 9728) and answers a request without a token 401 naming it', async () => {
    const origin = new URL(server.url).origin;
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await fetch(`${origin}${path}`);
      assert.equal(res.status, 200, path);
      assert.deepEqual(await res.json(), {
        resource: server.url,
        authorization_servers: [idp.issuer],
        scopes_supported: [SCOPE],
        bearer_methods_supported: ['header'],
        resource_name: 'cua-mcp',
      });
    }
    const res = await initializeWith(undefined);
    assert.equal(res.status, 401);
    assert.equal(
      res.headers['www-authenticate'],
      `Bearer scope="${SCOPE}", resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`,
    );
    assert.match(errorMessage(res), /requires an OAuth access token from http:\/\/127\.0\.0\.1:\d+/);
  });

  test('two people sign in (authorization code + PKCE, login and consent in Chromium): two principals, each sees only their own sessions', async () => {
    const [alice, bob] = await Promise.all([signIn('alice', 'auto'), signIn('bob', 'legacy')]);
    try {
      const opened = await call(alice, 'new_session', { start_url: 'about:blank' });
      assert.ok(!opened.isError, JSON.stringify(opened.content));
      const aliceSession = String(opened.structuredContent.session_id);
      assert.deepEqual(sessionIds(await call(alice, 'list_sessions')), [aliceSession]);
      assert.deepEqual(sessionIds(await call(bob, 'list_sessions')), [], "bob does not see alice's session");
      for (const [tool, args] of [
        ['screenshot', { session_id: aliceSession }],
        ['close_session', { session_id: aliceSession }],
      ] as const) {
        const refused = await call(bob, tool, args);
        assert.ok(refused.isError, `${tool} with alice's handle is refused to bob`);
        assert.match(JSON.stringify(refused.content), /No browser session/);
      }
      assert.deepEqual(sessionIds(await call(alice, 'list_sessions')), [aliceSession], "alice's session is still open and hers");
      assert.ok(!(await call(alice, 'close_session', { session_id: aliceSession })).isError);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('refuses a token for another audience, an expired one, a forged one, one without the scope, another kind of token and an opaque one, saying why without repeating it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const valid = { sub: 'mallory', aud: server.url, scope: SCOPE, exp: now + 600 };
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const metadata = `resource_metadata="${new URL(server.url).origin}/.well-known/oauth-protected-resource/mcp"`;
    const cases = [
      {
        name: 'another audience',
        token: await idp.sign({ ...valid, aud: 'http://127.0.0.1:1/mcp' }),
        status: 401,
        error: 'invalid_token',
        says: /for another audience \(aud "http:\/\/127\.0\.0\.1:1\/mcp"\); this server accepts only tokens for/,
      },
      {
        name: 'expired',
        token: await idp.sign({ ...valid, exp: now - 3600 }),
        status: 401,
        error: 'invalid_token',
        says: /the access token expired at .*Get a new one/,
      },
      // Same kid as the provider's key, signed by another: only the signature check can tell.
      {
        name: 'forged',
        token: await idp.sign(valid, otherKey),
        status: 401,
        error: 'invalid_token',
        says: /signature does not verify against the keys http:\/\/127\.0\.0\.1:\d+ publishes/,
      },
      {
        name: 'without the scope',
        token: await idp.sign({ ...valid, scope: 'openid profile' }),
        status: 403,
        error: 'insufficient_scope',
        says: /lacks the scope mcp this server requires .*it carries openid profile/,
      },
      // A token of the provider, but not an access token (OpenID back-channel logout tokens are signed JWTs too).
      {
        name: 'logout token',
        token: await idp.sign(valid, undefined, 'logout+jwt'),
        status: 401,
        error: 'invalid_token',
        says: /is a logout\+jwt token of .*not an access token/,
      },
      { name: 'opaque', token: 'an-opaque-token-0123456789abcdef', status: 401, error: 'invalid_token', says: /not a JWT access token/ },
    ];
    for (const { name, token, status, error, says } of cases) {
      const res = await initializeWith(token);
      assert.equal(res.status, status, name);
      const challenge = res.headers['www-authenticate'] ?? '';
      assert.match(challenge, new RegExp(`^Bearer error="${error}", error_description="[^"]+", scope="${SCOPE}", `), name);
      assert.ok(challenge.endsWith(metadata), `${name}: ${challenge}`);
      assert.match(errorMessage(res), says, name);
      assert.ok(!res.body.includes(token) && !server.stderr().includes(token), `${name}: the token is not repeated`);
    }
    // The same claims, signed by the provider, are accepted: each refusal above is for the one thing changed.
    assert.equal((await initializeWith(await idp.sign(valid))).status, 200);
  });

  test('other OAuth paths answer 404 pointing at the metadata, not a 401', async () => {
    const res = await fetch(`${new URL(server.url).origin}/.well-known/oauth-authorization-server`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /OAuth metadata is at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp/);
  });
});
