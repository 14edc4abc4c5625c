import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { agentFixture, BUTTON, click, DISPLAY, FIELD } from './helpers/agent-fixture.js';
import { FakeResponses } from './helpers/fake-responses.js';
import { startHttpServer, type HttpServerProcess } from './helpers/http.js';
import { imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { until } from './helpers/processes.js';

// Runs longer than a call: a fake model that answers each turn when the test releases it, a client that can show forms, calls that wait 1 s by default.
const fixture = await agentFixture();
const fake = await new FakeResponses({
  generation: 'preview',
  display: DISPLAY,
  model: 'computer-use-preview',
  path: '/v1/responses',
  auth: ['authorization', 'Bearer sk-bg'],
}).start();
const env = { OPENAI_API_KEY: 'sk-bg', OPENAI_BASE_URL: `${fake.origin}/v1`, AZURE_OPENAI_ENDPOINT: '' };
let server: ServerHandle;
/** An HTTP server with --idle-timeout 1, for the idle timeout case; it starts beside the main one. */
let idle: HttpServerProcess;
let answer: (signal: AbortSignal) => Promise<ElicitResult>;
const questions: string[] = [];

before(async () => {
  [server, idle] = await Promise.all([
    startServer(['--call-wait', '1'], env, { capabilities: { elicitation: {} } }),
    startHttpServer(['--idle-timeout', '1'], env),
  ]);
  server.client.setRequestHandler(ElicitRequestSchema, (request, extra) => {
    questions.push(request.params.message);
    return answer(extra.signal);
  });
});

after(async () => {
  await server?.close();
  await idle?.stop('SIGINT');
  await fake.stop();
  await fixture.stop();
});

type Result = CallToolResult & { structuredContent: Record<string, unknown> };
const flagged = { id: 'sc_bg', code: 'sensitive_domain', message: 'This looks like a banking site.' };
const type = (text: string) => ({ type: 'type', text });

/** Lets the test's call reach the server before a held model turn is released, so the call sees what follows. */
const sent = () => new Promise((resolve) => setImmediate(resolve));

/** get_run until the run stops; every result's actions, in order. `onprogress` sees each step a call waits through. */
async function follow(
  handle: ServerHandle,
  sessionId: string,
  progress: string[] = [],
  onprogress = () => {},
): Promise<{ last: Result; actions: string[]; reasoning: string[]; calls: number }> {
  const actions: string[] = [];
  const reasoning: string[] = [];
  let calls = 0;
  for (;;) {
    const last = (await handle.client.callTool({ name: 'get_run', arguments: { session_id: sessionId, wait_seconds: 5 } }, undefined, {
      onprogress: (p) => {
        progress.push(p.message ?? '');
        onprogress();
      },
    })) as Result;
    assert.ok(!last.isError, textOf(last));
    calls++;
    actions.push(...(last.structuredContent.actions as string[]));
    reasoning.push(...(last.structuredContent.reasoning as string[]));
    if (last.structuredContent.status !== 'running') return { last, actions, reasoning, calls };
  }
}

test('run_task answers running within its wait; get_run follows the run to completed, each action reported once', async () => {
  const letters = [...'abcdefghij'];
  const turns = [
    fake.hold({ output: [fake.reasoning('The field is in the middle; I click it first.'), fake.call([click(FIELD)])] }),
    ...letters.map((letter) => fake.hold({ output: [fake.call([type(letter)])] })),
    fake.hold({ output: [fake.message('Typed abcdefghij.')] }),
  ];
  assert.equal(turns.length, 12);
  fake.script(turns);
  const started = await server.ok('run_task', { task: 'Type abcdefghij in the field', start_url: fixture.url('/') });
  assert.equal(started.structuredContent.status, 'running', 'a run whose model has not answered is still working after --call-wait 1');
  assert.match(textOf(started), /still working in the background; call get_run/);
  // Clients that show their model only structuredContent (Claude Code, Codex) read the same advice there.
  assert.match(String(started.structuredContent.next_step), /call get_run with session_id/);
  assert.equal(imageOf(started).mimeType, 'image/png');
  const sessionId = started.structuredContent.session_id as string;

  // Half the run happens while nobody looks; a look then reports it, and the run is still working.
  for (const turn of turns.slice(0, 6)) turn.release();
  await turns[6]!.arrived;
  const midway = await server.ok('get_run', { session_id: sessionId, wait_seconds: 0 });
  assert.equal(midway.structuredContent.status, 'running');
  // The rest while get_run waits: each step it reports lets the model answer the next turn.
  const progress: string[] = [];
  const pending = turns.slice(6);
  const following = follow(server, sessionId, progress, () => pending.shift()?.release());
  await sent();
  pending.shift()!.release();
  const { last, actions: rest, reasoning, calls } = await following;
  const actions = [...(midway.structuredContent.actions as string[]), ...rest];
  assert.deepEqual(fake.violations, []);
  assert.equal(last.structuredContent.status, 'completed');
  assert.equal(last.structuredContent.steps, 12);
  assert.equal(last.structuredContent.message, 'Typed abcdefghij.');
  assert.equal(last.structuredContent.title, 'abcdefghij');
  assert.deepEqual(
    [...(started.structuredContent.actions as string[]), ...actions],
    ['click 250,270', ...letters.map((l) => `type "${l}"`)],
  );
  assert.ok(calls >= 1);
  assert.ok(progress.length > 0 && progress.every((m) => /^step \d+\/25: /.test(m)), progress.join('\n'));
  assert.deepEqual(
    [...(started.structuredContent.reasoning as string[]), ...(midway.structuredContent.reasoning as string[]), ...reasoning],
    ['The field is in the middle; I click it first.'],
  );

  // Everything was handed over once: looking again reports no action twice.
  const again = await server.ok('get_run', { session_id: sessionId });
  assert.equal(again.structuredContent.status, 'completed');
  assert.deepEqual(again.structuredContent.actions, []);
  assert.deepEqual(again.structuredContent.reasoning, []);
});

test('cancel_run stops a run during a model request: that request is dropped and no other is made', async () => {
  // No fourth turn: a request after the stop would find the script empty, a violation this file's later tests see.
  const third = fake.hold({ output: [fake.call([type('b')])] });
  fake.script([{ output: [fake.call([click(FIELD)])] }, { output: [fake.call([type('a')])] }, third]);
  const started = await server.ok('run_task', { task: 'Type ab', start_url: fixture.url('/'), wait_seconds: 0 });
  assert.equal(started.structuredContent.status, 'running');
  const sessionId = started.structuredContent.session_id as string;
  const request = await third.arrived;
  const cancelled = await server.ok('cancel_run', { session_id: sessionId });
  assert.equal(cancelled.structuredContent.status, 'cancelled');
  assert.equal(cancelled.structuredContent.steps, 2);
  assert.deepEqual(cancelled.structuredContent.actions, ['click 250,270', 'type "a"']);
  assert.match(String(cancelled.structuredContent.next_step), /call step with session_id/);
  assert.equal(fake.received.length, 3);

  // The server let go of the request in flight; its answer, sent now, reaches nobody.
  if (!request.dropped.aborted) await new Promise((resolve) => request.dropped.addEventListener('abort', resolve));
  third.release();
  assert.equal(fake.received.length, 3, 'no model request after the stop');
  const later = await server.ok('get_run', { session_id: sessionId, wait_seconds: 0 });
  assert.equal(later.structuredContent.status, 'cancelled');
  assert.equal(later.structuredContent.title, 'a', 'the answer to the dropped request never ran');
  assert.deepEqual(fake.violations, []);
});

test('cancelling a get_run call only stops that wait: the run goes on', async () => {
  const [first, second] = [fake.hold({ output: [fake.call([click(FIELD)])] }), fake.hold({ output: [fake.call([type('z')])] })];
  fake.script([first, second, { output: [fake.message('Typed z.')] }]);
  const started = await server.ok('run_task', { task: 'Type z', start_url: fixture.url('/'), wait_seconds: 0 });
  const sessionId = started.structuredContent.session_id as string;
  const controller = new AbortController();
  const waiting = server.client.callTool({ name: 'get_run', arguments: { session_id: sessionId, wait_seconds: 30 } }, undefined, {
    signal: controller.signal,
    // Cancel once the run has made a step, while the call is waiting.
    onprogress: () => controller.abort(),
  });
  await sent();
  first.release();
  await assert.rejects(waiting, /abort/i);
  // The run goes on after the cancelled wait.
  second.release();
  const { last, actions } = await follow(server, sessionId);
  assert.equal(last.structuredContent.status, 'completed');
  assert.equal(last.structuredContent.title, 'z');
  assert.ok(actions.includes('type "z"'), actions.join(', '));
  assert.deepEqual(fake.violations, []);
});

test('a safety check while nobody waits pauses the run; get_run shows it; acknowledge_safety_check answers it', async () => {
  const clicksBefore = fixture.clicks();
  questions.length = 0;
  answer = async () => ({ action: 'accept', content: { decision: 'approve' } });
  const first = fake.hold({ output: [fake.call([click(FIELD)])] });
  fake.script([first, { output: [fake.call([click(BUTTON)], [flagged])] }, { output: [fake.message('Sent.')] }]);
  const started = await server.ok('run_task', { task: 'Press Send', start_url: fixture.url('/'), wait_seconds: 0 });
  assert.equal(started.structuredContent.status, 'running');
  const sessionId = started.structuredContent.session_id as string;
  first.release();
  // Looks that do not wait (wait_seconds 0), until the run has paused: none of them is a call waiting to be asked.
  const actions: string[] = [];
  const look = async () => {
    const result = await server.ok('get_run', { session_id: sessionId, wait_seconds: 0 });
    actions.push(...(result.structuredContent.actions as string[]));
    return result;
  };
  const paused = await until(look, (result) => result.structuredContent.status !== 'running', 60_000);
  assert.equal(paused.structuredContent.status, 'needs_confirmation');
  assert.deepEqual(paused.structuredContent.pending_safety_checks, [flagged]);
  assert.deepEqual(paused.structuredContent.pending_actions, ['click 200,140']);
  assert.deepEqual(actions, ['click 250,270']);
  assert.match(textOf(paused), /has NOT run/);
  assert.deepEqual(questions, [], 'nobody was waiting, so nobody was asked');
  assert.equal(fixture.clicks(), clicksBefore);

  const approved = await server.ok('acknowledge_safety_check', { session_id: sessionId, decision: 'approve', wait_seconds: 10 });
  assert.equal(approved.structuredContent.status, 'completed');
  assert.deepEqual(approved.structuredContent.actions, ['click 200,140']);
  assert.equal(fixture.clicks(), clicksBefore + 1);
  assert.deepEqual(fake.violations, []);
});

test('a get_run call that is waiting gets the safety question through elicitation, and the run goes on', async () => {
  const clicksBefore = fixture.clicks();
  questions.length = 0;
  answer = async () => ({ action: 'accept', content: { decision: 'approve' } });
  const first = fake.hold({ output: [fake.call([click(FIELD)])] });
  fake.script([first, { output: [fake.call([click(BUTTON)], [flagged])] }, { output: [fake.message('Sent.')] }]);
  const started = await server.ok('run_task', { task: 'Press Send', start_url: fixture.url('/'), wait_seconds: 0 });
  // The model answers once get_run waits, so the safety check comes while it does.
  const waiting = server.ok('get_run', { session_id: started.structuredContent.session_id, wait_seconds: 30 });
  await sent();
  first.release();
  const done = await waiting;
  assert.equal(done.structuredContent.status, 'completed');
  assert.deepEqual(done.structuredContent.actions, ['click 250,270', 'click 200,140']);
  assert.equal(questions.length, 1);
  assert.match(questions[0]!, /click 200,140/);
  assert.equal(fixture.clicks(), clicksBefore + 1);
  assert.deepEqual(fake.violations, []);
});

test('when the call stops waiting, its open question is withdrawn and the run stays paused', async () => {
  const clicksBefore = fixture.clicks();
  questions.length = 0;
  let withdrawn = false;
  // A person who never answers: the question stays open until the server withdraws it.
  answer = (signal) =>
    new Promise((resolve) =>
      signal.addEventListener('abort', () => {
        withdrawn = true;
        resolve({ action: 'cancel' });
      }),
    );
  fake.script([{ output: [fake.call([click(BUTTON)], [flagged])] }]);
  const paused = await server.ok('run_task', { task: 'Press Send', start_url: fixture.url('/'), wait_seconds: 2 });
  assert.equal(paused.structuredContent.status, 'needs_confirmation');
  assert.equal(questions.length, 1);
  assert.ok(withdrawn, 'the elicitation request was cancelled when run_task answered');
  const denied = await server.ok('acknowledge_safety_check', { session_id: paused.structuredContent.session_id, decision: 'deny' });
  assert.equal(denied.structuredContent.status, 'denied');
  assert.equal(fixture.clicks(), clicksBefore);
  assert.deepEqual(fake.violations, []);
});

test("the idle timeout leaves a silent client's sessions alone while its run works in the background, and closes them after", async () => {
  const client = await idle.connect();
  // The model does not answer until the idle timeout has closed another client's sessions, and nothing touches ours meanwhile.
  const first = fake.hold({ output: [fake.call([click(FIELD)])] });
  fake.script([first, { output: [fake.call([type('x')])] }, { output: [fake.message('Typed x.')] }]);
  const started = await client.ok('run_task', { task: 'Type x', start_url: fixture.url('/'), wait_seconds: 0 });
  const sessionId = started.structuredContent.session_id as string;
  await first.arrived;
  // A silent client beside it: once its browser session has idled out, ours has been as idle as long.
  const other = await idle.connect();
  const otherSession = (await other.ok('new_session', {})).structuredContent.session_id as string;
  await idle.waitForLog(`session ${otherSession} idle for`, 30_000);
  first.release();
  const done = await client.ok('get_run', { session_id: sessionId, wait_seconds: 10 });
  assert.equal(done.structuredContent.status, 'completed', textOf(done));
  assert.deepEqual(done.structuredContent.actions, ['click 250,270', 'type "x"']);
  assert.equal(done.structuredContent.title, 'x');
  assert.deepEqual(fake.violations, []);
  // Once the run has stopped, they idle out as any other.
  await idle.waitForLog(`MCP session ${client.transport.sessionId} idle`, 15_000);
  await client.client.close().catch(() => {});
  await other.client.close().catch(() => {});
});

test('a run_task whose start_url is refused starts no run, and the session takes the next one', async () => {
  const session = await server.ok('new_session', { start_url: fixture.url('/') });
  const sessionId = session.structuredContent.session_id as string;
  fake.script([{ output: [fake.message('Nothing to do.')] }]);
  const refused = await server.call('run_task', { task: 'Look', session_id: sessionId, start_url: 'file:///etc/passwd' });
  assert.ok(refused.isError);
  assert.equal(fake.received.length, 0);
  const next = await server.ok('run_task', { task: 'Look', session_id: sessionId });
  assert.equal(next.structuredContent.status, 'completed');
  assert.deepEqual(fake.violations, []);
});
