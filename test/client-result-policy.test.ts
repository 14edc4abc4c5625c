import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { agentFixture, BUTTON, click, previewFake } from './helpers/agent-fixture.js';
import { INITIALIZE, MCP_HEADERS, rawRequest, startHttpServer } from './helpers/http.js';
import { CLI, imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';

// What each kind of client gets: structuredContent valid against outputSchema for the
// clients that read it, and text + image alone (no outputSchema) for Codex, whose
// model would otherwise see only the JSON. Claude Code's first probe is answered at once.

const fixture = await agentFixture();
const fake = await previewFake('sk-test');
const modelEnv = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.origin}/v1`, AZURE_OPENAI_ENDPOINT: '' };
const CODEX = { name: 'codex-mcp-client', version: '0.169.0' };

after(async () => {
  await fake.stop();
  await fixture.stop();
});

/** A run that pauses on a safety check before its first action. */
async function pausedRun(server: ServerHandle): Promise<CallToolResult> {
  fake.script([{ output: [fake.call([click(BUTTON)], [{ id: 'sc_1', code: 'sensitive_domain', message: 'Sensitive.' }])] }]);
  return server.call('run_task', { task: 'Press Send', start_url: fixture.url('/') });
}

describe('a client that reads structuredContent (the SDK client)', () => {
  let server: ServerHandle;
  let tools: Map<string, Tool>;
  const validator = new AjvJsonSchemaValidator();
  before(async () => {
    server = await startServer(['--start-url', fixture.url('/')], modelEnv);
    tools = new Map((await server.client.listTools()).tools.map((t) => [t.name, t]));
  });
  after(() => server.close());

  function valid(tool: string, result: CallToolResult): Record<string, unknown> {
    const schema = tools.get(tool)?.outputSchema;
    assert.ok(schema, `${tool} declares no outputSchema`);
    assert.ok(result.structuredContent, `${tool} returned no structuredContent: ${textOf(result)}`);
    const verdict = validator.getValidator(schema)(result.structuredContent);
    assert.ok(verdict.valid, `${tool}'s structuredContent does not match its outputSchema: ${verdict.errorMessage}`);
    return result.structuredContent;
  }

  it('gets structuredContent valid against the outputSchema, beside the text and the image', async () => {
    const shot = valid('screenshot', await server.call('screenshot'));
    assert.equal(shot.summary, 'Screenshot');
    assert.equal(shot.url, fixture.url('/'));
    const acted = valid('computer', await server.call('computer', { actions: [{ type: 'wait', ms: 1 }] }));
    assert.deepEqual(acted.actions, ['wait 1ms']);
    valid('list_sessions', await server.call('list_sessions'));
  });

  it('a paused run says in structuredContent what to do next; the text says it too', async () => {
    const result = await pausedRun(server);
    const state = valid('run_task', result);
    assert.equal(state.status, 'needs_confirmation');
    assert.match(
      String(state.next_step),
      /The flagged action has NOT run\. Ask the user, then call acknowledge_safety_check with session_id "[\w-]+"/,
    );
    assert.match(textOf(result), /Status: needs_confirmation after 1 step\(s\) in session [\w-]+\. Next: The flagged action has NOT run/);
    assert.equal(imageOf(result).mimeType, 'image/png');
    assert.deepEqual(fake.violations, []);
  });
});

describe('Codex (clientInfo codex-mcp-client)', () => {
  let server: ServerHandle;
  before(async () => {
    server = await startServer(['--start-url', fixture.url('/')], modelEnv, {}, CODEX);
  });
  after(() => server.close());

  it('sees no outputSchema, and gets results without structuredContent whose text carries the facts', async () => {
    const { tools } = await server.client.listTools();
    assert.deepEqual(
      tools.filter((t) => t.outputSchema).map((t) => t.name),
      [],
    );
    const shot = await server.ok('screenshot');
    assert.equal(shot.structuredContent, undefined);
    assert.match(textOf(shot), new RegExp(`^Screenshot\\nSession [\\w-]+: ${fixture.url('/').replace(/[.]/g, '\\.')} "fixture"`));
    assert.equal(imageOf(shot).mimeType, 'image/png');
  });

  it('a paused run tells it the next step in the text', async () => {
    const result = await pausedRun(server);
    assert.equal(result.structuredContent, undefined);
    assert.match(
      textOf(result),
      /Status: needs_confirmation after 1 step\(s\) in session [\w-]+\. Next: The flagged action has NOT run\. Ask the user, then call acknowledge_safety_check/,
    );
    assert.match(textOf(result), /Check ids: sc_1/);
    assert.equal(imageOf(result).mimeType, 'image/png');
  });
});

