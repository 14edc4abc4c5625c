import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CallToolResultSchema, ErrorCode, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { startHttpServer, type HttpServerProcess } from './helpers/http.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';

/**
 * Property: whatever arguments arrive at whatever tool, the call ends with a
 * result or a clear error (no hang, no crash), the server stays up, and a
 * browser session opened before is still there afterwards, unchanged.
 */

const RUNS_PER_TOOL = 30;
const CALL_TIMEOUT_MS = 45_000;
const SERVER_ARGS = ['--settle-timeout', '300', '--max-sessions', '5'];

const fixtures = new FixtureServer({
  '/keep': page('<h1>Keep me</h1><input id="field">').replace('<title>fixture</title>', '<title>keep</title>'),
  '/play': page('<button>Button</button><textarea></textarea><div style="height:3000px">tall</div>'),
});

const ACTION_TYPES = ['click', 'double_click', 'drag', 'move', 'scroll', 'keypress', 'type', 'wait', 'screenshot'];

const number = fc.oneof(
  fc.integer({ min: -50, max: 1100 }),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -0, 1e308),
  fc.string({ maxLength: 4 }),
  fc.constant(null),
);
const keys = fc.oneof(
  fc.array(
    fc.oneof(fc.constantFrom('ctrl', 'shift', 'alt', 'a', 'Enter', 'ArrowLeft', 'F5', 'CMD', 'super', ''), fc.string({ maxLength: 6 })),
    { maxLength: 4 },
  ),
  fc.anything({ maxDepth: 1 }),
);

const x = fc.integer({ min: 0, max: 1023 });
const y = fc.integer({ min: 0, max: 767 });
const modifiers = fc.subarray(['ctrl', 'shift', 'alt']);

/** Actions the schema accepts, so the calls reach the browser. */
const validAction = fc.oneof(
  fc.record({ type: fc.constant('click'), x, y, button: fc.constantFrom('left', 'right', 'wheel', 'back', 'forward'), keys: modifiers }),
  fc.record({ type: fc.constant('double_click'), x, y }),
  fc.record({ type: fc.constant('move'), x, y }),
  fc.record({ type: fc.constant('drag'), path: fc.array(fc.record({ x, y }), { minLength: 2, maxLength: 4 }) }),
  fc.record({
    type: fc.constant('scroll'),
    x,
    y,
    scroll_x: fc.integer({ min: -500, max: 500 }),
    scroll_y: fc.integer({ min: -500, max: 500 }),
  }),
  fc.record({
    type: fc.constant('keypress'),
    keys: fc.constantFrom(['ctrl', 'a'], ['Enter'], ['Tab'], ['shift', 'ArrowLeft'], ['Backspace']),
  }),
  fc.record({ type: fc.constant('type'), text: fc.string({ maxLength: 12 }) }),
  fc.record({ type: fc.constant('wait'), ms: fc.integer({ min: 0, max: 100 }) }),
  fc.constant({ type: 'screenshot' }),
);

/** Valid actions, action-shaped objects that are subtly wrong, and plain garbage. */
const action = fc.oneof(
  { weight: 3, arbitrary: validAction },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        type: fc.oneof(fc.constantFrom(...ACTION_TYPES), fc.string({ maxLength: 8 })),
        x: number,
        y: number,
        button: fc.oneof(fc.constantFrom('left', 'right', 'wheel', 'back', 'forward', 'middle'), fc.anything({ maxDepth: 0 })),
        keys,
        text: fc.oneof(fc.string({ maxLength: 20 }), fc.anything({ maxDepth: 1 })),
        scroll_x: number,
        scroll_y: number,
        ms: fc.oneof(fc.integer({ min: -10, max: 300 }), fc.constantFrom(1e9, 0.5, Number.NaN)),
        path: fc.oneof(fc.array(fc.record({ x: number, y: number }), { maxLength: 5 }), fc.anything({ maxDepth: 1 })),
      },
      { requiredKeys: ['type'] },
    ),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

