import assert from 'node:assert/strict';
import { recordedSteps } from './helpers/recorded-steps.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { FakeResponses } from './helpers/fake-responses.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';

// The operator's approval rules: the actions each rule names pause for a person, the others run; every decision is recorded with its rule.
const DISPLAY = { width: 1024, height: 768 };
const BUTTON = { x: 200, y: 130 };
const NAME = { x: 250, y: 220 };
const PASSWORD = { x: 250, y: 320 };

interface FormState {
  clicks: number;
  name: string;
  pw: string;
}

/** A form (a button, a text field, a password field) that reports every change to its server. */
async function form(host: string): Promise<FixtureServer & { state: FormState }> {
  const state: FormState = { clicks: 0, name: '', pw: '' };
  // Reports can arrive out of order (one connection each): the latest the page sent wins, not the latest to arrive
  // (stamped with the page's clock, which keeps counting across page loads).
  let latest = 0;
  const server = new FixtureServer({
    '/': page(`
      <button id="b" style="position:absolute;left:100px;top:100px;width:200px;height:60px">Pay</button>
      <input id="name" style="position:absolute;left:100px;top:200px;width:300px;height:40px">
      <input id="pw" type="password" style="position:absolute;left:100px;top:300px;width:300px;height:40px">
      <script>
        let clicks = 0;
        const report = () => fetch('/report', { method: 'POST', body: JSON.stringify({ seq: performance.timeOrigin + performance.now(), clicks, name: document.getElementById('name').value, pw: document.getElementById('pw').value }) });
        document.getElementById('b').addEventListener('click', () => { clicks++; report(); });
        addEventListener('input', report);
      </script>`),
    '/report': (_req, res, body) => {
      const { seq, ...reported } = JSON.parse(body) as FormState & { seq: number };
      if (seq > latest) {
        latest = seq;
        Object.assign(state, reported);
      }
      res.writeHead(204).end();
    },
  });
  return Object.assign(await server.start(host), { state });
}

const shop = await form('127.0.0.1');
const bank = await form('127.0.0.2');
const model = await new FakeResponses({
  generation: 'ga',
  display: DISPLAY,
  model: 'gpt-5.4',
  path: '/v1/responses',
  auth: ['authorization', 'Bearer sk-rules'],
}).start();
const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-rules-'));

function server(args: string[]): Promise<ServerHandle> {
  return startServer(['--provider', 'openai', '--model', 'gpt-5.4', '--output-dir', outputDir, ...args], {
    OPENAI_API_KEY: 'sk-rules',
    OPENAI_BASE_URL: `${model.origin}/v1`,
    AZURE_OPENAI_ENDPOINT: '',
    ANTHROPIC_API_KEY: '',
    CUA_MODEL_RETRIES: '0',
  });
}

// One server per set of rules, started side by side. The domain rule and the password rule share one:
// the domain cases type into no password field, the password cases act only on the site the domain rule leaves alone.
let always: ServerHandle;
let guarded: ServerHandle;
let sandbox: ServerHandle;

before(async () => {
  [always, guarded, sandbox] = await Promise.all([
    server(['--approval', 'always']),
    server(['--confirm-domains', 'bank.example, 127.0.0.2', '--confirm-password-typing']),
    server(['--approval', 'sandbox:ci-vm-42', '--confirm-actions', 'type']),
  ]);
});

after(async () => {
  await Promise.all([always, guarded, sandbox].map((s) => s?.close()));
  await Promise.all([shop.stop(), bank.stop(), model.stop()]);
  fs.rmSync(outputDir, { recursive: true, force: true });
});

const click = (p: { x: number; y: number }) => ({ type: 'click', button: 'left', ...p });
const type = (text: string) => ({ type: 'type', text });

/** Each recorded step's safety decision, without its time. */
function decisions(report: unknown): unknown[] {
  return recordedSteps(path.dirname(String(report))).map((step) => {
    if (!step.safety_decision) return undefined;
    const { time: _time, ...decision } = step.safety_decision;
    return decision;
  });
}

test('--approval always: every action waits for a person', async () => {
  const mcp = always;
  model.script([
    { output: [model.call([click(BUTTON)])] },
    { output: [model.call([click(BUTTON)])] },
    { output: [model.message('paid twice')] },
  ]);
  const first = await mcp.ok('run_task', { task: 'press Pay twice', start_url: shop.url('/') });
  const session_id = first.structuredContent.session_id;
  assert.equal(first.structuredContent.status, 'needs_confirmation', textOf(first));
  const [check] = first.structuredContent.pending_safety_checks as Array<{ id: string }>;
  assert.match(check!.id, /^approve_call_/);
  assert.deepEqual(first.structuredContent.pending_safety_checks, [
    { id: check!.id, code: 'approve_action', message: '--approval always asks a person before every action.', rule: '--approval always' },
  ]);
  assert.equal(shop.state.clicks, 0, 'nothing ran before the approval');
  const second = await mcp.ok('acknowledge_safety_check', { session_id, decision: 'approve' });
  assert.equal(second.structuredContent.status, 'needs_confirmation', 'the next action asks again');
  assert.equal(shop.state.clicks, 1);
  const done = await mcp.ok('acknowledge_safety_check', { session_id, decision: 'approve' });
  assert.equal(done.structuredContent.status, 'completed');
  assert.equal(shop.state.clicks, 2);
  assert.deepEqual(decisions(done.structuredContent.report), [
    { decision: 'approve', by: 'tool', rule: '--approval always' },
    { decision: 'approve', by: 'tool', rule: '--approval always' },
    undefined,
  ]);
  assert.deepEqual(model.violations, []);
});

