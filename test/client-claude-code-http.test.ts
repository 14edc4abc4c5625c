import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { agentFixture } from './helpers/agent-fixture.js';
import { describeRun, runClaudeCode, type ClientRun } from './helpers/clients.js';
import { FakeClaudeCodeModel } from './helpers/fake-claude-code-model.js';
import { startHttpServer, type HttpServerProcess } from './helpers/http.js';

// Claude Code from npm over HTTP (`type: "http"` in its MCP config), as a remote user runs it: it speaks
// 2026-07-28 with us (server/discover, no MCP session) and must mirror a tool's session_id into the
// Mcp-Param-Session-Id header, or the server answers 400 HeaderMismatch.
const TOKEN = 'claude-http-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const fixture = await agentFixture();
const anthropic = await new FakeClaudeCodeModel().start();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-claude-http-'));
let server: HttpServerProcess;
let handle: string;
let run: ClientRun;

before(async () => {
  server = await startHttpServer(['--auth-token', TOKEN]);
  // A session of the same principal, opened by another client: Claude Code reaches it by its handle.
  const opener = await server.connect(AUTH);
  try {
    handle = (await opener.ok('new_session', { start_url: fixture.url('/') })).structuredContent.session_id as string;
  } finally {
    await opener.close();
  }
  fs.writeFileSync(path.join(home, 'mcp.json'), JSON.stringify({ mcpServers: { cua: { type: 'http', url: server.url, headers: AUTH } } }));
  anthropic.script([{ tool: 'mcp__cua__screenshot', input: { session_id: handle } }, { text: 'Done.' }]);
  run = await runClaudeCode(
    [
      '-p',
      'Look at my browser session.',
      '--mcp-config',
      path.join(home, 'mcp.json'),
      '--strict-mcp-config',
      '--allowedTools',
      'mcp__cua__screenshot',
      '--output-format',
      'json',
    ],
    home,
    anthropic.origin,
  );
});
after(async () => {
  await server?.stop();
  await anthropic.stop();
  await fixture.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

test('Claude Code over HTTP drives a session by its handle, on protocol 2026-07-28', () => {
  assert.equal(run.code, 0, describeRun('claude', run));
  const [block] = anthropic.resultsFor('mcp__cua__screenshot');
  assert.ok(block, `no tool_result for screenshot\n${describeRun('claude', run)}`);
  const text = JSON.stringify(block.content);
  assert.ok(!block.is_error, text.slice(0, 1000));
  assert.match(text, new RegExp(`\\\\"session_id\\\\":\\\\"${handle}\\\\"`), 'the result is about the handle it passed');
  assert.match(text, /"type":"image"/);
  // The opener's MCP session is the only one: Claude Code made none (2026-07-28 has no handshake and no MCP session).
  assert.equal(server.stderr().match(/MCP session \S+ opened over HTTP/g)?.length, 1, server.stderr().slice(-3000));
});
