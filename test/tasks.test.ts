import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { TaskExecutionEvent } from '@modelcontextprotocol/ext-tasks/client';
import { BUTTON, click } from './helpers/agent-fixture.js';
import { MCP_HEADERS, rawRequest } from './helpers/http.js';
import { CLI } from './helpers/mcp.js';
import { principalsServer } from './helpers/principals.js';
import { connectTasksClient, type TasksClient } from './helpers/tasks-client.js';

// Runs as MCP Tasks (the io.modelcontextprotocol/tasks extension, 2026-07-28): a client that declares the
// extension gets a task for run_task, follows it with tasks/get, answers a safety check with tasks/update and
// stops it with tasks/cancel, through ext-tasks' own client. One HTTP server (two principals) and one stdio server.
const ALICE = 'alice';
const BOB = 'bob';
type Principal = typeof ALICE | typeof BOB;
const shared = await principalsServer([ALICE, BOB], 'sk-tasks');
const { fixture, fake, env, dir, as } = shared;
after(() => shared.stop());

type Result = CallToolResult & { structuredContent: Record<string, unknown> };

const httpTasksClient = (who: Principal, options: Parameters<typeof connectTasksClient>[1] = {}) =>
  connectTasksClient(new StreamableHTTPClientTransport(new URL(shared.server.url), { requestInit: { headers: as(who) } }), options);

/** Runs the tool as a task through ext-tasks and settles it, with the statuses it went through. */
async function settleTask(client: TasksClient, name: string, args: Record<string, unknown>) {
  const execution = await client.tasks.callTool(name, args as never);
  assert.equal(execution.kind, 'task', 'the call was answered with a task');
  const statuses: string[] = [];
  const { outcome } = await execution.settle({
    onEvent: (event: TaskExecutionEvent<unknown>) => void (event.type === 'task' && statuses.push(event.task.status)),
  });
  return { taskId: execution.handle!.taskId, outcome, statuses };
}

/** Listens (subscriptions/listen) for the recorded runs' list changes; settles at the first. */
async function runsListChanged(client: TasksClient['client']) {
  let changed!: () => void;
  const seen = new Promise<void>((resolve) => (changed = resolve));
  client.setNotificationHandler('notifications/resources/list_changed', () => changed());
  const subscription = await client.listen({ resourcesListChanged: true });
  assert.equal(subscription.honoredFilter.resourcesListChanged, true);
  return { seen, close: () => subscription.close() };
}

/** A raw 2026-07-28 request by `who`, declaring the Tasks extension unless told not to. */
async function rawTaskRequest(who: Principal, method: string, params: Record<string, unknown>, declaresTasks = true) {
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'raw-tasks', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': declaresTasks ? { extensions: { 'io.modelcontextprotocol/tasks': {} } } : {},
  };
  const res = await rawRequest(shared.server.url, {
    headers: {
      ...MCP_HEADERS,
      ...as(who),
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': method,
      'Mcp-Name': String(params.taskId),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta } }),
  });
  const data = res.body.trimStart().startsWith('{')
    ? res.body
    : res.body
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5))
        .pop()!;
  return JSON.parse(data) as { result?: Record<string, unknown>; error?: { code: number; message: string } };
}

