import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Content } from '@google/genai';
import { GeminiTranslator, SEARCH_PAGE } from '../../src/providers/gemini/translator.js';
import { ranTurn, screenInput, translatorContext } from '../helpers/translator-fixtures.js';

// Gemini computer use, as the reference documents it: predefined functions with points on a
// 0-999 grid, a safety_decision that asks first, function responses with the URL and the screenshot.
const noClient = () => Promise.reject(new Error('a unit test sends no request'));
const translator = (argv: string[] = [], instructions?: string) =>
  new GeminiTranslator(noClient, { ...translatorContext('gemini-2.5-computer-use-preview-10-2025', argv), instructions });
const FIRST = screenInput('first');
const NEXT = screenInput('next', 'https://shop.example/cart');
const reply = (parts: unknown[], id = 'gem_1') => ({
  responseId: id,
  candidates: [{ content: { role: 'model', parts } }],
  usageMetadata: { promptTokenCount: 1500, cachedContentTokenCount: 1000, candidatesTokenCount: 30, thoughtsTokenCount: 20 },
});
/** The contents of the next request. */
const contents = (t: GeminiTranslator) => t.request().contents as Content[];
const call = (name: string, args: Record<string, unknown>, id?: string) => ({ functionCall: { name, args, ...(id ? { id } : {}) } });

test('the request declares computer use in the browser, with the task and the first screenshot', () => {
  const t = translator([], 'Prefer the search box.');
  t.start('Add a mug to the cart', FIRST);
  const body = t.request();
  assert.equal(body.model, 'gemini-2.5-computer-use-preview-10-2025');
  assert.deepEqual(body.config, {
    tools: [{ computerUse: { environment: 'ENVIRONMENT_BROWSER' } }],
    systemInstruction: 'Prefer the search box.',
  });
  assert.deepEqual(body.contents, [
    {
      role: 'user',
      parts: [{ text: 'Add a mug to the cart' }, { inlineData: { mimeType: 'image/png', data: FIRST.shot.data.toString('base64') } }],
    },
  ]);
});

test('function calls are read into actions, grid points mapped to the screen; thoughts are reasoning', () => {
  const t = translator();
  t.start('Add a mug to the cart', FIRST);
  const read = t.read(
    reply([
      { text: 'The search box is at the top.', thought: true },
      call('click_at', { x: 500, y: 500 }),
      call('type_text_at', { x: 100, y: 50, text: 'mug' }),
      call('scroll_document', { direction: 'down' }),
      call('scroll_at', { x: 999, y: 0, direction: 'left', magnitude: 500 }),
      call('drag_and_drop', { x: 0, y: 0, destination_x: 250, destination_y: 750 }),
      call('key_combination', { keys: 'Control+A' }),
    ]),
  );
  assert.deepEqual(read.reasoning, ['The search box is at the top.']);
  assert.deepEqual(
    read.calls.map((c) => c.actions),
    [
      [{ type: 'click', button: 'left', x: 512, y: 384, keys: [] }],
      [
        { type: 'click', button: 'left', x: 102, y: 38, keys: [] },
        { type: 'keypress', keys: ['ctrl', 'a'] },
        { type: 'keypress', keys: ['Delete'] },
        { type: 'type', text: 'mug' },
        { type: 'keypress', keys: ['Enter'] },
      ],
      [{ type: 'scroll', x: 512, y: 384, scroll_x: 0, scroll_y: 614, keys: [] }],
      [{ type: 'scroll', x: 1022, y: 0, scroll_x: -512, scroll_y: 0, keys: [] }],
      [
        {
          type: 'drag',
          path: [
            { x: 0, y: 0 },
            { x: 256, y: 576 },
          ],
          keys: [],
        },
      ],
      [{ type: 'keypress', keys: ['Control', 'A'] }],
    ],
  );
  assert.deepEqual(read.problems, []);
  assert.deepEqual(read.usage, {
    input_tokens: 1500,
    cached_input_tokens: 1000,
    cache_write_tokens: 0,
    output_tokens: 50,
    reasoning_tokens: 20,
  });
});

test('navigate, search, go_back and go_forward are navigation; a bare host gets https', () => {
  const t = translator();
  t.start('task', FIRST);
  const read = t.read(
    reply([call('navigate', { url: 'shop.example/cart' }), call('search', {}), call('go_back', {}), call('go_forward', {})]),
  );
  assert.deepEqual(
    read.calls.map((c) => c.actions),
    [
      [{ type: 'navigate', url: 'https://shop.example/cart' }],
      [{ type: 'navigate', url: SEARCH_PAGE }],
      [{ type: 'history', direction: 'back' }],
      [{ type: 'history', direction: 'forward' }],
    ],
  );
});

test('wait_5_seconds is a 5 s wait; open_web_browser (the browser is open already) does nothing', () => {
  const t = translator();
  t.start('task', FIRST);
  const read = t.read(reply([call('open_web_browser', {}), call('wait_5_seconds', {})]));
  assert.deepEqual(read.problems, []);
  assert.deepEqual(
    read.calls.map((c) => c.actions),
    [[], [{ type: 'wait', ms: 5000 }]],
  );
  assert.deepEqual(
    read.calls.map((c) => c.descriptions),
    [['open_web_browser'], ['wait 5000ms']],
  );
});

test('require_confirmation holds the call; the answer carries the URL, the screenshot, and safety_acknowledgement once approved', () => {
  const t = translator();
  t.start('Buy the mug', FIRST);
  const read = t.read(
    reply([
      call(
        'click_at',
        { x: 500, y: 500, safety_decision: { decision: 'require_confirmation', explanation: 'This completes a purchase.' } },
        'fc_buy',
      ),
    ]),
  );
  assert.deepEqual(read.calls[0]!.checks, [{ id: 'fc_buy', code: 'require_confirmation', message: 'This completes a purchase.' }]);
  t.answer(ranTurn(read.calls, NEXT, true));
  assert.deepEqual(contents(t).at(-1), {
    role: 'user',
    parts: [
      {
        functionResponse: {
          name: 'click_at',
          id: 'fc_buy',
          response: { url: 'https://shop.example/cart', safety_acknowledgement: 'true' },
          parts: [{ inlineData: { mimeType: 'image/png', data: NEXT.shot.data.toString('base64') } }],
        },
      },
    ],
  });
});

test('an unknown function or a point off the grid is a problem of its call, answered with the error', () => {
  const t = translator();
  t.start('task', FIRST);
  const read = t.read(reply([call('open_terminal', {}), call('click_at', { x: 1200, y: 10 })]));
  assert.equal(read.calls[0]!.problem, 'open_terminal: there is no function "open_terminal"');
  assert.match(read.calls[1]!.problem!, /^click_at: .*must be 0-999/s);
  assert.equal(read.problems.length, 2);
  t.answer(ranTurn(read.calls, NEXT));
  const responses = (contents(t).at(-1)!.parts ?? []).map((p) => p.functionResponse?.response);
  assert.deepEqual(responses, [
    { url: 'https://shop.example/cart', error: read.calls[0]!.problem },
    { url: 'https://shop.example/cart', error: read.calls[1]!.problem },
  ]);
});

test('text without a function call is the answer; a blocked prompt is a problem', () => {
  const t = translator();
  t.start('task', FIRST);
  assert.equal(t.read(reply([{ text: 'The mug is in the cart.' }])).message, 'The mug is in the cart.');
  t.retry('go on');
  assert.deepEqual(t.read({ responseId: 'gem_2', promptFeedback: { blockReason: 'SAFETY' } }).problems, [
    'no candidate in the reply (blocked: SAFETY)',
  ]);
});
