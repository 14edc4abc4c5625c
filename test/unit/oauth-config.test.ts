import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';
import { OAuthResourceServer, oauthPrincipal } from '../../src/mcp/oauth.js';

const http = (...args: string[]) => resolveConfig(parseOptions(['--port', '0', ...args], {}).raw, {}).http!;
const refused = (args: string[], message: RegExp) =>
  assert.throws(
    () => http(...args),
    (error: Error) => error instanceof ConfigError && message.test(error.message),
  );

describe('--oauth-* options', () => {
  test('the issuer alone: the resource is the listening URL (filled in at listen), no scope required', () => {
    assert.deepEqual(http('--oauth-issuer', 'https://login.example.com/realms/team').oauth, {
      issuer: 'https://login.example.com/realms/team',
      resource: undefined,
      audience: undefined,
      scopes: [],
    });
    assert.equal(http().oauth, undefined, 'without an issuer nothing changes');
  });

  test('audience and scopes as given; an issuer is enough to listen beyond loopback once the resource is named', () => {
    const { oauth, tokens } = http(
      '--host',
      '0.0.0.0',
      '--oauth-issuer',
      'https://tenant.auth0.com/',
      '--oauth-resource',
      'https://cua.example.com/mcp',
      '--oauth-audience',
      'api://cua',
      '--oauth-scopes',
      'mcp:tools, mcp:read',
    );
    assert.deepEqual(oauth, {
      issuer: 'https://tenant.auth0.com/',
      resource: 'https://cua.example.com/mcp',
      audience: 'api://cua',
      scopes: ['mcp:tools', 'mcp:read'],
    });
    assert.deepEqual(tokens, []);
  });

  test('bad values are refused at start, naming the option and what to do', () => {
    refused(['--oauth-issuer', 'http://login.example.com'], /--oauth-issuer must be an https URL \(plain http only on localhost\)/);
    refused(['--oauth-issuer', 'not a url'], /--oauth-issuer must be a URL/);
    refused(['--oauth-scopes', 'mcp'], /--oauth-scopes need --oauth-issuer/);
    refused(
      ['--host', '0.0.0.0', '--oauth-issuer', 'https://login.example.com'],
      /needs --oauth-resource .*the https URL of \/mcp as clients reach it/,
    );
    refused(['--host', '0.0.0.0'], /without a token.*--auth-token \(CUA_AUTH_TOKEN\) or --oauth-issuer/);
  });
});

describe('principals of OAuth subjects', () => {
  const issuer = 'http://127.0.0.1:4444';
  test('readable, namespaced by the issuer, and file names whatever the subject', () => {
    assert.equal(oauthPrincipal(issuer, 'alice'), 'alice~127.0.0.1%3A4444');
    assert.equal(
      oauthPrincipal('https://login.microsoftonline.com/tid/v2.0', 'auth0|a/b'),
      'auth0%7Ca%2Fb~login.microsoftonline.com%2Ftid%2Fv2.0',
    );
    assert.notEqual(oauthPrincipal('https://a.example.com', 'alice'), oauthPrincipal('https://b.example.com', 'alice'));
    assert.notEqual(oauthPrincipal(issuer, 'a/b'), oauthPrincipal(issuer, 'a%2Fb'), 'escaping never merges two subjects');
    for (const subject of ['..', '../../etc', 'x'.repeat(300), 'é 名前', '\u0000']) {
      const id = oauthPrincipal(issuer, subject);
      assert.match(id, /^[\w.@+%~-]{1,200}$/, subject);
      assert.notEqual(path.basename(id), '..');
    }
  });
});

describe('the resource server before any token is checked', () => {
  const config = http('--oauth-issuer', 'http://127.0.0.1:1', '--oauth-resource', 'https://cua.example.com/mcp', '--oauth-scopes', 'mcp');
  const server = new OAuthResourceServer(config.oauth!, 'http://127.0.0.1:8931/mcp');

  test('its metadata sits at the path RFC 9728 derives from the resource, and at the root', () => {
    assert.equal(server.metadataUrl, 'https://cua.example.com/.well-known/oauth-protected-resource/mcp');
    assert.equal(server.audience, 'https://cua.example.com/mcp');
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      assert.deepEqual(server.metadataAt(path)?.authorization_servers, ['http://127.0.0.1:1'], path);
    }
    assert.equal(server.metadataAt('/.well-known/oauth-authorization-server'), undefined);
  });

  test('an issuer out of reach: 503 saying what was tried, not 401 (the token may be fine)', async () => {
    const refusal = await server.authenticate({ authorization: 'Bearer aaa.bbb.ccc' }, config);
    assert.ok('status' in refusal);
    assert.equal(refusal.status, 503);
    assert.match(
      refusal.message,
      /cannot read the metadata of the authorization server http:\/\/127\.0\.0\.1:1: tried http:\/\/127\.0\.0\.1:1\/\.well-known\/openid-configuration \(.*\), http:\/\/127\.0\.0\.1:1\/\.well-known\/oauth-authorization-server/,
    );
    assert.ok(!refusal.message.includes('aaa.bbb.ccc'));
  });

  test('an issuer spelled unlike its metadata (the final slash): 503 saying what to set', async () => {
    const idp = createServer((_req, res) => res.end(JSON.stringify({ issuer: `${issuer}/`, jwks_uri: `${issuer}/jwks` })));
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    try {
      const config = http('--oauth-issuer', issuer);
      const refusal = await new OAuthResourceServer(config.oauth!, 'http://127.0.0.1:8931/mcp').authenticate(
        { authorization: 'Bearer aaa.bbb.ccc' },
        config,
      );
      assert.ok('status' in refusal && refusal.status === 503);
      assert.match(
        refusal.message,
        new RegExp(
          `names the issuer "${issuer}/", not "${issuer}": set --oauth-issuer to exactly what the authorization server calls itself`,
        ),
      );
    } finally {
      idp.close();
    }
  });
});
