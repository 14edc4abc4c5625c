import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { previewFake } from './helpers/agent-fixture.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { textOf } from './helpers/mcp.js';
import { startReplicaSet, type ReplicaSet } from './helpers/replicas.js';
import { connectTasksClient } from './helpers/tasks-client.js';

// Two replicas of the built server behind a real HAProxy with the configuration `cua-mcp haproxy-config` prints.
// Each replica opens its sessions on a start page of its own ("replica r1"): the page a call sees says which
// replica's browser answered it.
const NAMES = ['r1', 'r2'];
const fixtures = new FixtureServer(
  Object.fromEntries(
    NAMES.map((name) => [`/${name}`, page(`<h1>${name}</h1>`).replace('<title>fixture</title>', `<title>replica ${name}</title>`)]),
  ),
);
const fake = await previewFake('sk-replicas');
let set: ReplicaSet;

before(async () => {
  await fixtures.start();
  set = await startReplicaSet(NAMES, (name) => ['--start-url', fixtures.url(`/${name}`), '--max-sessions', '20'], {
    OPENAI_API_KEY: 'sk-replicas',
    OPENAI_BASE_URL: `${fake.origin}/v1`,
    AZURE_OPENAI_ENDPOINT: '',
  });
});
after(async () => {
  await set?.stop();
  await fixtures.stop();
  await fake.stop();
});

type Result = CallToolResult & { structuredContent: Record<string, unknown> };
/** What both protocol eras' clients do here: call a tool, and close. */
interface AnyClient {
  call(name: string, args?: Record<string, unknown>): Promise<Result>;
  close(): Promise<void>;
}

/** A 2026-07-28 client (v2 SDK): no MCP session; it mirrors session_id into Mcp-Param-Session-Id. */
async function modernClient(): Promise<AnyClient & { client: Client }> {
  const client = new Client({ name: 'replicas-2026', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(set.url)));
  return {
    client,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as Result,
    close: () => client.close(),
  };
}