test('--confirm-domains: any action on a named site waits; elsewhere actions run', async () => {
  const mcp = guarded;
  model.script([{ output: [model.call([click(BUTTON)])] }, { output: [model.message('paid')] }]);
  const free = await mcp.ok('run_task', { task: 'press Pay', start_url: shop.url('/') });
  assert.equal(free.structuredContent.status, 'completed', textOf(free));
  assert.equal(shop.state.clicks, 1);

  model.script([{ output: [model.call([click(BUTTON)])] }]);
  const held = await mcp.ok('run_task', { task: 'press Pay', start_url: bank.url('/') });
  assert.equal(held.structuredContent.status, 'needs_confirmation', textOf(held));
  const [check] = held.structuredContent.pending_safety_checks as Array<{ code: string; rule: string; message: string }>;
  assert.equal(check!.code, 'confirm_domain');
  assert.equal(check!.rule, '--confirm-domains 127.0.0.2');
  assert.match(check!.message, /before any action on 127\.0\.0\.2 \(127\.0\.0\.2:\d+\)/);
  const denied = await mcp.ok('acknowledge_safety_check', { session_id: held.structuredContent.session_id, decision: 'deny' });
  assert.equal(denied.structuredContent.status, 'denied');
  assert.equal(bank.state.clicks, 0, 'the denied click never ran');
  assert.deepEqual(decisions(denied.structuredContent.report)[0], { decision: 'deny', by: 'tool', rule: '--confirm-domains 127.0.0.2' });
  assert.deepEqual(model.violations, []);
});

test('--confirm-password-typing: typing into a password field waits, clicked or focused; other typing runs', async () => {
  const mcp = guarded;
  model.script([
    { output: [model.call([click(NAME), type('alice')])] },
    { output: [model.call([click(PASSWORD), type('hunter2')])] },
    { output: [model.call([type('!')])] },
  ]);
  const held = await mcp.ok('run_task', { task: 'log in', start_url: shop.url('/') });
  assert.equal(held.structuredContent.status, 'needs_confirmation', textOf(held));
  assert.equal(shop.state.name, 'alice', 'typing into the text field ran');
  assert.equal(shop.state.pw, '', 'the password was not typed');
  assert.deepEqual(
    (held.structuredContent.pending_safety_checks as Array<{ code: string; rule: string }>).map((c) => [c.code, c.rule]),
    [['confirm_password', '--confirm-password-typing']],
  );
  const session_id = held.structuredContent.session_id;
  const focused = await mcp.ok('acknowledge_safety_check', { session_id, decision: 'approve' });
  assert.equal(shop.state.pw, 'hunter2');
  assert.equal(focused.structuredContent.status, 'needs_confirmation', 'typing into the focused password field asks too');
  await mcp.ok('acknowledge_safety_check', { session_id, decision: 'deny' });
  assert.equal(shop.state.pw, 'hunter2');
  assert.deepEqual(model.violations, []);
});

test("--approval sandbox:NAME approves the model's safety checks without asking, never the operator's rules; both recorded with their rule", async () => {
  const mcp = sandbox;
  model.script([
    { output: [model.call([click(BUTTON)], [{ id: 'sc_1', code: 'sensitive_domain', message: 'This looks like a payment page.' }])] },
    { output: [model.call([click(NAME), type('bob')])] },
    { output: [model.message('done')] },
  ]);
  const held = await mcp.ok('run_task', { task: 'pay, then write bob', start_url: bank.url('/') });
  assert.equal(held.structuredContent.status, 'needs_confirmation', textOf(held));
  assert.equal(bank.state.clicks, 1, "the model's check was approved in the sandbox");
  assert.equal(bank.state.name, '', "the operator's rule still asks");
  const done = await mcp.ok('acknowledge_safety_check', { session_id: held.structuredContent.session_id, decision: 'approve' });
  assert.equal(done.structuredContent.status, 'completed');
  assert.equal(bank.state.name, 'bob');
  assert.deepEqual(decisions(done.structuredContent.report), [
    { decision: 'approve', by: 'auto', rule: '--approval sandbox:ci-vm-42' },
    { decision: 'approve', by: 'tool', rule: '--confirm-actions type' },
    undefined,
  ]);
  assert.deepEqual(model.violations, []);
});
