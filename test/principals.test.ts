import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BUTTON, click, FIELD } from './helpers/agent-fixture.js';
import type { Received } from './helpers/fake-endpoint.js';
import { MCP_HEADERS, messageOf, rawRequest } from './helpers/http.js';
import { textOf, type ServerHandle } from './helpers/mcp.js';
import { principalsServer } from './helpers/principals.js';

// Several people sharing one server over HTTP, each a principal of the --auth-tokens file: the limits each
// one meets, what one can do to another's things (nothing), and the operator's view of who holds what.
// Every principal takes at most 3 model steps here (the limit, within any minute), except dave, who meets it.
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
type Name = (typeof NAMES)[number];
const shared = await principalsServer(NAMES, 'sk-principals', [
  '--operators',
  'carol',
  '--max-sessions-per-principal',
  '2',
  '--max-runs-per-principal',
  '1',
  '--max-steps-per-minute',
  '3',
  '--keep-runs',
  '1',
]);
const { fixture, fake, dir, tokenOf } = shared;
const clients = {} as Record<Name, ServerHandle & { close(): Promise<void> }>;

before(async () => {
  await Promise.all(NAMES.map(async (name) => (clients[name] = await shared.server.connect(shared.as(name)))));
});
after(async () => {
  await Promise.all(Object.values(clients).map((client) => client.close()));
  await shared.stop();
});

/** The task a run's first model request carries. */
function taskOf(request: Received): string {
  const first = (request.body.input as { role?: string; content?: { type: string; text?: string }[] }[] | undefined)?.find(
    (i) => i.role === 'user',
  );
  return first?.content?.find((c) => c.type === 'input_text')?.text ?? '';
}

/** A 2026-07-28 tools/call as raw HTTP from a client that takes form questions in results (input_required). */
async function modernCall(name: Name, tool: string, args: Record<string, unknown>, retry: Record<string, unknown> = {}) {
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'raw-2026', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
  };
  const response = await rawRequest(shared.server.url, {
    headers: {
      ...MCP_HEADERS,
      Authorization: `Bearer ${tokenOf(name)}`,
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': 'tools/call',
      'Mcp-Name': tool,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: args, ...retry, _meta } }),
  });
  return messageOf(response.body);
}

async function sessionsOf(name: Name): Promise<string[]> {
  return ((await clients[name].ok('list_sessions')).structuredContent.sessions as { session_id: string }[]).map((s) => s.session_id);
}

async function closeAll(name: Name): Promise<void> {
  for (const id of await sessionsOf(name)) await clients[name].ok('close_session', { session_id: id });
}

/** A run that finishes in one model turn. */
async function quickRun(name: Name, task: string): Promise<Record<string, unknown>> {
  fake.script([{ output: [fake.message('done')] }]);
  const result = await clients[name].ok('run_task', { task, start_url: fixture.url('/') });
  assert.equal(result.structuredContent.status, 'completed', textOf(result));
  return result.structuredContent;
}

