import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { claudeImageSize, scaledScreen, MAX_LONG_EDGE, MAX_PIXELS } from '../../src/providers/anthropic/claude-screen.js';
import { AnthropicTranslator, anthropicToolFor } from '../../src/providers/anthropic/translator.js';
import { ranTurn, screenInput, translatorContext } from '../helpers/translator-fixtures.js';

// Claude's computer tool (Messages API, beta), as the reference documents it: the tool version a
// model takes, the screenshot size Claude is told, tool_use blocks read into actions, tool_result answers.
const noClient = () => Promise.reject(new Error('a unit test sends no request'));
const translator = (model = 'claude-sonnet-4-6', argv: string[] = [], display = { width: 1024, height: 768 }) =>
  new AnthropicTranslator(noClient, translatorContext(model, argv, { display }));
const toolUse = (id: string, input: Record<string, unknown>, name = 'computer') => ({ type: 'tool_use', id, name, input });
const message = (content: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content,
  stop_reason: 'tool_use',
  usage: { input_tokens: 100, cache_read_input_tokens: 2000, cache_creation_input_tokens: 300, output_tokens: 40 },
  ...extra,
});

test('anthropicToolFor: computer_20251124 for Opus 4.5 and every 4.6 or later, computer_20250124 before; the option overrides', () => {
  const cases: Array<[string, string]> = [
    ['claude-sonnet-4-6', 'computer_20251124'],
    ['claude-opus-4-6', 'computer_20251124'],
    ['claude-opus-4-5-20251101', 'computer_20251124'],
    ['claude-sonnet-4-5-20250929', 'computer_20250124'],
    ['claude-haiku-4-5', 'computer_20250124'],
    ['claude-opus-4-1', 'computer_20250124'],
    // A date is no minor version: Sonnet 4 (May 2025) is 4.0.
    ['claude-sonnet-4-20250514', 'computer_20250124'],
    ['claude-3-7-sonnet-20250219', 'computer_20250124'],
    ['claude-sonnet-5', 'computer_20251124'],
    ['my-proxy-model', 'computer_20250124'],
  ];
  for (const [model, tool] of cases) assert.equal(anthropicToolFor(model, 'auto'), tool, model);
  assert.equal(anthropicToolFor('claude-sonnet-4-6', 'computer_20250124'), 'computer_20250124');
  assert.equal(anthropicToolFor('claude-opus-4-1', 'computer_20251124'), 'computer_20251124');
});

test("claudeImageSize: common larger screens go to the reference harness's sizes, others are fitted within the limits, small ones are left alone", () => {
  assert.deepEqual(claudeImageSize({ width: 1920, height: 1080 }), { width: 1366, height: 768 });
  assert.deepEqual(claudeImageSize({ width: 2560, height: 1600 }), { width: 1280, height: 800 });
  assert.deepEqual(claudeImageSize({ width: 1600, height: 1200 }), { width: 1024, height: 768 });
  assert.deepEqual(claudeImageSize({ width: 1280, height: 800 }), { width: 1280, height: 800 });
  assert.deepEqual(claudeImageSize({ width: 1024, height: 768 }), { width: 1024, height: 768 });
  assert.deepEqual(claudeImageSize({ width: 800, height: 600 }), { width: 800, height: 600 });
  for (const screen of [
    { width: 3000, height: 1000 },
    { width: 1500, height: 1500 },
    { width: 1000, height: 4000 },
  ]) {
    const size = claudeImageSize(screen);
    assert.ok(
      Math.max(size.width, size.height) <= MAX_LONG_EDGE && size.width * size.height <= MAX_PIXELS,
      `${JSON.stringify(screen)} → ${JSON.stringify(size)}`,
    );
    assert.ok(Math.abs(size.width / size.height - screen.width / screen.height) < 0.01, 'the aspect ratio is kept');
  }
});

test("scaledScreen: the screenshot is resized to Claude's size, and left as it is when it already fits", async () => {
  const data = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png()
    .toBuffer();
  const screen = {
    shot: { data, mimeType: 'image/png' as const, width: 1920, height: 1080 },
    dataUrl: `data:image/png;base64,${data.toString('base64')}`,
    url: 'https://shop.example/',
  };
  const scaled = await scaledScreen(screen, { width: 1366, height: 768 });
  assert.deepEqual({ width: scaled.shot.width, height: scaled.shot.height }, { width: 1366, height: 768 });
  const meta = await sharp(scaled.shot.data).metadata();
  assert.deepEqual({ width: meta.width, height: meta.height, format: meta.format }, { width: 1366, height: 768, format: 'png' });
  assert.equal(scaled.dataUrl, `data:image/png;base64,${scaled.shot.data.toString('base64')}`);
  assert.equal(scaled.url, 'https://shop.example/');
  assert.equal(await scaledScreen(screen, { width: 1920, height: 1080 }), screen);
});

