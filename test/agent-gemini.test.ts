import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { page } from './helpers/fixture-server.js';
import { FakeGemini, functionResponses } from './helpers/fake-gemini.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { taskFixture } from './helpers/task-fixture.js';

// Gemini computer use against a strict fake Gemini API, through the real @google/genai SDK.
const DISPLAY = { width: 1024, height: 768 };
const MODEL = 'gemini-2.5-computer-use-preview-10-2025';
const fixture = await taskFixture();
fixture.route('/other', page('<h1>Other page</h1>'));
const gemini = await new FakeGemini({ display: DISPLAY, model: MODEL, apiKey: 'gemini-test-key' }).start();
let mcp: ServerHandle;

before(async () => {
  mcp = await startServer(['--gemini-base-url', gemini.origin], {
    GEMINI_API_KEY: 'gemini-test-key',
    OPENAI_API_KEY: '',
    AZURE_OPENAI_ENDPOINT: '',
    ANTHROPIC_API_KEY: '',
    CUA_MODEL_RETRIES: '0',
  });
});

after(async () => {
  await mcp?.close();
  await gemini.stop();
  await fixture.stop();
});

// Grid points (0-999) of the fixture's button (200,140) and field (250,270) on the 1024x768 display.
const SEND = { x: 195, y: 182 };
const NAME = { x: 244, y: 351 };

test('a scripted Gemini clicks, types, presses Control+A and scrolls; the page reports the result', async () => {
  gemini.script([
    { parts: [gemini.text('Pressing Send.'), gemini.call('click_at', SEND)] },
    { parts: [gemini.call('type_text_at', { ...NAME, text: 'hello', press_enter: false, clear_before_typing: false })] },
    { parts: [gemini.call('key_combination', { keys: 'Control+A' }), gemini.call('key_combination', { keys: 'Backspace' })] },
    { parts: [gemini.call('type_text_at', { ...NAME, text: 'world', press_enter: false, clear_before_typing: false })] },
    { parts: [gemini.call('scroll_document', { direction: 'down' })] },
    { parts: [gemini.call('scroll_at', { x: 500, y: 500, direction: 'up', magnitude: 200 })] },
    { parts: [gemini.text('Sent, wrote "world" and scrolled.')] },
  ]);
  const result = await mcp.ok('run_task', { task: 'press Send, write world in the field, scroll', start_url: fixture.url('/') });
  assert.deepEqual(gemini.violations, []);
  const s = result.structuredContent;
  assert.equal(s.status, 'completed', textOf(result));
  assert.equal(s.message, 'Sent, wrote "world" and scrolled.');
  assert.deepEqual(s.actions, [
    'click 199,139',
    'click 249,269',
    'type "hello"',
    'keypress Control+A',
    'keypress Backspace',
    'click 249,269',
    'type "world"',
    'scroll 0,614 at 512,384',
    'scroll 0,-154 at 512,384',
  ]);
  const state = fixture.state();
  assert.equal(state.clicks, 1);
  assert.equal(state.value, 'world', 'Control+A selected "hello" and Backspace removed it (else "hellworld")');
  assert.equal(state.scrollY, 614 - 154, 'scroll_document moves 80% of a screen, scroll_at magnitude 200 is 200/1000 of the height');
  assert.match(mcp.stderr(), /model provider: gemini \(picked because GEMINI_API_KEY is set/);
});

test('require_confirmation holds the action until a person approves; the approval goes back as safety_acknowledgement', async () => {
  gemini.script([
    { parts: [gemini.call('click_at', SEND, 'Sending a message is irreversible.')] },
    (request) => {
      const [response] = functionResponses(request);
      assert.equal((response!.response as Record<string, unknown>).safety_acknowledgement, 'true');
      return { parts: [gemini.text('Sent.')] };
    },
  ]);
  const paused = await mcp.ok('run_task', { task: 'press Send', start_url: fixture.url('/') });
  const s = paused.structuredContent;
  assert.equal(s.status, 'needs_confirmation');
  assert.deepEqual(s.pending_actions, ['click 199,139']);
  assert.deepEqual(s.pending_safety_checks, [
    { id: 'click_at_1', code: 'require_confirmation', message: 'Sending a message is irreversible.' },
  ]);
  assert.equal(fixture.state().clicks, 0, 'a fresh page: the held click has not run');
  assert.equal(gemini.received.length, 1);
  const approved = await mcp.ok('acknowledge_safety_check', { session_id: s.session_id, decision: 'approve' });
  assert.equal(approved.structuredContent.status, 'completed');
  assert.equal(fixture.state().clicks, 1);
  assert.deepEqual(gemini.violations, []);
});

test('navigate, go_back and go_forward drive the browser session; the URL goes back with each response', async () => {
  const urls: string[] = [];
  const record = (request: Parameters<typeof functionResponses>[0]) =>
    urls.push(String((functionResponses(request)[0]!.response as Record<string, unknown>).url));
  gemini.script([
    { parts: [gemini.call('navigate', { url: fixture.url('/other') })] },
    (request) => {
      record(request);
      return { parts: [gemini.call('go_back')] };
    },
    (request) => {
      record(request);
      return { parts: [gemini.call('go_forward')] };
    },
    (request) => {
      record(request);
      // wait_5_seconds as a 5 s wait: test/unit/gemini.test.ts.
      return { parts: [gemini.call('open_web_browser')] };
    },
    { parts: [gemini.text('Browsed.')] },
  ]);
  const result = await mcp.ok('run_task', { task: 'browse', start_url: fixture.url('/') });
  assert.deepEqual(gemini.violations, []);
  assert.equal(result.structuredContent.status, 'completed');
  assert.deepEqual(urls, [fixture.url('/other'), fixture.url('/'), fixture.url('/other')]);
  assert.deepEqual(result.structuredContent.actions, [`goto ${fixture.url('/other')}`, 'back', 'forward']);
});

test('an unknown function or a point off the grid is answered with an error, and the model recovers', async () => {
  gemini.script([
    { parts: [gemini.call('teleport', { x: 1, y: 2 }), gemini.call('click_at', { x: 5000, y: 1 })] },
    (request) => {
      const errors = functionResponses(request).map((r) => String((r.response as Record<string, unknown>).error));
      assert.match(errors[0]!, /there is no function "teleport"/);
      assert.match(errors[1]!, /0-999/);
      return { parts: [gemini.text('I could not act.')] };
    },
  ]);
  const result = await mcp.ok('run_task', { task: 'do something odd', start_url: fixture.url('/') });
  assert.deepEqual(gemini.violations, []);
  assert.equal(result.structuredContent.status, 'completed');
  assert.deepEqual(result.structuredContent.actions, []);
});

test('the fake catches a wrong shape: screenshots of another size are refused', async () => {
  // The server sends 1024x768 screenshots; the fake now expects 800x600.
  gemini.options.display = { width: 800, height: 600 };
  try {
    gemini.script([{ parts: [gemini.text('never')] }]);
    const result = await mcp.call('run_task', { task: 'look', start_url: fixture.url('/') });
    assert.ok(result.isError);
    assert.match(
      textOf(result),
      /Gemini endpoint http:\/\/127\.0\.0\.1:\d+, model "gemini-2\.5-computer-use-preview-10-2025" answered 400/,
    );
    assert.match(gemini.violations.join('\n'), /first screenshot is 1024x768, expected 800x600/);
  } finally {
    gemini.options.display = DISPLAY;
    gemini.violations.length = 0;
  }
});