describe('limits per principal', () => {
  test('open sessions: past the limit the named error, the other principal unaffected, the sessions usable', async () => {
    const { alice, bob } = clients;
    const held = [];
    for (let i = 0; i < 2; i++)
      held.push((await alice.ok('new_session', { start_url: fixture.url('/') })).structuredContent.session_id as string);
    const refusal =
      /^Session limit reached: you \(principal "alice"\) have 2 session\(s\) open, the most each principal may hold on this server \(2, set by --max-sessions-per-principal \(CUA_MAX_SESSIONS_PER_PRINCIPAL\)\); nothing was opened\. Close one you no longer need with close_session/;
    const third = await alice.call('new_session', { start_url: fixture.url('/') });
    assert.equal(third.isError, true);
    assert.match(textOf(third), refusal);
    // The default session is opened on first use: the same limit.
    const byDefault = await alice.call('screenshot');
    assert.equal(byDefault.isError, true);
    assert.match(textOf(byDefault), refusal);
    const started = await alice.call('run_task', { task: 'in a new session' });
    assert.match(textOf(started), refusal, 'run_task opening a session meets it too');
    assert.deepEqual((await sessionsOf('alice')).sort(), [...held].sort(), 'nothing was opened');

    const bobs = (await bob.ok('new_session', { start_url: fixture.url('/') })).structuredContent.session_id as string;
    assert.equal(
      (await alice.ok('screenshot', { session_id: held[0] })).structuredContent.url,
      fixture.url('/'),
      'her sessions still work',
    );
    await alice.ok('close_session', { session_id: held[1] });
    await alice.ok('new_session');
    await closeAll('alice');
    await bob.ok('close_session', { session_id: bobs });
  });

  test('runs at once: past the limit the named error, with nothing opened; the other principal runs', async () => {
    const { alice, bob } = clients;
    let arrived!: () => void;
    const aliceAsked = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Whoever asks first gets their answer: Alice's turn waits for the test, Bob's does not.
    const turn = async (request: Received) => {
      if (!taskOf(request).startsWith('alice')) return { output: [fake.message('bob is done')] };
      arrived();
      await released;
      return { output: [fake.message('alice is done')] };
    };
    fake.script([turn, turn]);
    const working = await alice.ok('run_task', { task: 'alice waits', start_url: fixture.url('/'), wait_seconds: 0 });
    assert.equal(working.structuredContent.status, 'running');
    await aliceAsked;

    const second = await alice.call('run_task', { task: 'alice again', start_url: fixture.url('/') });
    assert.equal(second.isError, true);
    assert.match(
      textOf(second),
      /^Run limit reached: 1 of your runs \(principal "alice"\) are working, the most each principal may run at once on this server \(1, set by --max-runs-per-principal \(CUA_MAX_RUNS_PER_PRINCIPAL\)\); nothing was started\. Wait for one to stop \(get_run follows it\) or stop one with cancel_run/,
    );
    assert.deepEqual(await sessionsOf('alice'), [working.structuredContent.session_id], 'the refused run_task opened no session');

    const bobs = await bob.ok('run_task', { task: 'bob runs', start_url: fixture.url('/') });
    assert.equal(bobs.structuredContent.status, 'completed', textOf(bobs));

    release();
    const done = await alice.ok('get_run', { session_id: working.structuredContent.session_id, wait_seconds: 30 });
    assert.equal(done.structuredContent.status, 'completed', textOf(done));
    await quickRun('alice', 'alice once more');
    assert.deepEqual(fake.violations, []);
    await closeAll('alice');
    await closeAll('bob');
  });

  test('model steps a minute: the run stops with the named error, new runs wait, the session and the other principal go on', async () => {
    const { dave } = clients;
    const typed = ['a', 'b', 'c', 'd'];
    fake.script([{ output: [fake.call([click(FIELD)])] }, ...typed.map((text) => ({ output: [fake.call([{ type: 'type', text }])] }))]);
    const stopped = (await dave.call('run_task', { task: 'dave types', start_url: fixture.url('/'), max_steps: 10 })) as Awaited<
      ReturnType<ServerHandle['ok']>
    >;
    assert.equal(stopped.isError, true, 'a failed run is an error result');
    const limit =
      /Model step limit reached: your runs \(principal "dave"\) took 3 model steps in the last 60 s, the most each principal may take \(3 a minute, set by --max-steps-per-minute \(CUA_MAX_STEPS_PER_MINUTE\)\); no model request was made\. Wait (\d+) s, then try again/;
    assert.equal(stopped.structuredContent.status, 'failed');
    assert.match(String(stopped.structuredContent.error), limit);
    assert.ok(Number(limit.exec(String(stopped.structuredContent.error))![1]) <= 60);
    assert.equal(fake.received.length, 3, 'the fourth turn was never asked');
    assert.equal(stopped.structuredContent.title, 'ab', 'the steps before the limit ran');

    const session = stopped.structuredContent.session_id as string;
    assert.equal((await dave.ok('screenshot', { session_id: session })).structuredContent.title, 'ab', 'the session is still usable');
    for (const [tool, args] of [
      ['run_task', { task: 'dave again', session_id: session }],
      ['step', { session_id: session }],
    ] as const) {
      const refused = await dave.call(tool, args);
      assert.equal(refused.isError, true, tool);
      assert.match(textOf(refused), limit, tool);
    }
    assert.equal(fake.received.length, 3, 'no model request for the refused calls');

    await quickRun('bob', 'bob is not limited by dave');
    assert.deepEqual(fake.violations, []);
  });
});

describe("the operator's view", () => {
  test('server_status is listed and answers for an operator only', async () => {
    const listed = async (name: Name) => (await clients[name].client.listTools()).tools.map((t) => t.name);
    assert.ok((await listed('carol')).includes('server_status'));
    for (const name of ['alice', 'bob', 'dave'] as const) assert.ok(!(await listed(name)).includes('server_status'), name);

    const status = (await clients.carol.ok('server_status')).structuredContent as {
      principals: {
        principal: string;
        sessions: { session_id: string; run: string | null }[];
        runs_working: number;
        steps_last_minute: number;
        idle_seconds: number | null;
      }[];
      limits: Record<string, number>;
    };
    assert.deepEqual(status.limits, { max_sessions: 10, sessions_per_principal: 2, runs_per_principal: 1, steps_per_minute: 3 });
    const of = (name: Name) => status.principals.find((p) => p.principal === name)!;
    assert.deepEqual(
      status.principals.map((p) => p.principal),
      [...NAMES],
    );
    assert.equal(of('dave').steps_last_minute, 3);
    assert.deepEqual(
      of('dave').sessions.map((s) => s.run),
      ['failed'],
    );
    assert.equal(of('dave').runs_working, 0);
    assert.ok(of('bob').steps_last_minute >= 2);
    assert.deepEqual(of('alice').sessions, []);
    assert.equal(typeof of('alice').idle_seconds, 'number');

    // Not listed, and not callable either: a non-operator learns nothing from it.
    await assert.rejects(clients.alice.call('server_status'), /Tool server_status not found/);
    await closeAll('dave');
  });
});