const sessionId = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.uuid(),
  fc.constantFrom('', 'default', '../', '*', '00000000-0000-0000-0000-000000000000', 'null'),
  fc.anything({ maxDepth: 1 }),
);

function urls(base: string) {
  return fc.oneof(
    fc.constantFrom(
      `${base}/play`,
      `${base}/missing`,
      'about:blank',
      'data:text/html,<b>x</b>',
      'javascript:alert(1)',
      'https://unreachable.invalid/',
      'not a url at all',
      '',
      '   ',
      'http://[::1',
      'ftp://x',
    ),
    fc.string({ maxLength: 30 }),
    fc.anything({ maxDepth: 1 }),
  );
}

/** Values for a property: what its name suggests (right or wrong), or anything at all. */
function valueFor(name: string, schema: { type?: unknown }, base: string): fc.Arbitrary<unknown> {
  if (name === 'actions')
    return fc.oneof({ weight: 4, arbitrary: fc.array(action, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) });
  if (name === 'session_id') return sessionId;
  if (name.endsWith('url')) return urls(base);
  const typed =
    schema.type === 'string'
      ? fc.string({ maxLength: 30 })
      : schema.type === 'number' || schema.type === 'integer'
        ? number
        : schema.type === 'boolean'
          ? fc.boolean()
          : fc.anything({ maxDepth: 2 });
  return fc.oneof(typed, fc.anything({ maxDepth: 2 }));
}

/** Argument objects for a tool: its own properties (each maybe missing, maybe wrong) plus stray keys. */
function argumentsFor(tool: Tool, base: string): fc.Arbitrary<Record<string, unknown>> {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, { type?: unknown }>;
  const known = fc.record(Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, valueFor(name, schema, base)])), {
    requiredKeys: [],
  });
  return fc.oneof(
    { weight: 5, arbitrary: known },
    {
      weight: 1,
      arbitrary: fc
        .tuple(known, fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 1 }), { maxKeys: 3 }))
        .map(([a, b]) => ({ ...b, ...a })),
    },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 2 }), { maxKeys: 4 }) },
  );
}

/** Error texts that mean the server failed inside rather than explaining the input. */
const UNCLEAR = /Cannot read propert|is not a function|is not iterable|undefined is not|\[object Object\]|Maximum call stack/;

const outcomes = { results: 0, toolErrors: 0, protocolErrors: 0 };

/** Calls a tool and checks the outcome is a result or a clear error, within the timeout. */
async function expectAnswer(server: ServerHandle, name: string, params: unknown): Promise<void> {
  try {
    const result = await server.client.request({ method: 'tools/call', params: params as { name: string } }, CallToolResultSchema, {
      timeout: CALL_TIMEOUT_MS,
    });
    assert.ok(Array.isArray(result.content), 'a result has content');
    outcomes[result.isError ? 'toolErrors' : 'results']++;
    if (result.isError) {
      const text = textOf(result);
      assert.ok(text.length > 10, `error result without an explanation: ${JSON.stringify(result)}`);
      assert.doesNotMatch(text, UNCLEAR, `unclear error for ${name} ${JSON.stringify(params)}`);
    }
  } catch (error) {
    // Protocol-level refusal (e.g. params that are not an object) is a clear answer; a timeout or a dead connection is not.
    assert.ok(error instanceof McpError, `not an MCP error: ${String(error)}`);
    outcomes.protocolErrors++;
    assert.ok(error.code !== ErrorCode.RequestTimeout, `${name} hung on ${JSON.stringify(params)}`);
    assert.ok(
      error.code !== ErrorCode.ConnectionClosed,
      `the connection died on ${name} ${JSON.stringify(params)}\n${server.stderr().slice(-2000)}`,
    );
    assert.doesNotMatch(error.message, UNCLEAR);
  }
}