test("the request declares the tool at Claude's size with its beta, caches the system prompt and the newest user message", () => {
  const t = translator('claude-sonnet-4-6', [], { width: 1920, height: 1080 });
  assert.deepEqual(t.size, { width: 1366, height: 768 });
  const first = screenInput('first', 'https://shop.example/', t.size);
  t.start('Add a mug to the cart', first);
  const body = t.request();
  assert.equal(body.model, 'claude-sonnet-4-6');
  assert.deepEqual(body.tools, [
    { type: 'computer_20251124', name: 'computer', display_width_px: 1366, display_height_px: 768, enable_zoom: true },
  ]);
  assert.deepEqual(body.betas, ['computer-use-2025-11-24']);
  const system = body.system as Array<{ text: string; cache_control?: unknown }>;
  assert.match(system[0]!.text, /Screenshots are 1366x768 pixels/);
  assert.deepEqual(system[0]!.cache_control, { type: 'ephemeral' });
  assert.deepEqual(body.messages, [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Add a mug to the cart' },
        {
          type: 'image',
          source: { type: 'base64', media_type: 'image/png', data: first.shot.data.toString('base64') },
          cache_control: { type: 'ephemeral' },
        },
      ],
    },
  ]);
  const older = translator('claude-sonnet-4-5');
  older.start('task', screenInput('first'));
  assert.deepEqual(older.request().tools, [
    { type: 'computer_20250124', name: 'computer', display_width_px: 1024, display_height_px: 768 },
  ]);
  assert.deepEqual(older.request().betas, ['computer-use-2025-01-24']);
});

test("tool_use blocks are read into actions, mapped from Claude's pixels to the screen; text beside them is narration", () => {
  const t = translator('claude-sonnet-4-6', [], { width: 1920, height: 1080 });
  t.start('Add a mug to the cart', screenInput('first', 'https://shop.example/', t.size));
  const reply = t.read(
    message([
      { type: 'text', text: 'I will select the search box and search.' },
      toolUse('toolu_1', { action: 'left_click', coordinate: [683, 384] }),
      toolUse('toolu_2', { action: 'key', text: 'ctrl+a Delete' }),
      toolUse('toolu_3', { action: 'scroll', coordinate: [683, 384], scroll_direction: 'down', scroll_amount: 5 }),
      toolUse('toolu_4', { action: 'type', text: 'mug' }),
    ]),
  );
  assert.deepEqual(reply.reasoning, ['I will select the search box and search.']);
  assert.equal(reply.message, undefined);
  assert.deepEqual(
    reply.calls.map((c) => c.actions),
    [
      [{ type: 'click', button: 'left', x: 960, y: 540, keys: [] }],
      [
        { type: 'keypress', keys: ['ctrl', 'a'] },
        { type: 'keypress', keys: ['Delete'] },
      ],
      [{ type: 'scroll', x: 960, y: 540, scroll_x: 0, scroll_y: 500, keys: [] }],
      [{ type: 'type', text: 'mug' }],
    ],
  );
  assert.deepEqual(reply.usage, {
    input_tokens: 2400,
    cached_input_tokens: 2000,
    cache_write_tokens: 300,
    output_tokens: 40,
    reasoning_tokens: 0,
  });
});

test("the answer is one tool_result per tool_use, with the screenshot; cursor_position is answered with the pointer in Claude's pixels", () => {
  const t = translator();
  t.start('task', screenInput('first'));
  const reply = t.read(
    message([
      toolUse('toolu_move', { action: 'mouse_move', coordinate: [300, 200] }),
      toolUse('toolu_where', { action: 'cursor_position' }),
    ]),
  );
  assert.deepEqual(reply.calls[1]!.descriptions, ['cursor_position']);
  const next = screenInput('next');
  t.answer(ranTurn(reply.calls, next));
  const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: next.shot.data.toString('base64') } };
  const messages = t.request().messages;
  assert.deepEqual(messages.at(-1), {
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: 'toolu_move', content: [image] },
      {
        type: 'tool_result',
        tool_use_id: 'toolu_where',
        content: [{ type: 'text', text: 'X=300,Y=200' }, image],
        cache_control: { type: 'ephemeral' },
      },
    ],
  });
});

test('a malformed tool_use is a problem of its call, answered as an error tool_result', () => {
  const t = translator();
  t.start('task', screenInput('first'));
  const reply = t.read(
    message([
      toolUse('toolu_bad', { action: 'left_click', coordinate: [5000, 10] }),
      toolUse('toolu_other', { action: 'screenshot' }, 'browser'),
    ]),
  );
  assert.match(reply.calls[0]!.problem!, /5000/);
  assert.equal(reply.calls[1]!.problem, 'there is no tool "browser"; use the computer tool');
  assert.equal(reply.problems.length, 2);
  t.answer(ranTurn(reply.calls, screenInput('next')));
  const results = t.request().messages.at(-1)!.content as Array<{
    tool_use_id: string;
    is_error?: boolean;
    content: Array<{ type: string; text?: string }>;
  }>;
  assert.deepEqual(
    results.map((r) => [r.tool_use_id, r.is_error, r.content[0]!.text]),
    [
      ['toolu_bad', true, reply.calls[0]!.problem],
      ['toolu_other', true, reply.calls[1]!.problem],
    ],
  );
});

test('text alone is the answer; a refusal says so', () => {
  const t = translator();
  t.start('task', screenInput('first'));
  assert.equal(
    t.read(message([{ type: 'text', text: 'The mug is in the cart.' }], { stop_reason: 'end_turn' })).message,
    'The mug is in the cart.',
  );
  t.retry('go on');
  assert.equal(t.read(message([], { stop_reason: 'refusal' })).message, 'Refused: the model declined to go on.');
});
