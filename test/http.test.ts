import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { errorMessage, INITIALIZE, MCP_HEADERS, rawRequest, runCli, startHttpServer, type HttpServerProcess } from './helpers/http.js';
import { textOf } from './helpers/mcp.js';
import { memoryOAuthProvider } from './helpers/oauth.js';

const TOKEN = 'test-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
/** A second principal, from an --auth-tokens file. */
const OTHER_TOKEN = 'other-token-0123456789';
const OTHER = { Authorization: `Bearer ${OTHER_TOKEN}` };
const tokensFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cua-http-tokens-')), 'tokens');
fs.writeFileSync(tokensFile, `other ${OTHER_TOKEN}\n`, { mode: 0o600 });

const FIELD = 'position:absolute;left:0;width:300px;height:40px';
const fixtures = new FixtureServer({
  '/a': page('<h1>Client A</h1>').replace('<title>fixture</title>', '<title>A</title>'),
  '/b': page('<h1>Client B</h1>').replace('<title>fixture</title>', '<title>B</title>'),
  // A field holding a secret at the top, an empty one below that shows what is pasted into it as the title.
  '/fields': page(
    `<input value="hunter2-secret" style="${FIELD};top:0"><input style="${FIELD};top:100px" oninput="document.title = this.value">`,
  ),
  // A page that plants text in every clipboard it can reach: the copy event, and the async clipboard API on a click.
  '/plant': page(`<button style="${FIELD};top:0" onclick="navigator.clipboard.writeText('planted-write').catch(() => {})">go</button>
<script>document.addEventListener('copy', (e) => { e.clipboardData.setData('text/plain', 'planted-copy'); e.preventDefault(); });</script>`),
});

// Each describe has a server with the options its tests need; they all start at once (a start costs seconds on a busy machine).
let twoTokens: HttpServerProcess;
let limits: HttpServerProcess;
let shared: HttpServerProcess;
let oneSession: HttpServerProcess;
let idle: HttpServerProcess;
before(async () => {
  [twoTokens, limits, shared, oneSession, idle] = await Promise.all([
    startHttpServer(['--auth-token', TOKEN, '--auth-tokens', tokensFile, '--max-sessions', '3']),
    startHttpServer(['--max-body', '2048', '--allowed-hosts', 'mybox.lan:8931'], { CUA_ALLOWED_ORIGINS: 'https://app.example.com' }),
    startHttpServer(['--share-sessions', '--auth-token', TOKEN, '--auth-tokens', tokensFile]),
    startHttpServer(['--max-sessions', '1']),
    startHttpServer(['--idle-timeout', '2']),
    fixtures.start(),
  ]);
});
// The tests stop their servers themselves, with the signal they check; this stops any a failed test left.
after(() => Promise.all([twoTokens, limits, shared, oneSession, idle, fixtures].map((s) => s?.stop())));