/** A 2025-11-25 client (v1 SDK): an MCP session (Mcp-Session-Id) on the replica that answered its initialize. */
async function legacyClient(): Promise<AnyClient & { transport: LegacyTransport }> {
  const client = new LegacyClient({ name: 'replicas-2025', version: '1' });
  const transport = new LegacyTransport(new URL(set.url));
  await client.connect(transport);
  return {
    transport,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as Result,
    close: async () => {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

const replicaOf = (handle: string) => /^(r1|r2)\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.exec(handle)?.[1];

async function ok(client: AnyClient, name: string, args: Record<string, unknown> = {}): Promise<Result> {
  const result = await client.call(name, args);
  assert.ok(!result.isError, `${name} ${JSON.stringify(args)}: ${textOf(result)}`);
  return result;
}

/** A new session; its handle names its replica, whose own log (and only its) says it opened it. */
async function openSession(client: AnyClient): Promise<string> {
  const handle = (await ok(client, 'new_session')).structuredContent.session_id as string;
  const owner = replicaOf(handle);
  assert.ok(owner, `${handle}: the replica's name, a dot, and a random (v4) UUID: 122 random bits`);
  for (const [name, replica] of set.replicas)
    assert.equal(replica.stderr().includes(`session ${handle} opened`), name === owner, `${handle} in ${name}'s log`);
  return handle;
}

/** The call reached the browser of the replica its handle names: the page is that replica's start page. */
async function onItsReplica(client: AnyClient, handle: string): Promise<void> {
  const shot = await ok(client, 'screenshot', { session_id: handle });
  assert.equal(shot.structuredContent.session_id, handle);
  assert.equal(shot.structuredContent.title, `replica ${replicaOf(handle)}`);
}

describe('replicas behind HAProxy', () => {
  test('2026 and 2025 clients: every request carrying a handle reaches the replica that owns it', async () => {
    const modern = await modernClient();
    const handles = [];
    for (let i = 0; i < 4; i++) handles.push(await openSession(modern));
    assert.deepEqual(new Set(handles.map(replicaOf)), new Set(NAMES), 'new sessions spread over both replicas');
    for (let round = 0; round < 3; round++) {
      for (const handle of handles) {
        // 2026: each call is a request of its own, routed by its Mcp-Param-Session-Id header.
        await onItsReplica(modern, handle);
        // 2025: a client that opens a new MCP session for every call (remote connectors do): its initialize goes to
        // either replica; the call goes where the session_id in its body says.
        const legacy = await legacyClient();
        await onItsReplica(legacy, handle);
        await legacy.close();
      }
    }
    for (const handle of handles) await ok(modern, 'close_session', { session_id: handle });
    await modern.close();
  });

  test('a run followed as an MCP task is polled on the replica that runs it: its task id names that replica', async () => {
    const modern = await modernClient();
    const tasksClient = await connectTasksClient(new StreamableHTTPClientTransport(new URL(set.url)));
    try {
      const handles = [];
      while (new Set(handles.map(replicaOf)).size < NAMES.length) handles.push(await openSession(modern));
      for (const handle of handles) {
        fake.script([{ output: [fake.message('Nothing to do.')] }]);
        const execution = await tasksClient.tasks.callTool('run_task', { task: 'Look at the page', session_id: handle } as never);
        assert.equal(execution.kind, 'task', 'the call was answered with a task');
        const taskId = execution.handle!.taskId;
        assert.equal(replicaOf(taskId), replicaOf(handle), `task ${taskId} of session ${handle}`);
        // tasks/get carries only the task id: each poll reaches the replica that runs the task, or it would answer "No task".
        const { outcome } = await execution.settle();
        assert.equal(outcome.status, 'completed', JSON.stringify(outcome).slice(0, 2000));
        for (let poll = 0; poll < 4; poll++) assert.equal((await tasksClient.tasks.task(taskId).snapshot()).status, 'completed');
      }
      for (const handle of handles) await ok(modern, 'close_session', { session_id: handle });
    } finally {
      await tasksClient.close();
      await modern.close();
    }
  });

  test('16 clients; a replica killed mid-run loses only its own sessions, and says so from a survivor', async () => {
    const clients = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? legacyClient() : modernClient())));
    const handles = await Promise.all(clients.map((client) => openSession(client)));
    await Promise.all(
      clients.map(async (client, i) => {
        for (let step = 0; step < 3; step++) await onItsReplica(client, handles[i]!);
      }),
    );
    const lost = new Set(handles.filter((h) => replicaOf(h) === 'r2'));
    assert.ok(lost.size > 0 && lost.size < handles.length, `both replicas hold sessions: ${handles.join(' ')}`);

    // A run that finished on r2: its record is in the shared folder.
    const onR2 = handles.findIndex((h) => lost.has(h));
    fake.script([{ output: [fake.message('Nothing to do.')] }]);
    const run = await ok(clients[onR2]!, 'run_task', { task: 'Look at the page', session_id: handles[onR2] });
    assert.equal(run.structuredContent.status, 'completed', textOf(run));
    const runId = run.structuredContent.run_id as string;

    assert.equal(await set.replicas.get('r2')!.stop('SIGKILL'), null, 'r2 is killed');

    await Promise.all(
      clients.map(async (client, i) => {
        const handle = handles[i]!;
        if (!lost.has(handle)) {
          for (let step = 0; step < 3; step++) await onItsReplica(client, handle);
          return;
        }
        const answer = await client.call('screenshot', { session_id: handle });
        assert.equal(answer.isError, true);
        assert.match(
          textOf(answer),
          new RegExp(
            `Browser session "${handle.replace('.', '\\.')}" was lost with its server \\(replica r2, gone since \\d{4}-.*\\).*nothing was done\\. Its recordings are at ${set.sharedDir}/runs .*Open a new session with new_session`,
          ),
        );
        // As the error says: a new session, on the survivor, and on with the work.
        const fresh = await openSession(client);
        assert.equal(replicaOf(fresh), 'r1');
        await onItsReplica(client, fresh);
      }),
    );

    // The finished run's record is still read, by the survivor, from the shared folder.
    const reader = await modernClient();
    const read = await reader.client.readResource({ uri: `cua-mcp://runs/${runId}` });
    assert.match(JSON.stringify(read.contents), /Nothing to do/);
    await reader.close();
    await Promise.all(clients.map((client) => client.close()));
  });
});
