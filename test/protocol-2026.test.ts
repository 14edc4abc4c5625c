import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { agentFixture, BUTTON, click, previewFake } from './helpers/agent-fixture.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { MCP_HEADERS, messageOf, rawRequest, startHttpServer, type HttpServerProcess } from './helpers/http.js';
import { CLI } from './helpers/mcp.js';

// The v2 SDK client negotiating protocol 2026-07-28 (no handshake, no MCP session) against the same server
// that 2025-11-25 clients use (http.test.ts, stdio-transport.test.ts and the client-*.test.ts files).
const TOKEN = 'token-2026-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const fixtures = new FixtureServer({ '/a': page('<h1>A</h1>').replace('<title>fixture</title>', '<title>A</title>') });
const agentPage = await agentFixture();
const fake = await previewFake('sk-2026');
let server: HttpServerProcess;

before(async () => {
  await fixtures.start();
  server = await startHttpServer(['--auth-token', TOKEN], {
    OPENAI_API_KEY: 'sk-2026',
    OPENAI_BASE_URL: `${fake.origin}/v1`,
    AZURE_OPENAI_ENDPOINT: '',
  });
});
after(async () => {
  await server?.stop();
  await fixtures.stop();
  await agentPage.stop();
  await fake.stop();
});

type Result = CallToolResult & { structuredContent: Record<string, unknown> };

async function modernHttpClient(capabilities: ConstructorParameters<typeof Client>[1] = {}): Promise<Client> {
  const client = new Client({ name: 'cua-mcp-2026-tests', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, ...capabilities });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: AUTH } }));
  return client;
}

async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Result> {
  const result = (await client.callTool({ name, arguments: args })) as Result;
  assert.ok(!result.isError, `${name}: ${JSON.stringify(result.content).slice(0, 500)}`);
  return result;
}

/** A raw 2026-07-28 request: the version and capabilities in `_meta`, the method (and name) mirrored in headers. */
function modernRequest(method: string, params: Record<string, unknown> = {}, version = '2026-07-28', headers: Record<string, string> = {}) {
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-2026', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const name: Record<string, string> = typeof params.name === 'string' ? { 'Mcp-Name': params.name } : {};
  // session_id is annotated x-mcp-header: a 2026 client mirrors it, and the server checks that it did.
  const handle = (params.arguments as { session_id?: string } | undefined)?.session_id;
  if (handle) name['Mcp-Param-Session-Id'] = handle;
  return rawRequest(server.url, {
    headers: { ...MCP_HEADERS, ...AUTH, 'MCP-Protocol-Version': version, 'Mcp-Method': method, ...name, ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta } }),
  });
}