describe('runs as tasks over HTTP', () => {
  test('run_task answers with a task that tasks/get follows to the result get_run would give; another principal cannot see it', async () => {
    const alice = await httpTasksClient(ALICE);
    try {
      assert.equal(alice.client.getNegotiatedProtocolVersion(), '2026-07-28');
      assert.deepEqual(alice.client.getServerCapabilities()?.extensions?.['io.modelcontextprotocol/tasks'], {});
      const listening = await runsListChanged(alice.client);
      fake.script([
        { output: [fake.reasoning('The button is at the top.'), fake.call([click(BUTTON)])] },
        { output: [fake.message('Pressed it.')] },
      ]);
      const clicks = fixture.clicks();
      const { taskId, outcome, statuses } = await settleTask(alice, 'run_task', { task: 'press the button', start_url: fixture.url('/') });
      assert.equal(outcome.status, 'completed', JSON.stringify(outcome));
      const result = (outcome as { result: Result }).result;
      assert.ok(!result.isError);
      assert.equal(result.structuredContent.status, 'completed');
      assert.deepEqual(result.structuredContent.actions, ['click 200,140']);
      assert.deepEqual(result.structuredContent.reasoning, ['The button is at the top.']);
      assert.equal(result.structuredContent.message, 'Pressed it.');
      assert.match(String(result.structuredContent.next_step), /finished the task/);
      assert.ok(
        result.content.some((c) => c.type === 'image'),
        'the screenshot',
      );
      assert.equal(fixture.clicks(), clicks + 1);
      assert.ok(statuses.includes('completed'), statuses.join());
      // Its recording is a new resource, and the subscription said the list changed.
      await listening.seen;
      const listed = await alice.client.listResources();
      assert.ok(
        listed.resources.some((r) => r.uri === `cua-mcp://runs/${String(result.structuredContent.run_id)}`),
        JSON.stringify(listed.resources),
      );
      await listening.close();

      // Bob is told nothing about it, as about a task that never existed; Alice's raw tasks/get still finds it.
      const bobs = await rawTaskRequest(BOB, 'tasks/get', { taskId });
      assert.equal(bobs.error?.code, -32602, JSON.stringify(bobs));
      assert.match(bobs.error!.message, /No task ".*" for you: it was never made, belongs to someone else/);
      assert.deepEqual(
        await rawTaskRequest(BOB, 'tasks/get', { taskId: 'never-made' }).then((r) => r.error?.message.replace('never-made', taskId)),
        bobs.error.message,
      );
      assert.equal((await rawTaskRequest(BOB, 'tasks/cancel', { taskId })).error?.code, -32602);
      assert.equal((await rawTaskRequest(ALICE, 'tasks/get', { taskId })).result?.status, 'completed');
      // Only a client that declared the extension may ask about tasks.
      assert.equal((await rawTaskRequest(ALICE, 'tasks/get', { taskId }, false)).error?.code, -32021);
    } finally {
      await alice.close();
    }
  });

  test('a safety check is asked in the task and answered with tasks/update: approve runs the action, decline drops it, and nothing runs before the answer', async () => {
    const flagged = { id: 'sc_task', code: 'sensitive_domain', message: 'This looks like a banking site.' };
    const asked: { message: string; clicks: number }[] = [];
    let reply: 'approve' | 'decline' = 'approve';
    const alice = await httpTasksClient(ALICE, {
      elicitation: true,
      async onInputRequest(request) {
        assert.equal(request.kind, 'elicitation');
        asked.push({ message: String(request.params.message), clicks: fixture.clicks() });
        return (reply === 'decline' ? { action: 'decline' } : { action: 'accept', content: { decision: 'approve' } }) as never;
      },
    });
    try {
      const clicks = fixture.clicks();
      fake.script([{ output: [fake.call([click(BUTTON)], [flagged])] }, { output: [fake.message('Sent.')] }]);
      const approved = await settleTask(alice, 'run_task', { task: 'press Send', start_url: fixture.url('/') });
      assert.equal(approved.outcome.status, 'completed', JSON.stringify(approved.outcome).slice(0, 3000));
      const result = (approved.outcome as { result: Result }).result;
      assert.equal(result.structuredContent.status, 'completed', JSON.stringify(result.structuredContent));
      assert.ok(approved.statuses.includes('input_required'), approved.statuses.join());
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.clicks, clicks, 'the click had not run when the person was asked');
      assert.match(asked[0]!.message, /click 200,140[^]*sensitive_domain: This looks like a banking site/);
      assert.equal(fixture.clicks(), clicks + 1);

      reply = 'decline';
      fake.script([{ output: [fake.call([click(BUTTON)], [flagged])] }]);
      const declined = await settleTask(alice, 'run_task', {
        task: 'press Send',
        session_id: result.structuredContent.session_id,
        start_url: fixture.url('/'),
      });
      const denied = (declined.outcome as { result: Result }).result;
      assert.equal(denied.structuredContent.status, 'denied');
      assert.match(String(denied.structuredContent.message), /declined the safety question/);
      assert.equal(fixture.clicks(), clicks + 1, 'the declined click never ran');
      assert.deepEqual(fake.violations, []);
    } finally {
      await alice.close();
    }
  });

  test('tasks/cancel stops the run as cancel_run does', async () => {
    const alice = await httpTasksClient(ALICE);
    let arrived!: () => void;
    const asking = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    try {
      const session = ((await alice.client.callTool({ name: 'new_session', arguments: { start_url: fixture.url('/') } })) as Result)
        .structuredContent.session_id as string;
      fake.script([
        async () => {
          arrived();
          await held;
          return { output: [fake.call([click(BUTTON)])] };
        },
      ]);
      const clicks = fixture.clicks();
      const execution = await alice.tasks.callTool('run_task', { task: 'press the button', session_id: session });
      assert.equal(execution.kind, 'task');
      await asking;
      await execution.cancel();
      // get_run, as any client follows a run, waits for it to stop: cancelled, and the answer it waited for never runs.
      const followed = (await alice.client.callTool({ name: 'get_run', arguments: { session_id: session, wait_seconds: 30 } })) as Result;
      assert.equal(followed.structuredContent.status, 'cancelled');
      const seen = await alice.tasks.task(execution.handle!.taskId).snapshot();
      assert.equal(seen.status, 'cancelled');
      assert.equal(fixture.clicks(), clicks);
    } finally {
      release();
      await alice.close();
    }
  });
});

test("runs as tasks over stdio: polled to completion, and the recorded runs' list change is heard", async () => {
  const client = await connectTasksClient(
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--headless', '--output-dir', dir],
      env: { ...(process.env as Record<string, string>), ...env },
      stderr: 'ignore',
    }),
  );
  try {
    const listening = await runsListChanged(client.client);
    fake.script([{ output: [fake.call([click(BUTTON)])] }, { output: [fake.message('Done.')] }]);
    const { outcome } = await settleTask(client, 'run_task', { task: 'press the button', start_url: fixture.url('/') });
    assert.equal(outcome.status, 'completed', JSON.stringify(outcome));
    assert.equal((outcome as { result: Result }).result.structuredContent.status, 'completed');
    await listening.seen;
    await listening.close();
  } finally {
    await client.close();
  }
});
