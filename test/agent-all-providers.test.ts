import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FakeAnthropic } from './helpers/fake-claude.js';
import { FakeChat } from './helpers/fake-chat.js';
import type { FakeEndpoint } from './helpers/fake-endpoint.js';
import { FakeGemini } from './helpers/fake-gemini.js';
import { FakeResponses } from './helpers/fake-responses.js';
import { startServer, textOf } from './helpers/mcp.js';
import { taskFixture } from './helpers/task-fixture.js';

// The same fixture task through run_task on every provider, each against its own strict fake.
const DISPLAY = { width: 1024, height: 768 };
const TASK = 'press Send, write world in the field (replacing what is there), scroll down';
const fixture = await taskFixture();
const fakes: Array<FakeEndpoint<object>> = [];

after(async () => {
  await Promise.all(fakes.map((f) => f.stop()));
  await fixture.stop();
});

/** No provider's variables leak in from the test environment. */
const CLEAN = { AZURE_OPENAI_ENDPOINT: '', AZURE_OPENAI_API_KEY: '', AZURE_OPENAI_API_VERSION: '', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', GEMINI_API_KEY: '', GOOGLE_API_KEY: '', CUA_MODEL_RETRIES: '0' };

interface Case {
  provider: string;
  /** Starts the fake, scripts the task on it, and says how the server reaches it. */
  setup(): Promise<{ fake: FakeEndpoint<object>; args: string[]; env: Record<string, string>; scrollY: number }>;
}

const at = (x: number, y: number) => ({ x, y });
const SEND = at(200, 140);
const NAME = at(250, 270);

const cases: Case[] = [
  {
    provider: 'openai',
    async setup() {
      const fake = await new FakeResponses({ generation: 'ga', display: DISPLAY, model: 'gpt-5.4', path: '/v1/responses', auth: ['authorization', 'Bearer sk-all'] }).start();
      fake.script([
        { output: [fake.call([{ type: 'click', button: 'left', ...SEND }])] },
        { output: [fake.call([{ type: 'click', button: 'left', ...NAME }, { type: 'type', text: 'hello' }, { type: 'keypress', keys: ['CTRL', 'A'] }, { type: 'type', text: 'world' }])] },
        { output: [fake.call([{ type: 'scroll', x: 500, y: 400, scroll_x: 0, scroll_y: 300 }])] },
        { output: [fake.message('done')] },
      ]);
      return { fake, args: ['--provider', 'openai', '--model', 'gpt-5.4'], env: { OPENAI_API_KEY: 'sk-all', OPENAI_BASE_URL: `${fake.origin}/v1` }, scrollY: 300 };
    },
  },
  {
    provider: 'azure',
    async setup() {
      const fake = await new FakeResponses({ generation: 'preview', display: DISPLAY, model: 'cua-deployment', path: '/openai/v1/responses', auth: ['api-key', 'azure-all'], forbiddenHeader: 'authorization' }).start();
      fake.script([
        { output: [fake.call([{ type: 'click', button: 'left', ...SEND }])] },
        { output: [fake.call([{ type: 'click', button: 'left', ...NAME }])] },
        { output: [fake.call([{ type: 'type', text: 'hello' }])] },
        { output: [fake.call([{ type: 'keypress', keys: ['ctrl', 'a'] }])] },
        { output: [fake.call([{ type: 'type', text: 'world' }])] },
        { output: [fake.call([{ type: 'scroll', x: 500, y: 400, scroll_x: 0, scroll_y: 300 }])] },
        { output: [fake.message('done')] },
      ]);
      return { fake, args: ['--provider', 'azure', '--model', 'cua-deployment', '--tool-generation', 'preview'], env: { AZURE_OPENAI_ENDPOINT: fake.origin, AZURE_OPENAI_API_KEY: 'azure-all' }, scrollY: 300 };
    },
  },
  {
    provider: 'anthropic',
    async setup() {
      const fake = await new FakeAnthropic({ display: DISPLAY, model: 'claude-sonnet-4-6', tool: 'computer_20251124', beta: 'computer-use-2025-11-24', apiKey: 'sk-ant-all' }).start();
      fake.script([
        { content: [fake.toolUse({ action: 'left_click', coordinate: [SEND.x, SEND.y] })] },
        { content: [fake.toolUse({ action: 'left_click', coordinate: [NAME.x, NAME.y] }), fake.toolUse({ action: 'type', text: 'hello' })] },
        { content: [fake.toolUse({ action: 'key', text: 'ctrl+a' }), fake.toolUse({ action: 'type', text: 'world' })] },
        { content: [fake.toolUse({ action: 'scroll', coordinate: [500, 400], scroll_direction: 'down', scroll_amount: 3 })] },
        { content: [fake.text('done')] },
      ]);
      return { fake, args: ['--provider', 'anthropic'], env: { ANTHROPIC_API_KEY: 'sk-ant-all', ANTHROPIC_BASE_URL: fake.origin }, scrollY: 300 };
    },
  },
  {
    provider: 'gemini',
    async setup() {
      const fake = await new FakeGemini({ display: DISPLAY, model: 'gemini-2.5-computer-use-preview-10-2025', apiKey: 'gemini-all' }).start();
      fake.script([
        { parts: [fake.call('click_at', { x: 195, y: 182 })] },
        { parts: [fake.call('type_text_at', { x: 244, y: 351, text: 'hello', press_enter: false, clear_before_typing: false })] },
        { parts: [fake.call('key_combination', { keys: 'Control+A' }), fake.call('key_combination', { keys: 'Backspace' })] },
        { parts: [fake.call('type_text_at', { x: 244, y: 351, text: 'world', press_enter: false, clear_before_typing: false })] },
        // 390.625 of 1000 on a 768 px screen is 300 px.
        { parts: [fake.call('scroll_at', { x: 488, y: 520, direction: 'down', magnitude: 390.625 })] },
        { parts: [fake.text('done')] },
      ]);
      return { fake, args: ['--provider', 'gemini', '--gemini-base-url', fake.origin], env: { GOOGLE_API_KEY: 'gemini-all' }, scrollY: 300 };
    },
  },
  {
    provider: 'openai-compatible',
    async setup() {
      const fake = await new FakeChat({ display: DISPLAY, model: 'ui-tars', apiKey: 'vllm-all' }).start();
      fake.script([
        { text: "Action: click(start_box='(195,182)')" },
        { text: "Action: click(start_box='(244,351)')\n\ntype(content='hello')\n\nhotkey(key='ctrl a')\n\ntype(content='world')" },
        { text: "Action: scroll(start_box='(488,520)', direction='down')" },
        { text: "Action: finished(content='done')" },
      ]);
      return {
        fake,
        args: ['--provider', 'openai-compatible', '--model', 'ui-tars', '--openai-compatible-base-url', `${fake.origin}/v1`, '--openai-compatible-api-key', 'vllm-all', '--text-action-coordinates', 'relative'],
        env: {},
        scrollY: 500,
      };
    },
  },
];

for (const { provider, setup } of cases) {
  test(`run_task passes the fixture task on ${provider}`, async () => {
    const { fake, args, env, scrollY } = await setup();
    fakes.push(fake);
    const server = await startServer(args, { ...CLEAN, ...env });
    try {
      const result = await server.ok('run_task', { task: TASK, start_url: fixture.url('/') });
      assert.deepEqual(fake.violations, []);
      assert.equal(result.structuredContent.status, 'completed', textOf(result));
      assert.equal(result.structuredContent.message, 'done');
      const state = fixture.state();
      assert.equal(state.clicks, 1, 'Send was pressed once');
      assert.equal(state.value, 'world', 'the field holds only "world": select-all worked');
      assert.equal(state.scrollY, scrollY);
      assert.equal(fake.remaining, 0, 'every scripted turn was used');
    } finally {
      await server.close();
    }
  });
}
