import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { click, FIELD } from './helpers/agent-fixture.js';
import type { HttpServerProcess } from './helpers/http.js';
import { textOf } from './helpers/mcp.js';
import { principalsServer } from './helpers/principals.js';

// Sessions belong to the principal behind the token, not to the MCP session: a client that opens a new MCP
// session for every call (remote connectors do) keeps its sessions and runs by their handles.
const ALICE = 'alice';
const BOB = 'bob';
type Principal = typeof ALICE | typeof BOB;
const shared = await principalsServer([ALICE, BOB], 'sk-handles');
const { fixture, fake, as } = shared;
after(() => shared.stop());

type Result = Awaited<ReturnType<Awaited<ReturnType<HttpServerProcess['connect']>>['call']>> & {
  structuredContent: Record<string, unknown>;
};

/** One tool call on an MCP session of its own, ended (DELETE) right after, as a client that reconnects per call. */
async function callOnce(who: Principal, name: string, args: Record<string, unknown> = {}): Promise<Result> {
  const client = await shared.server.connect(as(who));
  try {
    return (await client.call(name, args)) as Result;
  } finally {
    await client.close();
  }
}

async function okOnce(who: Principal, name: string, args: Record<string, unknown> = {}): Promise<Result> {
  const result = await callOnce(who, name, args);
  assert.ok(!result.isError, `${name} failed: ${textOf(result)}\n${shared.server.stderr().slice(-2000)}`);
  return result;
}

describe('a client that opens a new MCP session for every call', () => {
  test("keeps driving its session by handle, and the default session is the principal's", async () => {
    const opened = await okOnce(ALICE, 'new_session', { start_url: fixture.url('/') });
    const handle = opened.structuredContent.session_id as string;
    assert.match(handle, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a random (v4) UUID: 122 random bits');

    await okOnce(ALICE, 'computer', { session_id: handle, actions: [click(FIELD), { type: 'type', text: 'kept' }] });
    const shot = await okOnce(ALICE, 'screenshot', { session_id: handle });
    assert.equal(shot.structuredContent.title, 'kept', 'the page typed into on an earlier MCP session');

    // No session_id: the principal's default session, the same one whatever MCP session asks.
    const first = (await okOnce(ALICE, 'navigate', { url: fixture.url('/') })).structuredContent.session_id;
    const again = (await okOnce(ALICE, 'screenshot')).structuredContent;
    assert.equal(again.session_id, first);
    assert.equal(again.url, fixture.url('/'));
    const listed = (await okOnce(ALICE, 'list_sessions')).structuredContent.sessions as { session_id: string; is_default: boolean }[];
    assert.deepEqual(listed.map((s) => s.session_id).sort(), [handle, first].sort());
    assert.equal(listed.find((s) => s.session_id === first)?.is_default, true);

    await okOnce(ALICE, 'close_session', { session_id: first });
    await okOnce(ALICE, 'close_session', { session_id: handle });
  });

  test('follows its run by handle from MCP session to MCP session', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    fake.script([
      { output: [fake.call([click(FIELD)])] },
      // The second turn waits for the test: the run is still working when run_task answers.
      async () => {
        await released;
        return { output: [fake.call([{ type: 'type', text: 'by handle' }])] };
      },
      { output: [fake.message('Typed it.')] },
    ]);
    const started = await okOnce(ALICE, 'run_task', { task: 'Type "by handle"', start_url: fixture.url('/'), wait_seconds: 0 });
    assert.equal(started.structuredContent.status, 'running');
    const handle = started.structuredContent.session_id as string;
    release();
    let last: Result;
    const actions: string[] = [...(started.structuredContent.actions as string[])];
    do {
      last = await okOnce(ALICE, 'get_run', { session_id: handle, wait_seconds: 10 });
      actions.push(...(last.structuredContent.actions as string[]));
    } while (last.structuredContent.status === 'running');
    assert.equal(last.structuredContent.status, 'completed', textOf(last));
    assert.deepEqual(actions, ['click 250,270', 'type "by handle"']);
    assert.equal(last.structuredContent.title, 'by handle');
    assert.deepEqual(fake.violations, []);

    // Its recording is the principal's too: listed on a fresh MCP session.
    const client = await shared.server.connect(as(ALICE));
    try {
      const uri = `cua-mcp://runs/${String(last.structuredContent.run_id)}`;
      assert.ok((await client.client.listResources()).resources.some((r) => r.uri === uri));
    } finally {
      await client.close();
    }
    await okOnce(ALICE, 'close_session', { session_id: handle });
  });
});