type Transport = 'stdio' | 'http';

/** A server over one transport, with a session kept aside and the default session on the playground. */
interface Target {
  server: ServerHandle;
  http?: HttpServerProcess;
  kept: { session_id: string; url: string };
  tools: Tool[];
}

async function openTarget(transport: Transport): Promise<Target> {
  const http = transport === 'http' ? await startHttpServer(SERVER_ARGS) : undefined;
  const server = http ? await http.connect() : await startServer(SERVER_ARGS);
  const opened = await server.ok('new_session', { start_url: fixtures.url('/keep') });
  const kept = { session_id: opened.structuredContent.session_id as string, url: opened.structuredContent.url as string };
  await server.ok('navigate', { url: fixtures.url('/play') }); // the default session is the playground
  return { server, http, kept, tools: (await server.client.listTools()).tools };
}

const targets = new Map<Transport, Target>();

// Both servers start, and launch their browsers, side by side.
before(async () => {
  await fixtures.start();
  const opened = await Promise.all(
    (['stdio', 'http'] as const).map(async (transport) => [transport, await openTarget(transport)] as const),
  );
  for (const [transport, target] of opened) targets.set(transport, target);
});
after(async () => {
  for (const { server, http } of targets.values()) {
    await server.close();
    await http?.stop();
  }
  await fixtures.stop();
});

function fuzzSuite(transport: Transport) {
  describe(`random and malformed arguments at every tool, over ${transport}`, () => {
    let server: ServerHandle;
    let kept: Target['kept'];
    let tools: Tool[] = [];

    before(() => ({ server, kept, tools } = targets.get(transport)!));

    test('every tool answers every argument object with a result or a clear error', async (t) => {
      assert.ok(tools.length >= 6, `listTools gave ${tools.map((t) => t.name).join(', ')}`);
      for (const tool of tools) {
        await fc.assert(
          fc.asyncProperty(argumentsFor(tool, fixtures.origin), (args) =>
            expectAnswer(server, tool.name, { name: tool.name, arguments: args }),
          ),
          { numRuns: RUNS_PER_TOOL },
        );
      }
      t.diagnostic(`outcomes so far: ${JSON.stringify(outcomes)}`);
    });

    test('malformed tools/call params (arguments not an object, unknown tool) are refused clearly', async () => {
      const names = fc.oneof(fc.constantFrom(...tools.map((t) => t.name)), fc.string({ maxLength: 12 }));
      // params itself stays an object: anything else is not an MCP request at all (the HTTP transport answers it 400).
      const params = fc.oneof(
        fc.record({
          name: names,
          arguments: fc.oneof(fc.string(), fc.array(fc.anything({ maxDepth: 1 })), fc.integer(), fc.constant(null), fc.boolean()),
        }),
        fc.record({ name: fc.anything({ maxDepth: 1 }), arguments: fc.object({ maxDepth: 1 }) }),
        fc.object({ maxDepth: 2 }),
      );
      await fc.assert(
        fc.asyncProperty(params, (p) => expectAnswer(server, 'tools/call', p)),
        { numRuns: 30 },
      );
    });

    test('afterwards the server is up and the session opened before is unchanged', async () => {
      const shot = await server.ok('screenshot', { session_id: kept.session_id });
      assert.equal(shot.structuredContent.session_id, kept.session_id);
      assert.equal(shot.structuredContent.url, kept.url);
      assert.equal(shot.structuredContent.title, 'keep');
      const listed = (await server.ok('list_sessions')).structuredContent.sessions as { session_id: string }[];
      assert.ok(listed.some((s) => s.session_id === kept.session_id));
      assert.ok((await server.client.ping()) !== undefined);
    });
  });
}

// Each transport has a server of its own: the two run side by side.
describe('every tool, over each transport', { concurrency: true }, () => {
  fuzzSuite('stdio');
  fuzzSuite('http');
});
