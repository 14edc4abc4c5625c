import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { agentFixture, BUTTON, click, DISPLAY, previewFake } from './helpers/agent-fixture.js';
import { browserEnv, describeRun, runClaudeCode, type ClientRun } from './helpers/clients.js';
import { FakeClaudeCodeModel, type ToolResultBlock } from './helpers/fake-claude-code-model.js';
import { imageSize } from './helpers/fake-responses.js';
import { startHttpServer, type HttpServerProcess } from './helpers/http.js';
import { CLI } from './helpers/mcp.js';

// Claude Code from npm, run as its users run it non-interactively (-p), against a fake
// Anthropic Messages API whose "model" calls our tools. What Claude Code sends back in
// each tool_result is what its model sees. One run has two of our servers: `cua` over
// stdio, and `remote` over HTTP (`type: "http"`), as a remote user has it: there it speaks
// 2026-07-28 with us (server/discover, no MCP session) and must mirror a tool's session_id
// into the Mcp-Param-Session-Id header, or the server answers 400 HeaderMismatch.

const TOKEN = 'claude-http-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const fixture = await agentFixture();
const openai = await previewFake('sk-test');
const anthropic = await new FakeClaudeCodeModel().start();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-claude-code-'));
let remote: HttpServerProcess;
/** A session of the HTTP server's principal, opened by another client: Claude Code reaches it by its handle. */
let handle: string;
let run: ClientRun;

before(async () => {
  remote = await startHttpServer(['--auth-token', TOKEN]);
  const opener = await remote.connect(AUTH);
  try {
    handle = (await opener.ok('new_session', { start_url: fixture.url('/') })).structuredContent.session_id as string;
  } finally {
    await opener.close();
  }
  fs.writeFileSync(
    path.join(home, 'mcp.json'),
    JSON.stringify({
      mcpServers: {
        cua: {
          command: process.execPath,
          args: [CLI, '--headless', '--start-url', fixture.url('/')],
          env: {
            ...browserEnv(),
            OPENAI_API_KEY: 'sk-test',
            OPENAI_BASE_URL: `${openai.origin}/v1`,
            AZURE_OPENAI_ENDPOINT: '',
            CUA_LOG_LEVEL: 'debug',
          },
        },
        remote: { type: 'http', url: remote.url, headers: AUTH },
      },
    }),
  );
  openai.script([
    { output: [openai.call([click(BUTTON)], [{ id: 'sc_1', code: 'sensitive_domain', message: 'The page looks sensitive.' }])] },
  ]);
  anthropic.script([
    { tool: 'mcp__cua__screenshot', input: {} },
    { tool: 'mcp__cua__run_task', input: { task: 'Press Send' } },
    { tool: 'mcp__remote__screenshot', input: { session_id: handle } },
    { text: 'Done.' },
  ]);
  run = await runClaudeCode(
    [
      '-p',
      'Look at the browser, then press Send.',
      '--mcp-config',
      path.join(home, 'mcp.json'),
      '--strict-mcp-config',
      '--allowedTools',
      'mcp__cua__screenshot',
      'mcp__cua__run_task',
      'mcp__remote__screenshot',
      '--output-format',
      'json',
    ],
    home,
    anthropic.origin,
  );
});

after(async () => {
  await remote?.stop();
  await anthropic.stop();
  await openai.stop();
  await fixture.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

/** The one tool_result of `tool`, with its image and the JSON text Claude Code put beside it. */
function resultOf(tool: string): { block: ToolResultBlock; image: Buffer; json: Record<string, unknown> } {
  const [block] = anthropic.resultsFor(tool);
  assert.ok(block, `Claude Code sent no tool_result for ${tool} (requests: ${anthropic.log.join(', ')})\n${describeRun('claude', run)}`);
  const image = block.content.find((c) => c.type === 'image') as { source: { media_type: string; data: string } } | undefined;
  assert.ok(image, `the ${tool} tool_result has no image block: ${JSON.stringify(block).slice(0, 1000)}`);
  assert.equal(image.source.media_type, 'image/png');
  const texts = block.content.filter((c): c is { type: 'text'; text: string } => c.type === 'text').map((c) => c.text);
  const json = texts
    .map((t) => {
      try {
        return JSON.parse(t) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .find(Boolean);
  assert.ok(json, `the ${tool} tool_result carries no JSON of structuredContent: ${JSON.stringify(texts).slice(0, 1000)}`);
  return { block, image: Buffer.from(image.source.data, 'base64'), json };
}

test('Claude Code runs to the end and makes the three tool calls', () => {
  assert.equal(run.code, 0, describeRun('claude', run));
  assert.equal(anthropic.remaining, 0, `the scripted model turns were not all used\n${describeRun('claude', run)}`);
});

test('the model sees the screenshot as an image block, and the session and URL', () => {
  const { image, json } = resultOf('mcp__cua__screenshot');
  assert.deepEqual(imageSize(image), { type: 'png', ...DISPLAY });
  assert.equal(json.url, fixture.url('/'));
  assert.match(String(json.session_id), /^[\w-]{8,}$/);
  assert.deepEqual(json.display, DISPLAY);
});

test('a run paused on a safety check tells the model to ask the user and call acknowledge_safety_check', () => {
  const { image, json } = resultOf('mcp__cua__run_task');
  assert.deepEqual(imageSize(image), { type: 'png', ...DISPLAY });
  // -p answers the elicitation with "cancel": the run stays paused, and the flagged click has not run.
  assert.equal(json.status, 'needs_confirmation');
  assert.match(
    String(json.next_step),
    /The flagged action has NOT run\. Ask the user, then call acknowledge_safety_check with session_id "[\w-]+" and decision "approve" or "deny"/,
  );
  assert.deepEqual(
    (json.pending_safety_checks as { id: string }[]).map((c) => c.id),
    ['sc_1'],
  );
  assert.deepEqual(json.pending_actions, ['click 200,140']);
  assert.equal(fixture.clicks(), 0);
  assert.deepEqual(openai.violations, []);
});

test('Claude Code over HTTP drives a session by its handle, on protocol 2026-07-28', () => {
  const [block] = anthropic.resultsFor('mcp__remote__screenshot');
  assert.ok(block, `no tool_result for screenshot\n${describeRun('claude', run)}`);
  const text = JSON.stringify(block.content);
  assert.ok(!block.is_error, text.slice(0, 1000));
  assert.match(text, new RegExp(`\\\\"session_id\\\\":\\\\"${handle}\\\\"`), 'the result is about the handle it passed');
  assert.match(text, /"type":"image"/);
  // The opener's MCP session is the only one: Claude Code made none (2026-07-28 has no handshake and no MCP session).
  assert.equal(remote.stderr().match(/MCP session \S+ opened over HTTP/g)?.length, 1, remote.stderr().slice(-3000));
});