describe('a handle that is not yours to use', () => {
  test("never minted, closed, or another principal's: refused with a clear message, and nothing is touched", async () => {
    const handle = (await okOnce(ALICE, 'new_session', { start_url: fixture.url('/') })).structuredContent.session_id as string;
    const tools: [string, (id: string) => Record<string, unknown>][] = [
      ['screenshot', (id) => ({ session_id: id })],
      ['computer', (id) => ({ session_id: id, actions: [click(FIELD), { type: 'type', text: 'hijack' }] })],
      ['navigate', (id) => ({ session_id: id, url: fixture.url('/clicked') })],
      ['get_run', (id) => ({ session_id: id })],
      ['cancel_run', (id) => ({ session_id: id })],
      ['step', (id) => ({ session_id: id, task: 'hijack' })],
      ['run_task', (id) => ({ session_id: id, task: 'hijack' })],
      ['acknowledge_safety_check', (id) => ({ session_id: id, decision: 'approve' })],
      ['select_tab', (id) => ({ session_id: id, index: 0 })],
      ['save_storage_state', (id) => ({ session_id: id })],
      ['launch_app', (id) => ({ session_id: id, app: 'xterm' })],
      ['close_session', (id) => ({ session_id: id })],
    ];
    const aliceHolds = async () =>
      ((await okOnce(ALICE, 'list_sessions')).structuredContent.sessions as { session_id: string }[]).map((s) => s.session_id);
    const held = await aliceHolds();

    for (const [tool, args] of tools) {
      const never = await callOnce(ALICE, tool, args('0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b'));
      assert.equal(never.isError, true, tool);
      assert.match(textOf(never), /No browser session "0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"; nothing was done.*list_sessions/, tool);

      // Bob has his own token: Alice's handle is no key for him, and he learns nothing about it.
      const stolen = await callOnce(BOB, tool, args(handle));
      assert.equal(stolen.isError, true, tool);
      assert.match(textOf(stolen), new RegExp(`No browser session "${handle}"; nothing was done`), tool);
    }
    assert.ok(!JSON.stringify(await okOnce(BOB, 'list_sessions')).includes(handle), "Alice's handle never shows up for Bob");
    assert.deepEqual(await aliceHolds(), held);
    const untouched = await okOnce(ALICE, 'screenshot', { session_id: handle });
    assert.equal(untouched.structuredContent.url, fixture.url('/'));
    assert.equal(untouched.structuredContent.title, 'fixture', "nothing was typed into Alice's page");
    assert.equal(fixture.clicks(), 0);

    await okOnce(ALICE, 'close_session', { session_id: handle });
    for (const [tool, args] of tools) {
      const closed = await callOnce(ALICE, tool, args(handle));
      assert.equal(closed.isError, true, tool);
      assert.match(
        textOf(closed),
        new RegExp(`Browser session "${handle}" was closed \\(close_session\\).*nothing was done.*new_session`),
        tool,
      );
    }
    // Bob still learns nothing, not even that it was closed.
    assert.doesNotMatch(textOf(await callOnce(BOB, 'screenshot', { session_id: handle })), /closed/);
  });

  test("an MCP session id is no key to another principal's MCP session", async () => {
    const alice = await shared.server.connect(as(ALICE));
    try {
      const res = await fetch(shared.server.url, {
        method: 'POST',
        headers: {
          ...as(BOB),
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          'mcp-session-id': alice.transport.sessionId!,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_sessions', arguments: {} } }),
      });
      assert.equal(res.status, 404);
      assert.match(await res.text(), /Session not found/);
    } finally {
      await alice.close();
    }
  });
});

test('every session_id argument carries x-mcp-header, so 2026 clients can mirror it for load balancers', async () => {
  const client = await shared.server.connect(as(ALICE));
  try {
    const { tools } = await client.client.listTools();
    const withHandle = tools.filter((t) => (t.inputSchema.properties as Record<string, unknown> | undefined)?.session_id);
    assert.ok(withHandle.length >= 10, withHandle.map((t) => t.name).join());
    for (const tool of withHandle) {
      assert.equal(
        (tool.inputSchema.properties as Record<string, Record<string, unknown>>).session_id!['x-mcp-header'],
        'Session-Id',
        tool.name,
      );
    }
  } finally {
    await client.close();
  }
});
