import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FakeClaudeComputerUse } from './helpers/fake-claude-computer-use.js';
import { FakeChat, REPLY_USAGE as CHAT_USAGE } from './helpers/fake-chat.js';
import type { FakeEndpoint } from './helpers/fake-endpoint.js';
import { FakeGemini, REPLY_USAGE as GEMINI_USAGE } from './helpers/fake-gemini.js';
import { FakeResponses, REPLY_USAGE as RESPONSES_USAGE } from './helpers/fake-responses.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { taskFixture } from './helpers/task-fixture.js';

// The same fixture task through run_task on every provider, each against its own strict fake.
const DISPLAY = { width: 1024, height: 768 };
const TASK = 'press Send, write world in the field (replacing what is there), scroll down';
const fixture = await taskFixture();

/** No provider's variables leak in from the test environment. */
const CLEAN = {
  AZURE_OPENAI_ENDPOINT: '',
  AZURE_OPENAI_API_KEY: '',
  AZURE_OPENAI_API_VERSION: '',
  OPENAI_API_KEY: '',
  ANTHROPIC_API_KEY: '',
  GEMINI_API_KEY: '',
  GOOGLE_API_KEY: '',
  CUA_MODEL_RETRIES: '0',
};

interface Case {
  provider: string;
  /** Starts the fake, scripts the task on it, and says how the server reaches it. */
  setup(): Promise<{ fake: FakeEndpoint<object>; args: string[]; env: Record<string, string>; scrollY: number }>;
  /** The tokens of one reply as the run reports them (input includes cached, output includes reasoning); Anthropic's come from its cache. */
  reply?: {
    input_tokens: number;
    cached_input_tokens: number;
    cache_write_tokens: number;
    output_tokens: number;
    reasoning_tokens: number;
  };
}

const RESPONSES_REPLY = {
  input_tokens: RESPONSES_USAGE.input_tokens,
  cached_input_tokens: RESPONSES_USAGE.input_tokens_details.cached_tokens,
  cache_write_tokens: 0,
  output_tokens: RESPONSES_USAGE.output_tokens,
  reasoning_tokens: RESPONSES_USAGE.output_tokens_details.reasoning_tokens,
};

const at = (x: number, y: number) => ({ x, y });
const SEND = at(200, 140);
const NAME = at(250, 270);