describe('Streamable HTTP with two tokens and --max-sessions 3', () => {
  let server: HttpServerProcess;

  before(() => (server = twoTokens));
  after(async () => {
    assert.equal(await server.stop('SIGTERM'), 0, 'SIGTERM ends the HTTP server cleanly');
    assert.match(server.stderr(), /shutting down \(SIGTERM\)/);
  });

  type Client = Awaited<ReturnType<HttpServerProcess['connect']>>;
  /** Two clients of two principals connected at once, both disconnected (DELETE) and their sessions closed afterwards. */
  async function withTwoClients(body: (a: Client, b: Client) => Promise<void>): Promise<void> {
    const a = await server.connect(AUTH);
    const b = await server.connect(OTHER);
    try {
      await body(a, b);
    } finally {
      for (const client of [a, b]) {
        const open = (await client.ok('list_sessions')).structuredContent.sessions as { session_id: string }[];
        for (const { session_id } of open) await client.ok('close_session', { session_id });
        await client.close();
      }
    }
  }

  test("two principals at once: neither sees nor drives the other's browser sessions", () =>
    withTwoClients(async (a, b) => {
      const sa = (await a.ok('navigate', { url: fixtures.url('/a') })).structuredContent.session_id as string;
      const sb = (await b.ok('new_session', { start_url: fixtures.url('/b') })).structuredContent.session_id as string;
      assert.notEqual(sa, sb);

      const listA = (await a.ok('list_sessions')).structuredContent.sessions as { session_id: string }[];
      const listB = (await b.ok('list_sessions')).structuredContent.sessions as { session_id: string }[];
      assert.deepEqual(
        listA.map((s) => s.session_id),
        [sa],
      );
      assert.deepEqual(
        listB.map((s) => s.session_id),
        [sb],
      );

      // B knows (or guessed) A's session id: every tool refuses it, with a clear message.
      const attempts: [string, Record<string, unknown>][] = [
        ['screenshot', { session_id: sa }],
        ['computer', { session_id: sa, actions: [{ type: 'type', text: 'hijack' }] }],
        ['navigate', { session_id: sa, url: fixtures.url('/b') }],
        ['close_session', { session_id: sa }],
      ];
      for (const [tool, args] of attempts) {
        const result = await b.call(tool, args);
        assert.equal(result.isError, true, `${tool} on another client's session must fail`);
        assert.match(textOf(result), new RegExp(`No browser session "${sa}"; nothing was done.*list_sessions`), tool);
      }
      assert.ok(!JSON.stringify(await b.call('list_sessions')).includes(sa), "A's id never shows up for B");

      // A's session is untouched.
      const shot = await a.ok('screenshot', { session_id: sa });
      assert.equal(shot.structuredContent.url, fixtures.url('/a'));
      assert.equal(shot.structuredContent.title, 'A');
    }));

  test('each session has its own clipboard: B cannot paste what A copied, nor plant what A pastes', () =>
    withTwoClients(async (a, b) => {
      const act = (client: Client, actions: unknown[]) => client.ok('computer', { actions });
      const pasteBelow = [
        { type: 'click', x: 50, y: 120 },
        { type: 'keypress', keys: ['ctrl', 'v'] },
      ];
      await a.ok('navigate', { url: fixtures.url('/fields') });
      await act(a, [
        { type: 'click', x: 50, y: 20 },
        { type: 'keypress', keys: ['ctrl', 'a'] },
        { type: 'keypress', keys: ['ctrl', 'c'] },
      ]);

      await b.ok('navigate', { url: fixtures.url('/fields') });
      const stolen = await act(b, pasteBelow);
      assert.equal(stolen.structuredContent.title, 'fixture', 'B pasted what A copied');

      await b.ok('navigate', { url: fixtures.url('/plant') });
      await act(b, [
        { type: 'click', x: 50, y: 20 },
        { type: 'keypress', keys: ['ctrl', 'c'] },
      ]);

      const pasted = await act(a, pasteBelow);
      assert.equal(pasted.structuredContent.title, 'hunter2-secret', "A pastes its own copy, not what B's page planted");
      assert.match(JSON.stringify(pasted.structuredContent.events), /pasted 14 character\(s\) from this session's clipboard/);
    }));

  test('past --max-sessions a new session gets a clear error, and the server keeps working', () =>
    withTwoClients(async (a, b) => {
      const first = (await a.ok('new_session')).structuredContent.session_id as string;
      await a.ok('new_session');
      await b.ok('new_session');
      const refused = await b.call('new_session');
      assert.equal(refused.isError, true);
      assert.match(textOf(refused), /3 session\(s\) are already open.*--max-sessions.*close_session/);
      // The default session counts too.
      const refusedDefault = await b.call('screenshot');
      assert.equal(refusedDefault.isError, true);
      assert.match(textOf(refusedDefault), /close_session/);

      await a.ok('close_session', { session_id: first });
      const opened = await b.ok('new_session', { start_url: fixtures.url('/b') });
      assert.equal(opened.structuredContent.title, 'B');
    }));

  test("ending an MCP session (DELETE) closes none of the principal's sessions: the next MCP session goes on with them", async () => {
    const a = await server.connect(AUTH);
    const kept = (await a.ok('new_session', { start_url: fixtures.url('/a') })).structuredContent.session_id as string;
    await a.close();
    const b = await server.connect(AUTH);
    try {
      const list = (await b.ok('list_sessions')).structuredContent.sessions as { session_id: string }[];
      assert.deepEqual(
        list.map((s) => s.session_id),
        [kept],
      );
      assert.equal((await b.ok('screenshot', { session_id: kept })).structuredContent.title, 'A');
      await b.ok('close_session', { session_id: kept });
    } finally {
      await b.close();
    }
    assert.doesNotMatch(server.stderr(), new RegExp(`session ${kept} closed[^]*session ${kept} closed`), 'closed once, by close_session');
  });

  test('a request for an ended MCP session is answered 404', async () => {
    const a = await server.connect(AUTH);
    const id = a.transport.sessionId!;
    await a.close();
    const res = await rawRequest(server.url, {
      headers: { ...MCP_HEADERS, ...AUTH, 'mcp-session-id': id },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    assert.equal(res.status, 404);
    assert.match(res.body, /Session not found/);
  });

  test('a missing or wrong bearer token is refused with 401 and WWW-Authenticate: Bearer', async () => {
    const missing = await rawRequest(server.url, { headers: MCP_HEADERS, body: INITIALIZE });
    assert.equal(missing.status, 401);
    assert.match(String(missing.headers['www-authenticate']), /^Bearer/);
    assert.match(missing.body, /Authorization: Bearer/);

    for (const authorization of ['Bearer wrong-token', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      const wrong = await rawRequest(server.url, { headers: { ...MCP_HEADERS, Authorization: authorization }, body: INITIALIZE });
      assert.equal(wrong.status, 401, authorization);
      assert.match(String(wrong.headers['www-authenticate']), /^Bearer/);
    }
    await assert.rejects(server.connect({ Authorization: 'Bearer nope' }), /401|Unauthorized/);

    const right = await rawRequest(server.url, { headers: { ...MCP_HEADERS, ...AUTH }, body: INITIALIZE });
    assert.equal(right.status, 200);
    assert.ok(right.headers['mcp-session-id']);
  });

  test('a client without the token is told to send one, not sent into OAuth: the OAuth discovery paths answer 404', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
    ]) {
      const res = await rawRequest(server.url.replace(/\/mcp$/, path), { method: 'GET' });
      assert.equal(res.status, 404, path);
      assert.match(errorMessage(res), /Authorization: Bearer <token>.*--auth-token.*does not use OAuth/, path);
    }

    // The SDK client as most scripts use it (no OAuth): the 401 surfaces with what to do.
    const plain = await server.connect().catch((error: Error) => error);
    assert.ok(plain instanceof StreamableHTTPError, String(plain));
    assert.equal(plain.code, 401);
    assert.match(plain.message, /requires a bearer token.*Authorization: Bearer <token>/);

    // The SDK client as OAuth-capable clients (Claude Code, VS Code) use it: discovery finds nothing, the
    // fallback registration gets the same 404 and hint, and it gives up without sending anyone to a browser.
    const redirects: URL[] = [];
    const oauth = new Client({ name: 'oauth-client', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(server.url), { authProvider: memoryOAuthProvider(redirects) });
    const failed = await oauth.connect(transport).catch((error: Error) => error);
    assert.ok(failed instanceof Error, 'connecting without the token fails');
    assert.match(failed.message, /HTTP 404.*Authorization: Bearer <token>.*does not use OAuth/s);
    assert.deepEqual(redirects, [], 'no OAuth authorization page was opened');
    await oauth.close();
  });

  test('a foreign Host (DNS rebinding) or Origin is refused with 403, even with the token', async () => {
    const port = new URL(server.url).port;
    const evilHost = await rawRequest(server.url, { headers: { ...MCP_HEADERS, ...AUTH, Host: `evil.example:${port}` }, body: INITIALIZE });
    assert.equal(evilHost.status, 403);
    assert.match(errorMessage(evilHost), /Host "evil.example:\d+".*--allowed-hosts/);

    for (const origin of ['https://evil.example', 'null', `http://evil.example:${port}`]) {
      const res = await rawRequest(server.url, { headers: { ...MCP_HEADERS, ...AUTH, Origin: origin }, body: INITIALIZE });
      assert.equal(res.status, 403, origin);
      assert.match(errorMessage(res), /Origin ".*" is not allowed.*--allowed-origins/);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const res = await rawRequest(server.url, {
        headers: { ...MCP_HEADERS, ...AUTH, Host: host, Origin: `http://${host}` },
        body: INITIALIZE,
      });
      assert.equal(res.status, 200, host);
    }
  });

  test('oversized and malformed bodies are refused (413, 400) and the server keeps serving', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 'x');
    const tooBig = await rawRequest(server.url, { headers: { ...MCP_HEADERS, ...AUTH }, body: huge }).catch((error: Error) => error);
    // The server may close the socket before the whole body is sent; either way nothing was accepted.
    if (!(tooBig instanceof Error)) {
      assert.equal(tooBig.status, 413);
      assert.match(tooBig.body, /--max-body/);
    }
    const notJson = await rawRequest(server.url, { headers: { ...MCP_HEADERS, ...AUTH }, body: '{"jsonrpc":' });
    assert.equal(notJson.status, 400);
    assert.match(notJson.body, /Parse error/);
    const noSession = await rawRequest(server.url, {
      headers: { ...MCP_HEADERS, ...AUTH },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(noSession.status, 400);
    assert.match(noSession.body, /initialize first/);
    const wrongPath = await rawRequest(server.url.replace(/\/mcp$/, '/other'), { headers: AUTH, method: 'GET' });
    assert.equal(wrongPath.status, 404);

    const client = await server.connect(AUTH);
    try {
      assert.ok((await client.client.listTools()).tools.length > 0);
    } finally {
      await client.close();
    }
  });
});

describe('--max-body, --allowed-hosts, --allowed-origins', () => {
  let server: HttpServerProcess;
  before(() => (server = limits));
  after(() => server.stop());

  test('a body over the limit is answered 413', async () => {
    const res = await rawRequest(server.url, { headers: MCP_HEADERS, body: JSON.stringify({ pad: 'x'.repeat(4096) }) });
    assert.equal(res.status, 413);
    assert.match(errorMessage(res), /limited to 2048 bytes \(--max-body\)/);
  });

  test('an idle connection stays open for a client whose next call comes after a model turn', async () => {
    // Node's default is 5 s: a client sending its next call just as the server closes the connection gets a reset.
    // The server tells how long it keeps an idle connection (Keep-Alive: timeout=N, from the very setting that
    // closes it) on its JSON responses, here a 2026-07-28 server/discover; clients reuse a connection by that figure.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const discover = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'server/discover',
      params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } },
    });
    const headers = { ...MCP_HEADERS, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'server/discover' };
    const post = () =>
      new Promise<{ status?: number; reused: boolean; keepAlive: string }>((resolve, reject) => {
        const req = http.request(server.url, { method: 'POST', agent, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket, keepAlive: String(res.headers['keep-alive']) }));
        });
        req.on('error', reject);
        req.end(discover);
      });
    try {
      const first = await post();
      assert.equal(first.status, 200);
      const idleSeconds = Number(/^timeout=(\d+)$/.exec(first.keepAlive)?.[1]);
      assert.ok(idleSeconds >= 60, `Keep-Alive: ${first.keepAlive}: the server closes an idle connection within a minute`);
      assert.equal((await post()).reused, true, 'the next call goes on the same connection');
    } finally {
      agent.destroy();
    }
  });

  test('hosts and origins added by the options are accepted, others still refused', async () => {
    const post = (headers: Record<string, string>) => rawRequest(server.url, { headers: { ...MCP_HEADERS, ...headers }, body: INITIALIZE });
    assert.equal((await post({ Host: 'MyBox.lan:1234' })).status, 200);
    assert.equal((await post({ Origin: 'https://app.example.com' })).status, 200);
    assert.equal((await post({ Host: 'mybox.lan', Origin: 'http://mybox.lan:8931' })).status, 200);
    assert.equal((await post({ Host: 'otherbox.lan' })).status, 403);
    assert.equal((await post({ Origin: 'https://app.example.com.evil.example' })).status, 403);
    assert.equal((await post({ Origin: 'http://app.example.com' })).status, 403, 'the scheme is part of the origin');
  });
});

