import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { agentFixture, previewFake, BUTTON, click } from './helpers/agent-fixture.js';
import { CLI } from './helpers/mcp.js';
import { onDemand } from './helpers/on-demand.js';

// The OpenAI Agents SDK as its users run it against MCP servers: over stdio, with
// convertSchemasToStrict, so OpenAI strict function calling sends `null` for every
// argument the model leaves out.

/**
 * The part of @openai/agents this test uses. The SDK is installed on first use
 * (scripts/clients/openai-agents: it pulls openai@7, which asks for Node 22), so
 * its own types are not there when the tests compile.
 */
interface FunctionTool {
  type: 'function';
  name: string;
  strict: boolean;
  parameters: unknown;
  invoke(context: unknown, input: string): Promise<unknown>;
}
type Tool = FunctionTool | { type: Exclude<string, 'function'> };
interface McpServer {
  connect(): Promise<void>;
  close(): Promise<void>;
  callTool(name: string, args: Record<string, unknown>): Promise<{ type: string; text?: string }[]>;
}
interface AgentsSdk {
  Agent: new (options: { name: string }) => unknown;
  RunContext: new () => unknown;
  MCPServerStdio: new (options: {
    name: string;
    command: string;
    args: string[];
    env: Record<string, string>;
    clientSessionTimeoutSeconds: number;
  }) => McpServer;
  getAllMcpTools(options: {
    mcpServers: McpServer[];
    convertSchemasToStrict: boolean;
    runContext: unknown;
    agent: unknown;
  }): Promise<Tool[]>;
}
const { Agent, getAllMcpTools, MCPServerStdio, RunContext } = (await import(
  pathToFileURL(path.join(await onDemand('clients/openai-agents'), '@openai/agents/dist/index.mjs')).href
)) as AgentsSdk;

const fixture = await agentFixture();
const fake = await previewFake('sk-test');
const server = new MCPServerStdio({
  name: 'cua',
  command: process.execPath,
  args: [CLI, '--headless'],
  env: {
    ...(process.env as Record<string, string>),
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${fake.origin}/v1`,
    AZURE_OPENAI_ENDPOINT: '',
  },
  clientSessionTimeoutSeconds: 60,
});
const warnings: string[] = [];
let tools: Map<string, FunctionTool>;
const context = new RunContext();

before(async () => {
  await server.connect();
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  try {
    const all: Tool[] = await getAllMcpTools({
      mcpServers: [server],
      convertSchemasToStrict: true,
      runContext: context,
      agent: new Agent({ name: 'strict' }),
    });
    tools = new Map(all.filter((t): t is FunctionTool => t.type === 'function').map((t) => [t.name, t]));
  } finally {
    console.warn = warn;
  }
});

after(async () => {
  await server.close();
  await fake.stop();
  await fixture.stop();
});

/** Calls a tool the way the SDK does when the model answers with these (strict) arguments. */
async function invoke(name: string, args: Record<string, unknown>): Promise<string> {
  const tool = tools.get(name);
  assert.ok(tool, `no tool ${name}`);
  const output = await tool.invoke(context, JSON.stringify(args));
  return JSON.stringify(output);
}

test('every tool converts to strict mode, without the SDK falling back', async () => {
  assert.deepEqual(warnings, [], 'the SDK warned while converting schemas to strict mode');
  assert.deepEqual([...tools.keys()].sort(), [
    'acknowledge_safety_check',
    'cancel_run',
    'close_session',
    'computer',
    'get_run',
    'launch_app',
    'list_sessions',
    'navigate',
    'new_session',
    'run_task',
    'save_storage_state',
    'screenshot',
    'select_tab',
    'step',
  ]);
  for (const [name, tool] of tools) {
    assert.equal(tool.strict, true, `${name} fell back to non-strict`);
    assert.doesNotMatch(JSON.stringify(tool.parameters), /"oneOf"/, `${name} still uses oneOf`);
  }
});

test('calls with null for every argument left out work, and errors still name the field', async () => {
  const opened = await invoke('navigate', { session_id: null, url: fixture.url('/') });
  assert.match(opened, new RegExp(`Session [^:]+: ${fixture.url('/').replace(/[/.]/g, '\\$&')}`));
  const acted = await invoke('computer', {
    session_id: null,
    actions: [
      { ...click(BUTTON), button: null, keys: null },
      { type: 'scroll', x: 10, y: 10, scroll_x: null, scroll_y: 50, keys: null },
      { type: 'wait', ms: null },
    ],
  });
  assert.match(acted, /Ran 3 action\(s\): click 200,140; scroll 0,50 at 10,10; wait 1000ms/);
  assert.equal(fixture.clicks(), 1);
  assert.match(await invoke('screenshot', { session_id: null }), /Screenshot/);
  assert.match(await invoke('select_tab', { session_id: null, index: 0 }), /Switched to tab 0/);
  const fresh = await invoke('new_session', { start_url: null });
  const freshId = /Opened session ([\w-]+)/.exec(fresh)?.[1];
  assert.ok(freshId, fresh);
  assert.match(await invoke('list_sessions', {}), new RegExp(freshId));
  assert.match(await invoke('close_session', { session_id: freshId }), /Closed session/);

  const refused = await invoke('computer', { session_id: null, actions: [{ type: 'click', x: 'left', y: 5, button: null, keys: null }] });
  assert.match(refused, /actions\[0\]\.x: x must be a number/);
});

test('the run tools take nulls too: run_task, acknowledge_safety_check, step', async () => {
  // Straight to the server (callTool does not strip nulls), as any strict-mode client sends them.
  const raw = async (name: string, args: Record<string, unknown>) => {
    const content = await server.callTool(name, args);
    return content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
  };
  fake.script([{ output: [fake.call([click(BUTTON)], [{ id: 'sc_1', code: 'sensitive_domain', message: 'Check this.' }])] }]);
  const paused = await raw('run_task', {
    task: 'Press Send',
    session_id: null,
    start_url: fixture.url('/'),
    max_steps: null,
    instructions: null,
  });
  assert.match(paused, /Status: needs_confirmation/);
  const session = /in session ([\w-]+)/.exec(paused)?.[1];
  assert.ok(session, paused);
  fake.script([{ output: [fake.message('Pressed.')] }], true);
  const approved = await raw('acknowledge_safety_check', { session_id: session, decision: 'approve', check_ids: null });
  assert.match(approved, /Status: completed/);
  fake.script([{ output: [fake.message('Nothing more to do.')] }]);
  assert.match(await raw('step', { session_id: session, task: 'Say you are done' }), /Status: completed/);
  assert.deepEqual(fake.violations, []);
  const resumed = await raw('step', { session_id: session, task: null });
  assert.doesNotMatch(resumed, /Input validation error/);
  assert.match(await raw('new_session', { start_url: null }), /Opened session/);
  assert.match(await raw('screenshot', { session_id: null }), /\[image\]/);
});