const cases: Case[] = [
  {
    provider: 'openai',
    async setup() {
      const fake = await new FakeResponses({
        generation: 'ga',
        display: DISPLAY,
        model: 'gpt-5.4',
        path: '/v1/responses',
        auth: ['authorization', 'Bearer sk-all'],
      }).start();
      fake.script([
        { output: [fake.call([{ type: 'click', button: 'left', ...SEND }])] },
        {
          output: [
            fake.call([
              { type: 'click', button: 'left', ...NAME },
              { type: 'type', text: 'hello' },
              { type: 'keypress', keys: ['CTRL', 'A'] },
              { type: 'type', text: 'world' },
            ]),
          ],
        },
        { output: [fake.call([{ type: 'scroll', x: 500, y: 400, scroll_x: 0, scroll_y: 300 }])] },
        { output: [fake.message('done')] },
      ]);
      return {
        fake,
        args: ['--provider', 'openai', '--model', 'gpt-5.4', '--model-prices', 'input=2,output=10,cached=0.5'],
        env: { OPENAI_API_KEY: 'sk-all', OPENAI_BASE_URL: `${fake.origin}/v1` },
        scrollY: 300,
      };
    },
    reply: RESPONSES_REPLY,
  },
  {
    provider: 'azure',
    async setup() {
      const fake = await new FakeResponses({
        generation: 'preview',
        display: DISPLAY,
        model: 'cua-deployment',
        path: '/openai/v1/responses',
        auth: ['api-key', 'azure-all'],
        forbiddenHeader: 'authorization',
      }).start();
      fake.script([
        { output: [fake.call([{ type: 'click', button: 'left', ...SEND }])] },
        { output: [fake.call([{ type: 'click', button: 'left', ...NAME }])] },
        { output: [fake.call([{ type: 'type', text: 'hello' }])] },
        { output: [fake.call([{ type: 'keypress', keys: ['ctrl', 'a'] }])] },
        { output: [fake.call([{ type: 'type', text: 'world' }])] },
        { output: [fake.call([{ type: 'scroll', x: 500, y: 400, scroll_x: 0, scroll_y: 300 }])] },
        { output: [fake.message('done')] },
      ]);
      return {
        fake,
        args: ['--provider', 'azure', '--model', 'cua-deployment', '--tool-generation', 'preview'],
        env: { AZURE_OPENAI_ENDPOINT: fake.origin, AZURE_OPENAI_API_KEY: 'azure-all' },
        scrollY: 300,
      };
    },
    reply: RESPONSES_REPLY,
  },
  {
    provider: 'anthropic',
    async setup() {
      const fake = await new FakeClaudeComputerUse({
        display: DISPLAY,
        model: 'claude-sonnet-4-6',
        tool: 'computer_20251124',
        beta: 'computer-use-2025-11-24',
        apiKey: 'sk-ant-all',
      }).start();
      fake.script([
        { content: [fake.toolUse({ action: 'left_click', coordinate: [SEND.x, SEND.y] })] },
        {
          content: [fake.toolUse({ action: 'left_click', coordinate: [NAME.x, NAME.y] }), fake.toolUse({ action: 'type', text: 'hello' })],
        },
        { content: [fake.toolUse({ action: 'key', text: 'ctrl+a' }), fake.toolUse({ action: 'type', text: 'world' })] },
        { content: [fake.toolUse({ action: 'scroll', coordinate: [500, 400], scroll_direction: 'down', scroll_amount: 3 })] },
        { content: [fake.text('done')] },
      ]);
      return {
        fake,
        args: ['--provider', 'anthropic'],
        env: { ANTHROPIC_API_KEY: 'sk-ant-all', ANTHROPIC_BASE_URL: fake.origin },
        scrollY: 300,
      };
    },
  },
  {
    provider: 'gemini',
    async setup() {
      const fake = await new FakeGemini({
        display: DISPLAY,
        model: 'gemini-2.5-computer-use-preview-10-2025',
        apiKey: 'gemini-all',
      }).start();
      fake.script([
        { parts: [fake.call('click_at', { x: 195, y: 182 })] },
        { parts: [fake.call('type_text_at', { x: 244, y: 351, text: 'hello', press_enter: false, clear_before_typing: false })] },
        { parts: [fake.call('key_combination', { keys: 'Control+A' }), fake.call('key_combination', { keys: 'Backspace' })] },
        { parts: [fake.call('type_text_at', { x: 244, y: 351, text: 'world', press_enter: false, clear_before_typing: false })] },
        // 390.625 of 1000 on a 768 px screen is 300 px.
        { parts: [fake.call('scroll_at', { x: 488, y: 520, direction: 'down', magnitude: 390.625 })] },
        { parts: [fake.text('done')] },
      ]);
      return {
        fake,
        args: ['--provider', 'gemini', '--gemini-base-url', fake.origin],
        env: { GOOGLE_API_KEY: 'gemini-all' },
        scrollY: 300,
      };
    },
    reply: {
      input_tokens: GEMINI_USAGE.promptTokenCount,
      cached_input_tokens: GEMINI_USAGE.cachedContentTokenCount,
      cache_write_tokens: 0,
      output_tokens: GEMINI_USAGE.candidatesTokenCount + GEMINI_USAGE.thoughtsTokenCount,
      reasoning_tokens: GEMINI_USAGE.thoughtsTokenCount,
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
        args: [
          '--provider',
          'openai-compatible',
          '--model',
          'ui-tars',
          '--openai-compatible-base-url',
          `${fake.origin}/v1`,
          '--openai-compatible-api-key',
          'vllm-all',
          '--text-action-coordinates',
          'relative',
        ],
        env: {},
        scrollY: 500,
      };
    },
    reply: {
      input_tokens: CHAT_USAGE.prompt_tokens,
      cached_input_tokens: CHAT_USAGE.prompt_tokens_details.cached_tokens,
      cache_write_tokens: 0,
      output_tokens: CHAT_USAGE.completion_tokens,
      reasoning_tokens: 0,
    },
  },
];

