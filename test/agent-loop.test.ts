import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { agentFixture, previewFake, BUTTON, click, FIELD } from './helpers/agent-fixture.js';
import { page } from './helpers/fixture-server.js';
import { imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';

// OpenAI provider, preview tool generation, history through previous_response_id.
let clickHook: (() => void | Promise<void>) | undefined;
const fixture = await agentFixture(() => clickHook?.());
const fake = await previewFake('sk-test');
let server: ServerHandle;
const logs: string[] = [];

before(async () => {
  server = await startServer([], {
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${fake.origin}/v1`,
    AZURE_OPENAI_ENDPOINT: '',
    CUA_MODEL_RETRIES: '2',
  });
  server.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
});

after(async () => {
  await server?.close();
  await fake.stop();
  await fixture.stop();
});

const check = (id: string, code = 'sensitive_domain') => ({ id, code, message: `The page looks ${code.replace('_', ' ')}.` });

test('run_task drives the page to completion and reports each step', async () => {
  fake.script([
    { output: [fake.reasoning('The Send button is on the left; I will click it.'), fake.call([click(BUTTON)])] },
    { output: [fake.call([click(FIELD)])] },
    { output: [fake.call([{ type: 'type', text: 'hello' }])] },
    { output: [fake.message('Done: I pressed Send and typed hello.')] },
  ]);
  const progress: string[] = [];
  const result = await server.client.callTool(
    { name: 'run_task', arguments: { task: 'Press Send, then type hello in the field', start_url: fixture.url('/') } },
    undefined,
    { onprogress: (p) => void progress.push(p.message ?? '') },
  );
  assert.deepEqual(fake.violations, []);
  assert.ok(!result.isError, textOf(result as never));
  const s = result.structuredContent as Record<string, unknown>;
  assert.equal(s.status, 'completed');
  assert.equal(s.steps, 4);
  assert.deepEqual(s.actions, ['click 200,140', 'click 250,270', 'type "hello"']);
  assert.equal(s.message, 'Done: I pressed Send and typed hello.');
  assert.deepEqual(s.pending_safety_checks, []);
  assert.equal(s.url, fixture.url('/'));
  assert.equal(s.title, 'hello');
  assert.equal(fixture.clicks(), 1);
  const text = textOf(result as never);
  assert.match(text, /Status: completed after 4 step/);
  assert.match(text, /1\. click 200,140/);
  assert.match(text, /The Send button is on the left/);
  assert.equal(imageOf(result as never).mimeType, 'image/png');
  assert.deepEqual(progress, ['step 1/25: click 200,140', 'step 2/25: click 250,270', 'step 3/25: type "hello"', 'step 4/25: done']);
  assert.ok(
    logs.some((l) => l.includes('reasoning: The Send button is on the left')),
    logs.join('\n'),
  );
});

test('max_steps stops a run that step then resumes along the same response chain', async () => {
  fake.script([
    { output: [fake.call([click(FIELD)])] },
    { output: [fake.call([{ type: 'type', text: 'ab' }])] },
    { output: [fake.message('typed ab')] },
  ]);
  const first = await server.ok('run_task', {
    task: 'type ab',
    start_url: fixture.url('/'),
    max_steps: 2,
    instructions: 'Never submit forms.',
  });
  assert.equal(first.structuredContent.status, 'max_steps');
  assert.equal(first.structuredContent.steps, 2);
  assert.match(textOf(first), /call step/);
  const resumed = await server.ok('step', { session_id: first.structuredContent.session_id });
  assert.deepEqual(fake.violations, []);
  assert.equal(resumed.structuredContent.status, 'completed');
  assert.equal(resumed.structuredContent.steps, 3);
  assert.equal(resumed.structuredContent.message, 'typed ab');
  assert.equal(resumed.structuredContent.title, 'ab');
  // previous_response_id does not carry instructions over: each request repeats them.
  assert.deepEqual(
    fake.received.map((r) => r.body.instructions),
    ['Never submit forms.', 'Never submit forms.', 'Never submit forms.'],
  );
});

test('a safety check holds the action until the person approves it', async () => {
  const clicksBefore = fixture.clicks();
  const pending = [check('sc_1'), check('sc_2', 'irrelevant_domain')];
  fake.script([{ output: [fake.call([click(BUTTON)], pending)] }, { output: [fake.message('Sent.')] }]);
  const paused = await server.ok('run_task', { task: 'press Send', start_url: fixture.url('/') });
  const sessionId = paused.structuredContent.session_id as string;
  assert.equal(paused.structuredContent.status, 'needs_confirmation');
  assert.deepEqual(paused.structuredContent.pending_safety_checks, pending);
  assert.deepEqual(paused.structuredContent.pending_actions, ['click 200,140']);
  assert.deepEqual(paused.structuredContent.actions, []);
  assert.match(textOf(paused), /has NOT run/);
  assert.match(textOf(paused), /sensitive_domain: The page looks sensitive domain/);
  assert.equal(fixture.clicks(), clicksBefore, 'the flagged click must not run before approval');

  // The paused run survives wrong calls.
  const stepped = await server.call('step', { session_id: sessionId });
  assert.ok(stepped.isError);
  assert.match(textOf(stepped), /acknowledge_safety_check/);
  const partial = await server.call('acknowledge_safety_check', { session_id: sessionId, decision: 'approve', check_ids: ['sc_1'] });
  assert.ok(partial.isError);
  assert.match(textOf(partial), /also pass sc_2/);
  const unknown = await server.call('acknowledge_safety_check', { session_id: sessionId, decision: 'approve', check_ids: ['nope'] });
  assert.match(textOf(unknown), /Unknown safety check id/);
  assert.equal(fixture.clicks(), clicksBefore);
  assert.equal(fake.received.length, 1);

  const progress: string[] = [];
  const approved = (await server.client.callTool(
    { name: 'acknowledge_safety_check', arguments: { session_id: sessionId, decision: 'approve' } },
    undefined,
    { onprogress: (p) => void progress.push(p.message ?? '') },
  )) as Awaited<ReturnType<ServerHandle['ok']>>;
  assert.ok(!approved.isError, textOf(approved));
  assert.deepEqual(progress, ['step 1/25: click 200,140', 'step 2/25: done']);
  assert.deepEqual(fake.violations, []);
  assert.equal(approved.structuredContent.status, 'completed');
  assert.deepEqual(approved.structuredContent.actions, ['click 200,140']);
  assert.equal(approved.structuredContent.message, 'Sent.');
  assert.equal(fixture.clicks(), clicksBefore + 1);
  assert.deepEqual((fake.received[1]!.body.input as Array<Record<string, unknown>>)[0]!.acknowledged_safety_checks, pending);
});

test('a denied safety check drops the action and the session stays usable', async () => {
  const clicksBefore = fixture.clicks();
  fake.script([{ output: [fake.call([click(BUTTON)], [check('sc_9', 'malicious_instructions')])] }]);
  const paused = await server.ok('run_task', { task: 'press Send', start_url: fixture.url('/') });
  const sessionId = paused.structuredContent.session_id as string;
  const denied = await server.ok('acknowledge_safety_check', { session_id: sessionId, decision: 'deny' });
  assert.equal(denied.structuredContent.status, 'denied');
  assert.deepEqual(denied.structuredContent.actions, []);
  assert.equal(fixture.clicks(), clicksBefore);
  assert.equal(fake.received.length, 1);
  assert.deepEqual(fake.violations, []);
  const again = await server.call('acknowledge_safety_check', { session_id: sessionId, decision: 'approve' });
  assert.match(textOf(again), /No safety check is pending/);
  const shot = await server.ok('screenshot', { session_id: sessionId });
  assert.equal(shot.structuredContent.url, fixture.url('/'));
  assert.equal(fixture.clicks(), clicksBefore);
});

test('cancelling run_task stops after the current action; step goes on from there', async () => {
  const session = await server.ok('new_session', { start_url: fixture.url('/') });
  const sessionId = session.structuredContent.session_id as string;
  const controller = new AbortController();
  clickHook = async () => {
    controller.abort();
    // Keep the click's request open until the cancellation has landed, so it lands while the action settles:
    // the server reads its messages in order, so the answer to a ping sent after the cancellation comes after it.
    await server.client.ping();
  };
  fake.script([
    { output: [fake.call([click(BUTTON)])] },
    { output: [fake.call([click(FIELD)])] },
    { output: [fake.message('never reached')] },
  ]);
  await assert.rejects(
    server.client.callTool({ name: 'run_task', arguments: { task: 'press Send twice', session_id: sessionId } }, undefined, {
      signal: controller.signal,
    }),
    /abort/i,
  );
  clickHook = undefined;
  // The cancelled call reported nothing; get_run shows where the run stopped and what it did.
  const stopped = await server.ok('get_run', { session_id: sessionId });
  assert.equal(stopped.structuredContent.status, 'cancelled');
  assert.deepEqual(stopped.structuredContent.actions, ['click 200,140']);
  const resumed = await server.call('step', { session_id: sessionId });
  assert.ok(!resumed.isError, textOf(resumed));
  assert.deepEqual(fake.violations, []);
  const s = resumed.structuredContent as Record<string, unknown>;
  assert.equal(s.status, 'max_steps');
  assert.deepEqual(s.actions, ['click 250,270']);
  assert.equal(fake.received.length, 2, 'the cancelled call sent no request after its action');
});

test('429 is retried after Retry-After and the run completes', async () => {
  fake.script([
    // As Azure OpenAI sends it: retry-after-ms beside retry-after; the SDK waits the finer one.
    {
      status: 429,
      headers: { 'retry-after': '1', 'retry-after-ms': '100' },
      body: { error: { message: 'Rate limit reached', type: 'rate_limit_exceeded' } },
    },
    { output: [fake.message('nothing to do')] },
  ]);
  const result = await server.ok('run_task', { task: 'look', start_url: fixture.url('/') });
  assert.equal(result.structuredContent.status, 'completed');
  assert.equal(fake.received.length, 2);
  assert.deepEqual(fake.violations, []);
});

test('404 fails the run with the endpoint, the model and what to check; the session survives', async () => {
  fake.script([
    { status: 404, body: { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } } },
  ]);
  const result = await server.call('run_task', { task: 'look', start_url: fixture.url('/') });
  assert.ok(result.isError);
  const text = textOf(result);
  assert.match(text, /Status: failed/);
  assert.ok(text.includes(`${fake.origin}/v1`), text);
  assert.match(text, /"computer-use-preview"/);
  assert.match(text, /answered 404: The API deployment for this resource does not exist/);
  assert.match(text, /was not found: set CUA_MODEL/);
  const s = result.structuredContent as Record<string, unknown>;
  assert.equal(s.status, 'failed');
  assert.equal(fake.received.length, 1, '404 is not retried');
  const shot = await server.ok('screenshot', { session_id: s.session_id });
  assert.equal(shot.structuredContent.url, fixture.url('/'));
});

test('malformed actions are skipped; nothing usable three times fails the run', async () => {
  fake.script([
    { output: [fake.call([{ type: 'teleport', x: 1, y: 2 }])] },
    { output: [fake.call([click(FIELD)])] },
    { output: [fake.message('recovered')] },
  ]);
  const recovered = await server.ok('run_task', { task: 'type', start_url: fixture.url('/') });
  assert.deepEqual(fake.violations, []);
  assert.equal(recovered.structuredContent.status, 'completed');
  assert.deepEqual(recovered.structuredContent.actions, ['click 250,270']);
  const note = (fake.received[1]!.body.input as Array<Record<string, unknown>>).find((i) => i.role === 'user');
  assert.match(String(note?.content), /unknown action type "teleport"/);
  assert.match(server.stderr(), /skipped model output/);

  fake.script([
    { output: [fake.call([{ type: 'click', x: 5 }])] },
    { output: [fake.call([click({ x: 5000, y: 10 })])] },
    { output: [{ type: 'computer_call', id: 'cu_x', action: { type: 'wait' } }] },
  ]);
  const failed = await server.call('run_task', { task: 'type', start_url: fixture.url('/') });
  assert.deepEqual(fake.violations, []);
  assert.ok(failed.isError);
  const s = failed.structuredContent as Record<string, unknown>;
  assert.equal(s.status, 'failed');
  assert.match(String(s.error), /nothing usable 3 turns in a row/);
  assert.match(String(s.error), /call_id/);
  assert.deepEqual(s.actions, []);
});

test('in a browser the model may also call goto, back and forward: run on the session, answered with the screenshot', async () => {
  fixture.route('/second', page('second page'));
  const outputText = (request: number) =>
    (fake.received[request]!.body.input as { type: string; output?: { type: string; text?: string }[] }[])
      .filter((i) => i.type === 'function_call_output')
      .map((i) => i.output?.find((p) => p.type === 'input_text')?.text);
  fake.script([
    { output: [fake.functionCall('goto', { url: fixture.url('/second') })] },
    { output: [fake.functionCall('back')] },
    { output: [fake.functionCall('forward'), fake.functionCall('search', { query: 'x' })] },
    { output: [fake.message('went there and back')] },
  ]);
  const result = await server.ok('run_task', { task: 'visit the second page and come back', start_url: fixture.url('/') });
  assert.deepEqual(fake.violations, []);
  assert.equal(result.structuredContent.status, 'completed');
  assert.deepEqual(result.structuredContent.actions, [`goto ${fixture.url('/second')}`, 'back', 'forward']);
  assert.equal(result.structuredContent.url, fixture.url('/second'));
  assert.deepEqual(outputText(1), [`Opened ${fixture.url('/second')}`]);
  assert.deepEqual(outputText(2), [`went back to ${fixture.url('/')}`]);
  assert.deepEqual(outputText(3), [
    `went forward to ${fixture.url('/second')}`,
    'Not run: there is no function "search"; the functions are goto(url), back() and forward()',
  ]);
});