describe('--structured-output overrides the choice', () => {
  it('off: no structuredContent for any client; on: structuredContent even for Codex', async () => {
    const [off, on] = await Promise.all([
      startServer(['--structured-output', 'off']),
      startServer(['--structured-output', 'on'], {}, {}, CODEX),
    ]);
    try {
      assert.deepEqual(
        (await off.client.listTools()).tools.filter((t) => t.outputSchema).map((t) => t.name),
        [],
      );
      assert.equal((await off.ok('screenshot')).structuredContent, undefined);
      assert.ok((await on.client.listTools()).tools.some((t) => t.name === 'screenshot' && t.outputSchema));
      assert.equal((await on.ok('screenshot')).structuredContent?.summary, 'Screenshot');
    } finally {
      await Promise.all([off.close(), on.close()]);
    }
  });
});

/** Claude Code's first message to a server (protocol 2026-07-28), as it sends it. */
const DISCOVER = {
  jsonrpc: '2.0',
  id: 'server-discover-probe-1',
  method: 'server/discover',
  params: {
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'claude-code', title: 'Claude Code', version: '2.1.332' },
      'io.modelcontextprotocol/clientCapabilities': { roots: { listChanged: true }, elicitation: { form: {}, url: {} } },
    },
  },
};

type Answer = {
  id: unknown;
  error?: { code: number; message: string };
  result?: { protocolVersion?: string; supportedVersions?: string[]; resultType?: string };
};

describe("Claude Code's server/discover probe", () => {
  it('over stdio: answered with the versions we speak; a client that sends initialize instead still gets 2025-11-25', async () => {
    const child = spawn(process.execPath, [CLI, '--headless'], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const next = async () => {
        let timer: NodeJS.Timeout | undefined;
        // A hang guard: cleared once the line comes, or its timer would keep the test process alive for 10 s after the last test.
        const line = await Promise.race([
          lines.next(),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000))),
        ]).finally(() => clearTimeout(timer));
        return JSON.parse(String(line.value)) as Answer;
      };
      child.stdin.write(`${JSON.stringify(DISCOVER)}\n`);
      const probe = await next();
      assert.equal(probe.id, DISCOVER.id);
      assert.ok(probe.result?.supportedVersions?.includes('2026-07-28'), JSON.stringify(probe));
      assert.equal(probe.result?.resultType, 'complete');
      child.stdin.write(`${INITIALIZE}\n`);
      const initialized = await next();
      assert.equal(initialized.result?.protocolVersion, '2025-11-25');
    } finally {
      child.kill();
    }
  });

  it('over HTTP: answered without an MCP session; initialize still opens one', async () => {
    const server = await startHttpServer();
    try {
      const headers = { ...MCP_HEADERS, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'server/discover' };
      const probe = await rawRequest(server.url, { headers, body: JSON.stringify(DISCOVER) });
      assert.equal(probe.status, 200, probe.body);
      assert.ok((JSON.parse(probe.body) as Answer).result?.supportedVersions?.includes('2026-07-28'), probe.body);
      assert.equal(probe.headers['mcp-session-id'], undefined);
      const initialized = await rawRequest(server.url, { headers: MCP_HEADERS, body: INITIALIZE });
      assert.equal(initialized.status, 200);
      assert.ok(initialized.headers['mcp-session-id']);
    } finally {
      await server.stop();
    }
  });
});