describe('--share-sessions', () => {
  test('every client is one principal, whatever its token: all see and drive the same browser sessions, default included', async () => {
    const server = shared;
    const a = await server.connect(AUTH);
    const b = await server.connect(OTHER);
    try {
      const sa = (await a.ok('navigate', { url: fixtures.url('/a') })).structuredContent.session_id as string;
      // B's default session is A's: platforms that reconnect per call keep their page.
      const shot = await b.ok('screenshot');
      assert.equal(shot.structuredContent.session_id, sa);
      assert.equal(shot.structuredContent.url, fixtures.url('/a'));
      const extra = (await b.ok('new_session', { start_url: fixtures.url('/b') })).structuredContent.session_id as string;
      const listA = (await a.ok('list_sessions')).structuredContent.sessions as { session_id: string; is_default: boolean }[];
      assert.deepEqual(listA.map((s) => s.session_id).sort(), [sa, extra].sort());
      assert.equal(listA.find((s) => s.session_id === sa)?.is_default, true);

      // A client that disconnects does not take the shared sessions with it.
      await b.close();
      const again = await a.ok('screenshot', { session_id: extra });
      assert.equal(again.structuredContent.url, fixtures.url('/b'));
    } finally {
      // SIGTERM with a client still connected (its event stream open) and browser sessions open.
      assert.equal(await server.stop('SIGTERM'), 0);
      await a.close();
    }
  });
});

