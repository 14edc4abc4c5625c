import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeChat, lastText } from './helpers/fake-chat.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { taskFixture } from './helpers/task-fixture.js';

// An open text-action model (UI-TARS grammar) on a fake OpenAI-compatible Chat Completions server.
const DISPLAY = { width: 1024, height: 768 };
const MODEL = 'ByteDance-Seed/UI-TARS-1.5-7B';
const fixture = await taskFixture();
const fakes: FakeChat[] = [];
const servers: ServerHandle[] = [];

async function fake(options: Partial<ConstructorParameters<typeof FakeChat>[0]> = {}): Promise<FakeChat> {
  const started = await new FakeChat({ display: DISPLAY, model: MODEL, apiKey: 'vllm-key', ...options }).start();
  fakes.push(started);
  return started;
}

async function server(endpoint: FakeChat, args: string[] = []): Promise<ServerHandle> {
  const started = await startServer(
    ['--openai-compatible-base-url', `${endpoint.origin}/v1`, '--openai-compatible-api-key', 'vllm-key', ...args],
    {
      OPENAI_API_KEY: '',
      AZURE_OPENAI_ENDPOINT: '',
      ANTHROPIC_API_KEY: '',
      GEMINI_API_KEY: '',
      GOOGLE_API_KEY: '',
      CUA_MODEL_RETRIES: '0',
    },
  );
  servers.push(started);
  return started;
}

const [tars, relative] = await Promise.all([fake(), fake()]);
let mcp: ServerHandle;
/** The same with --text-action-coordinates relative, started beside it. */
let grid: ServerHandle;

before(async () => {
  [mcp, grid] = await Promise.all([server(tars), server(relative, ['--text-action-coordinates', 'relative'])]);
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(fakes.map((f) => f.stop()));
  await fixture.stop();
});

test('a scripted UI-TARS clicks, types, presses ctrl+a and scrolls in absolute (smart-resized) coordinates', async () => {
  // The 1024x768 screenshot reaches the model as 1036x756: (202,138) there is the button's centre (200,140) here.
  tars.script([
    { text: "Thought: I press Send first.\nAction: click(start_box='<|box_start|>(202,138)<|box_end|>')" },
    { text: "Thought: Now the field.\nAction: click(start_box='(253,266)')\n\ntype(content='hello')" },
    { text: "Action: hotkey(key='ctrl a')" },
    { text: "Action: type(content='world')" },
    { text: "Action: scroll(start_box='<point>506 378</point>', direction='down')" },
    { text: "Thought: All done.\nAction: finished(content='Sent, wrote \\'world\\' and scrolled.')" },
  ]);
  const result = await mcp.ok('run_task', { task: 'press Send, write world in the field, scroll down', start_url: fixture.url('/') });
  assert.deepEqual(tars.violations, []);
  const s = result.structuredContent;
  assert.equal(s.status, 'completed', textOf(result));
  assert.equal(s.message, "Sent, wrote 'world' and scrolled.");
  assert.deepEqual(s.actions, [
    'click 200,140',
    'click 250,270',
    'type "hello"',
    'keypress ctrl+a',
    'type "world"',
    'scroll 0,500 at 500,384',
  ]);
  assert.deepEqual(s.reasoning, ['I press Send first.', 'Now the field.', 'All done.']);
  const state = fixture.state();
  assert.equal(state.clicks, 1);
  assert.equal(state.value, 'world');
  assert.equal(state.scrollY, 500, 'one scroll is 500 px');
  assert.match(mcp.stderr(), /model provider: openai-compatible \(picked because --openai-compatible-base-url is set/);
});

test('malformed output is told back to the model; three unusable replies in a row fail the run', async () => {
  tars.script([
    { text: 'I think I should click the button.' },
    { text: "Action: click(start_box='(1,2)'" },
    { text: "Action: teleport(to='moon')" },
  ]);
  const failed = await mcp.call('run_task', { task: 'press Send', start_url: fixture.url('/') });
  assert.deepEqual(tars.violations, []);
  assert.ok(failed.isError);
  const s = failed.structuredContent as Record<string, unknown>;
  assert.equal(s.status, 'failed');
  assert.match(String(s.error), /nothing usable 3 turns in a row \(last: unknown action teleport\(\)/);
  assert.match(lastText(tars.received[1]!), /the reply has no "Action:" line[\s\S]*Thought: \.\.\.\nAction: \.\.\./);
  assert.match(lastText(tars.received[2]!), /Your action was not run: click\( is not closed/);
});

test('--text-action-coordinates relative reads points on a 0-1000 grid', async () => {
  relative.script([{ text: "Action: click(start_box='(195,182)')" }, { text: "Action: finished(content='ok')" }]);
  const result = await grid.ok('run_task', { task: 'press Send', start_url: fixture.url('/') });
  assert.deepEqual(relative.violations, []);
  assert.deepEqual(result.structuredContent.actions, ['click 200,140']);
  assert.equal(fixture.state().clicks, 1, 'the fresh page saw one click on its button');
});

test('the fake catches a wrong shape: a request without the right key is refused', async () => {
  // The server sends vllm-key; the fake now expects another key.
  tars.options.apiKey = 'another-key';
  try {
    tars.script([{ text: "Action: finished(content='never')" }]);
    const result = await mcp.call('run_task', { task: 'look', start_url: fixture.url('/') });
    assert.ok(result.isError);
    assert.match(
      textOf(result),
      /OpenAI-compatible endpoint http:\/\/127\.0\.0\.1:\d+\/v1, model "ByteDance-Seed\/UI-TARS-1\.5-7B" answered 400/,
    );
    assert.match(tars.violations.join('\n'), /authorization "Bearer vllm-key", expected Bearer another-key/);
  } finally {
    tars.options.apiKey = 'vllm-key';
    tars.violations.length = 0;
  }
});
