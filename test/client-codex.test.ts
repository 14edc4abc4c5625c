import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { agentFixture, DISPLAY } from './helpers/agent-fixture.js';
import { browserEnv, codexCommand, describeRun, runClient, type ClientRun } from './helpers/clients.js';
import { FakeCodexModel, type Item } from './helpers/fake-codex-model.js';
import { imageSize } from './helpers/fake-responses.js';
import { CLI } from './helpers/mcp.js';

// The Codex CLI from npm, run as `codex exec` with our server in its config.toml and a
// custom model provider pointing at a fake Responses API. Codex hides MCP tools behind a
// client-side tool_search; the scripted model searches, then calls `screenshot` in the
// `mcp__cua` namespace. The function_call_output Codex sends back is what its model sees.

const fixture = await agentFixture();
const model = await new FakeCodexModel().start();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-codex-'));
const search = model.toolSearch('browser screenshot');
const call = model.functionCall('mcp__cua', 'screenshot', {});
// navigate is not read-only: it runs only because the config approves the server's tools.
const navigate = model.functionCall('mcp__cua', 'navigate', { url: fixture.url('/?second') });
let run: ClientRun;

const toml = (value: string) => JSON.stringify(value);

before(async () => {
  const serverEnv = Object.entries({ ...browserEnv(), CUA_LOG_LEVEL: 'debug' }).map(([k, v]) => `${k} = ${toml(v)}`);
  fs.writeFileSync(
    path.join(home, 'config.toml'),
    [
      'model = "gpt-5.5"',
      'model_provider = "fake"',
      'approval_policy = "never"',
      '',
      '[model_providers.fake]',
      'name = "fake"',
      `base_url = ${toml(`${model.origin}/v1`)}`,
      'wire_api = "responses"',
      'env_key = "FAKE_MODEL_KEY"',
      '',
      '[mcp_servers.cua]',
      `command = ${toml(process.execPath)}`,
      `args = [${[CLI, '--headless', '--start-url', fixture.url('/')].map(toml).join(', ')}]`,
      'required = true',
      'default_tools_approval_mode = "approve"',
      'tool_timeout_sec = 120',
      '',
      '[mcp_servers.cua.env]',
      ...serverEnv,
      '',
    ].join('\n'),
  );
  model.script([search, call, navigate]);
  const [command, ...args] = await codexCommand();
  run = await runClient(command, [...args, 'exec', '--json', '--skip-git-repo-check', '--ephemeral', 'Take a screenshot of the browser.'], {
    cwd: home,
    timeoutMs: 90_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CODEX_HOME: home, FAKE_MODEL_KEY: 'sk-test' },
  });
});

after(async () => {
  await model.stop();
  await fixture.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

test('codex exec finds our tools through tool_search and calls them (navigate approved by the config)', () => {
  assert.equal(run.code, 0, describeRun('codex', run));
  const events = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; item?: Item });
  const toolCalls = events.filter((e) => e.type === 'item.completed' && e.item?.type === 'mcp_tool_call').map((e) => e.item!);
  assert.deepEqual(
    toolCalls.map((c) => `${String(c.server)}/${String(c.tool)}`),
    ['cua/screenshot', 'cua/navigate'],
    describeRun('codex', run),
  );
  for (const toolCall of toolCalls) assert.equal(toolCall.status, 'completed', JSON.stringify(toolCall).slice(0, 1000));
  // What Codex offered the model: the search tool, not our tools themselves.
  const tools = model.requests[0]?.body.tools ?? [];
  assert.ok(
    tools.some((t) => t.type === 'tool_search'),
    `no tool_search among ${tools.map((t) => String(t.name ?? t.type)).join(', ')}`,
  );
});

test('the model gets the screenshot as an input_image, with the session and URL as text', () => {
  const output = model.outputFor(String(call.call_id));
  assert.ok(output, `Codex sent no function_call_output for the screenshot call\n${describeRun('codex', run)}`);
  const parts = output.output as Item[];
  assert.ok(Array.isArray(parts), `output is not content items (structuredContent JSON?): ${JSON.stringify(output.output).slice(0, 500)}`);
  const image = parts.find((p) => p.type === 'input_image');
  assert.ok(image, `no input_image in ${JSON.stringify(parts).slice(0, 500)}`);
  const match = /^data:image\/png;base64,(.+)$/.exec(String(image.image_url));
  assert.ok(match, 'the input_image is not a PNG data URL');
  assert.deepEqual(imageSize(Buffer.from(match[1]!, 'base64')), { type: 'png', ...DISPLAY });
  const text = parts
    .filter((p) => p.type === 'input_text')
    .map((p) => String(p.text))
    .join('\n');
  assert.match(text, new RegExp(`Session [\\w-]{8,}: ${fixture.url('/').replace(/[.]/g, '\\.')} "fixture"`));
});