describe("what one principal can do to another's things", () => {
  test("retention (--keep-runs) counts each principal's runs apart: Carol's runs never delete Alice's recording", async () => {
    const alices = await quickRun('alice', 'alice keeps this');
    await quickRun('carol', 'carol one');
    await quickRun('carol', 'carol two');
    const uri = `cua-mcp://runs/${String(alices.run_id)}`;
    assert.ok(
      (await clients.alice.client.listResources()).resources.some((r) => r.uri === uri),
      "Alice's newest run is still there",
    );
    assert.match(String((await clients.alice.client.readResource({ uri })).contents[0]?.uri), /report\.html$/);
    assert.equal(
      (await clients.carol.client.listResources()).resources.filter((r) => r.uri.startsWith('cua-mcp://runs/')).length,
      1,
      'Carol keeps her newest one',
    );
    await closeAll('alice');
    await closeAll('carol');
  });

  test("list_sessions describes only its own desktops: another principal's X displays are not named", async () => {
    const displays: Record<string, string> = {};
    for (const name of ['alice', 'bob'] as const) {
      await clients[name].ok('new_session', { environment: 'desktop' });
      displays[name] = String((await clients[name].ok('list_sessions')).structuredContent.desktop);
    }
    const aliceNow = String((await clients.alice.ok('list_sessions')).structuredContent.desktop);
    assert.match(aliceNow, /^Xvfb :\d+ \([^;]*\), started by the server$/, 'one display: her own');
    assert.equal(aliceNow, displays.alice);
    assert.match(displays.bob!, /^Xvfb :\d+ [^;]*$/);
    assert.notEqual(displays.bob, displays.alice);
    await closeAll('alice');
    await closeAll('bob');
  });

  test("saved logins go to each principal's own folder: the same name never replaces another's file", async () => {
    const saved: Record<string, string> = {};
    for (const name of ['alice', 'bob'] as const) {
      const session = (await clients[name].ok('new_session', { start_url: fixture.url('/') })).structuredContent.session_id as string;
      saved[name] = (await clients[name].ok('save_storage_state', { session_id: session, name: 'login' })).structuredContent.path as string;
    }
    assert.equal(saved.alice, path.join(dir, 'storage-state', 'alice', 'login.json'));
    assert.equal(saved.bob, path.join(dir, 'storage-state', 'bob', 'login.json'));
    assert.ok(fs.existsSync(saved.alice!));
    await closeAll('alice');
    await closeAll('bob');
  });

  test("a question's requestState (2026-07-28) is bound to its principal: replayed by another, refused, and nothing is decided; an approval past the run limit leaves the run paused", async () => {
    const flagged = { id: 'sc_bound', code: 'sensitive_domain', message: 'This looks like a banking site.' };
    fake.script([{ output: [fake.call([click(BUTTON)], [flagged])] }]);
    const args = { task: 'erin presses Send', start_url: fixture.url('/') };
    const asked = (await modernCall('erin', 'run_task', args)).result!;
    assert.equal(asked.resultType, 'input_required', JSON.stringify(asked));
    const approve = {
      requestState: asked.requestState,
      inputResponses: { safety_check: { action: 'accept', content: { decision: 'approve' } } },
    };

    const replayed = await modernCall('bob', 'run_task', args, approve);
    assert.equal(replayed.error?.code, -32602, JSON.stringify(replayed));
    assert.match(replayed.error!.message, /requestState/);
    assert.equal(fixture.clicks(), 0, 'the flagged click never ran');

    // At her run limit, Erin's own approval is refused too, and the run stays paused on the question.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    fake.script([async () => (await released, { output: [fake.message('done')] })]);
    const other = await clients.erin.ok('run_task', { task: 'erin waits', start_url: fixture.url('/'), wait_seconds: 0 });
    const paused = (await sessionsOf('erin')).find((id) => id !== other.structuredContent.session_id)!;
    const approval = await clients.erin.call('acknowledge_safety_check', { session_id: paused, decision: 'approve' });
    assert.match(textOf(approval), /Run limit reached: 1 of your runs \(principal "erin"\) are working/);
    assert.equal((await clients.erin.ok('get_run', { session_id: paused })).structuredContent.status, 'needs_confirmation');
    release();
    assert.equal(
      (await clients.erin.ok('get_run', { session_id: other.structuredContent.session_id, wait_seconds: 30 })).structuredContent.status,
      'completed',
    );
    assert.equal(fixture.clicks(), 0);

    const deny = { ...approve, inputResponses: { safety_check: { action: 'accept', content: { decision: 'deny' } } } };
    const denied = (await modernCall('erin', 'run_task', args, deny)).result!;
    assert.equal((denied.structuredContent as Record<string, unknown>).status, 'denied', JSON.stringify(denied));
    assert.equal(fixture.clicks(), 0);
    assert.deepEqual(fake.violations, []);
    await closeAll('erin');
  });
});
