import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, parseOptions, resolveConfig } from '../src/config.js';
import { oauthPrincipal } from '../src/mcp/oauth.js';

const http = (...args: string[]) => resolveConfig(parseOptions(['--port', '0', ...args], {}).raw, {}).http!;
const refused = (args: string[], message: RegExp) => assert.throws(() => http(...args), (error: Error) => error instanceof ConfigError && message.test(error.message));

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
      '--host', '0.0.0.0',
      '--oauth-issuer', 'https://tenant.auth0.com/',
      '--oauth-resource', 'https://cua.example.com/mcp',
      '--oauth-audience', 'api://cua',
      '--oauth-scopes', 'mcp:tools, mcp:read',
    );
    assert.deepEqual(oauth, { issuer: 'https://tenant.auth0.com/', resource: 'https://cua.example.com/mcp', audience: 'api://cua', scopes: ['mcp:tools', 'mcp:read'] });
    assert.deepEqual(tokens, []);
  });

  test('bad values are refused at start, naming the option and what to do', () => {
    refused(['--oauth-issuer', 'http://login.example.com'], /--oauth-issuer must be an https URL \(plain http only on localhost\)/);
    refused(['--oauth-issuer', 'not a url'], /--oauth-issuer must be a URL/);
    refused(['--oauth-scopes', 'mcp'], /--oauth-scopes need --oauth-issuer/);
    refused(['--host', '0.0.0.0', '--oauth-issuer', 'https://login.example.com'], /needs --oauth-resource .*the https URL of \/mcp as clients reach it/);
    refused(['--host', '0.0.0.0'], /without a token.*--auth-token \(CUA_AUTH_TOKEN\) or --oauth-issuer/);
  });
});

describe('principals of OAuth subjects', () => {
  const issuer = 'http://127.0.0.1:4444';
  test('readable, namespaced by the issuer, and file names whatever the subject', () => {
    assert.equal(oauthPrincipal(issuer, 'alice'), 'alice~127.0.0.1%3A4444');
    assert.equal(oauthPrincipal('https://login.microsoftonline.com/tid/v2.0', 'auth0|a/b'), 'auth0%7Ca%2Fb~login.microsoftonline.com%2Ftid%2Fv2.0');
    assert.notEqual(oauthPrincipal('https://a.example.com', 'alice'), oauthPrincipal('https://b.example.com', 'alice'));
    assert.notEqual(oauthPrincipal(issuer, 'a/b'), oauthPrincipal(issuer, 'a%2Fb'), 'escaping never merges two subjects');
    for (const subject of ['..', '../../etc', 'x'.repeat(300), 'é 名前', '\u0000']) {
      const id = oauthPrincipal(issuer, subject);
      assert.match(id, /^[\w.@+%~-]{1,200}$/, subject);
      assert.notEqual(path.basename(id), '..');
    }
  });
});