/** The sum of `count` replies of `reply`. */
function times(reply: NonNullable<Case['reply']>, count: number): Record<string, number> {
  return Object.fromEntries(Object.entries(reply).map(([key, value]) => [key, value * count]));
}

/** What the fake Anthropic's prompt cache reported for each request, summed as the run reports it. */
function anthropicTokens(fake: FakeClaudeComputerUse): Record<string, number> {
  const sum = (pick: (u: FakeClaudeComputerUse['cacheOutcomes'][number]['usage']) => number) =>
    fake.cacheOutcomes.reduce((total, o) => total + pick(o.usage), 0);
  const read = sum((u) => u.cache_read_input_tokens);
  const written = sum((u) => u.cache_creation_input_tokens);
  return {
    input_tokens: sum((u) => u.input_tokens) + read + written,
    cached_input_tokens: read,
    cache_write_tokens: written,
    output_tokens: FakeClaudeComputerUse.OUTPUT_TOKENS * fake.cacheOutcomes.length,
    reasoning_tokens: 0,
  };
}

// Every provider's fake and server, started side by side; each test runs the task on one.
const started = new Map<string, { fake: FakeEndpoint<object>; server: ServerHandle; scrollY: number }>();

before(async () => {
  await Promise.all(
    cases.map(async ({ provider, setup }) => {
      const { fake, args, env, scrollY } = await setup();
      started.set(provider, { fake, server: await startServer(args, { ...CLEAN, ...env }), scrollY });
    }),
  );
});

after(async () => {
  await Promise.all([...started.values()].map(({ server }) => server.close()));
  await Promise.all([...started.values()].map(({ fake }) => fake.stop()));
  await fixture.stop();
});

for (const { provider, reply } of cases) {
  test(`run_task passes the fixture task on ${provider}`, async () => {
    const { fake, server, scrollY } = started.get(provider)!;
    const result = await server.ok('run_task', { task: TASK, start_url: fixture.url('/') });
    assert.deepEqual(fake.violations, []);
    assert.equal(result.structuredContent.status, 'completed', textOf(result));
    assert.equal(result.structuredContent.message, 'done');
    const state = fixture.state();
    assert.equal(state.clicks, 1, 'Send was pressed once');
    assert.equal(state.value, 'world', 'the field holds only "world": select-all worked');
    assert.equal(state.scrollY, scrollY);
    assert.equal(fake.remaining, 0, 'every scripted turn was used');

    // The run's usage: every reply's tokens, summed, in the result, its text, run.json and report.html.
    const usage = result.structuredContent.usage as Record<string, number>;
    const requests = fake.received.length;
    const { requests: counted, model_ms, cost_usd, ...tokens } = usage;
    assert.equal(counted, requests);
    assert.ok(model_ms! >= 0);
    assert.deepEqual(tokens, fake instanceof FakeClaudeComputerUse ? anthropicTokens(fake) : times(reply!, requests));
    if (provider === 'openai') {
      // 4 replies of 200 fresh, 1000 cached and 80 output tokens at 2, 0.5 and 10 USD per million.
      assert.equal(cost_usd, (4 * 200 * 2 + 4 * 1000 * 0.5 + 4 * 80 * 10) / 1e6);
      assert.match(
        textOf(result),
        /Usage: 4,800 input tokens \(4,000 cached\), 320 output \(120 reasoning\); 4 model request\(s\), model time [\d.]+ s; estimated cost \$0\.0068/,
      );
    } else assert.equal(cost_usd, undefined, 'no prices, no cost');
    const report = String(result.structuredContent.report);
    const record = JSON.parse(fs.readFileSync(path.join(path.dirname(report), 'run.json'), 'utf8')) as { usage: unknown };
    assert.deepEqual(record.usage, usage);
    assert.match(fs.readFileSync(report, 'utf8'), /Usage: [\d,]+ input tokens/);
    const later = await server.ok('get_run', { session_id: result.structuredContent.session_id });
    assert.deepEqual(later.structuredContent.usage, usage);
  });
}