describe('a session still opening when its MCP session ends', () => {
  test("stays the principal's: the next MCP session lists it and closes it, and its --max-sessions slot is free again", async () => {
    // The start page answers only when the test says so: new_session is still opening when A's DELETE arrives.
    let requested!: () => void;
    const arrived = new Promise<void>((resolve) => (requested = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    fixtures.route('/held', async (_req, res) => {
      requested();
      await released;
      res.writeHead(200, { 'content-type': 'text/html' }).end(page('<h1>held</h1>'));
    });
    const server = oneSession;
    try {
      const a = await server.connect();
      const opening = a.call('new_session', { start_url: fixtures.url('/held') }).catch((error: unknown) => error);
      await arrived;
      await a.close();
      release();
      const browserSessionOpened = /info: session (\S+) opened\n/;
      await server.waitForLog(browserSessionOpened);
      const [, id] = server.stderr().match(browserSessionOpened)!;
      await opening;
      const b = await server.connect();
      try {
        const listed = (await b.ok('list_sessions')).structuredContent.sessions as { session_id: string }[];
        assert.deepEqual(
          listed.map((s) => s.session_id),
          [id],
        );
        await b.ok('close_session', { session_id: id });
        // The slot is free: a new session opens.
        const opened = await b.ok('new_session', { start_url: fixtures.url('/b') });
        assert.equal(opened.structuredContent.title, 'B');
      } finally {
        await b.close();
      }
    } finally {
      release();
      assert.equal(await server.stop('SIGTERM'), 0);
    }
  });
});

describe('idle MCP sessions', () => {
  test('expire after --idle-timeout, and so do the browser sessions nobody uses', async () => {
    const server = idle;
    try {
      const a = await server.connect();
      const sid = (await a.ok('new_session')).structuredContent.session_id as string;
      const mcpId = a.transport.sessionId!;
      await server.waitForLog(`MCP session ${mcpId} idle`, 15_000);
      // Whichever sweep comes first, the browser session is gone.
      await server.waitForLog(new RegExp(`session ${sid} (closed|idle)`), 15_000);
      const res = await rawRequest(server.url, {
        headers: { ...MCP_HEADERS, 'mcp-session-id': mcpId },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      });
      assert.equal(res.status, 404);
      await a.client.close().catch(() => {});
    } finally {
      assert.equal(await server.stop('SIGINT'), 0);
    }
  });
});

describe('starting', () => {
  test('listening beyond loopback without a token is refused with exit code 2', async () => {
    const hosts = ['0.0.0.0', '192.0.2.10'];
    const [fromEnv, ...fromFlags] = await Promise.all([
      runCli(['--port', '0'], { CUA_HOST: '0.0.0.0' }),
      ...hosts.map((host) => runCli(['--port', '0', '--host', host])),
    ]);
    hosts.forEach((host, i) => {
      const { code, stderr } = fromFlags[i]!;
      assert.equal(code, 2, stderr);
      assert.match(stderr, new RegExp(`Refusing to listen on ${host.replace(/\./g, '\\.')} without a token.*--auth-token`));
    });
    assert.equal(fromEnv!.code, 2);
    assert.match(fromEnv!.stderr, /CUA_AUTH_TOKEN/);
  });
});