describe('2026-07-28 over HTTP', () => {
  test('the v2 client negotiates 2026-07-28 with no MCP session, and a handle works across independent clients', async () => {
    const first = await modernHttpClient();
    let handle: string;
    try {
      assert.equal(first.getNegotiatedProtocolVersion(), '2026-07-28');
      const opened = await ok(first, 'new_session', { start_url: fixtures.url('/a') });
      handle = opened.structuredContent.session_id as string;
    } finally {
      await first.close();
    }
    // Another client, another set of requests: the handle is the only link.
    const second = await modernHttpClient();
    try {
      const shot = await ok(second, 'screenshot', { session_id: handle });
      assert.equal(shot.structuredContent.title, 'A');
      assert.equal(shot.structuredContent.url, fixtures.url('/a'));
    } finally {
      await second.close();
    }
    // A 2025-11-25 client of the same principal (the v1 SDK, initialize and mcp-session-id) reaches it too.
    const legacy = await server.connect(AUTH);
    try {
      assert.equal((await legacy.ok('screenshot', { session_id: handle })).structuredContent.title, 'A');
      await legacy.ok('close_session', { session_id: handle });
    } finally {
      await legacy.close();
    }
  });

  test('server/discover, results with resultType, list results with ttlMs and cacheScope, tools in a fixed order', async () => {
    const discover = messageOf((await modernRequest('server/discover')).body);
    assert.ok((discover.result?.supportedVersions as string[]).includes('2026-07-28'), JSON.stringify(discover));
    assert.equal(discover.result?.resultType, 'complete');

    const listed = await modernRequest('tools/list');
    assert.equal(listed.status, 200);
    assert.equal(listed.headers['mcp-session-id'], undefined, 'no MCP session');
    const tools = messageOf(listed.body).result!;
    assert.equal(tools.resultType, 'complete');
    assert.equal(typeof tools.ttlMs, 'number');
    assert.equal(typeof tools.cacheScope, 'string');
    const names = (tools.tools as { name: string }[]).map((t) => t.name);
    const again = (messageOf((await modernRequest('tools/list')).body).result!.tools as { name: string }[]).map((t) => t.name);
    assert.deepEqual(again, names);
    // Every tool, as a 2025 client lists them: none is left out for its schema (x-mcp-header needs a primitive type).
    const legacy = await server.connect(AUTH);
    try {
      assert.deepEqual([...names].sort(), (await legacy.client.listTools()).tools.map((t) => t.name).sort());
    } finally {
      await legacy.close();
    }

    const called = messageOf((await modernRequest('tools/call', { name: 'list_sessions', arguments: {} })).body).result!;
    assert.equal(called.resultType, 'complete');
  });

  test('Mcp-Method or Mcp-Name disagreeing with the body: 400 HeaderMismatch; an unknown version: UnsupportedProtocolVersion naming ours', async () => {
    const method = await modernRequest('tools/list', {}, '2026-07-28', { 'Mcp-Method': 'tools/call' });
    assert.equal(method.status, 400);
    assert.equal(messageOf(method.body).error?.code, -32020);
    const name = await modernRequest('tools/call', { name: 'list_sessions', arguments: {} }, '2026-07-28', { 'Mcp-Name': 'close_session' });
    assert.equal(name.status, 400);
    assert.equal(messageOf(name.body).error?.code, -32020);

    // session_id is annotated x-mcp-header: a 2026 request must mirror it into Mcp-Param-Session-Id.
    const unmirrored = await modernRequest('tools/call', { name: 'screenshot', arguments: { session_id: 'x' } }, '2026-07-28', {
      'Mcp-Param-Session-Id': 'y',
    });
    assert.equal(unmirrored.status, 400);
    assert.equal(messageOf(unmirrored.body).error?.code, -32020);

    const unknown = messageOf((await modernRequest('tools/list', {}, '2099-01-01', { 'MCP-Protocol-Version': '2099-01-01' })).body);
    assert.equal(unknown.error?.code, -32022);
    assert.match(JSON.stringify(unknown.error), /2026-07-28/);
  });

  test('a safety check is asked as input_required; the answer carried by the retry decides, and the action never runs before it', async () => {
    const flagged = { id: 'sc_2026', code: 'sensitive_domain', message: 'This looks like a banking site.' };
    const asked: { message: string; clicks: number }[] = [];
    let reply: 'approve' | 'deny' | 'decline' = 'approve';
    const client = await modernHttpClient({ capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler('elicitation/create', (request) => {
      asked.push({ message: String((request.params as { message: string }).message), clicks: agentPage.clicks() });
      return reply === 'decline' ? { action: 'decline' } : { action: 'accept', content: { decision: reply } };
    });
    try {
      fake.script([{ output: [fake.call([click(BUTTON)], [flagged])] }, { output: [fake.message('Sent.')] }]);
      const approved = await ok(client, 'run_task', { task: 'press Send', start_url: agentPage.url('/') });
      assert.equal(approved.structuredContent.status, 'completed', JSON.stringify(approved.structuredContent));
      assert.deepEqual(approved.structuredContent.actions, ['click 200,140']);
      assert.equal(agentPage.clicks(), 1);
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.clicks, 0, 'the click had not run when the person was asked');
      assert.match(asked[0]!.message, /click 200,140[^]*sensitive_domain: This looks like a banking site/);
      assert.deepEqual(fake.violations, []);

      for (const answer of ['deny', 'decline'] as const) {
        reply = answer;
        fake.script([{ output: [fake.call([click(BUTTON)], [flagged])] }]);
        const denied = await ok(client, 'run_task', {
          task: 'press Send',
          session_id: approved.structuredContent.session_id,
          start_url: agentPage.url('/'),
        });
        assert.equal(denied.structuredContent.status, 'denied', answer);
        assert.equal(agentPage.clicks(), 1, `${answer}: the click never ran`);
      }
      await ok(client, 'close_session', { session_id: approved.structuredContent.session_id });
    } finally {
      await client.close();
    }
  });

  test('a retry whose requestState was not minted by the server is refused, and decides nothing', async () => {
    const forged = await modernRequest('tools/call', {
      name: 'acknowledge_safety_check',
      arguments: { session_id: '0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b', decision: 'approve' },
      requestState: 'v1.eyJwIjp7InNlc3Npb25faWQiOiJ4IiwiY2hlY2tfaWRzIjpbXX19.AAAA',
      inputResponses: { safety_check: { action: 'accept', content: { decision: 'approve' } } },
    });
    const answer = messageOf(forged.body);
    assert.equal(answer.error?.code, -32602, forged.body);
    assert.match(answer.error!.message, /requestState/);
  });

  test('the token still decides: a 2026 request without it is refused with 401', async () => {
    const res = await rawRequest(server.url, {
      headers: { ...MCP_HEADERS, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/list' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    assert.equal(res.status, 401);
  });
});

test('2026-07-28 over stdio: the v2 client negotiates it and drives a session by handle', async () => {
  const client = new Client({ name: 'cua-mcp-2026-tests', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, '--headless'], stderr: 'ignore' }));
  try {
    assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
    const handle = (await ok(client, 'new_session', { start_url: fixtures.url('/a') })).structuredContent.session_id as string;
    assert.equal((await ok(client, 'screenshot', { session_id: handle })).structuredContent.title, 'A');
  } finally {
    await client.close();
  }
});
