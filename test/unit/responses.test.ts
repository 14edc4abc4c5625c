import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { ResponsesTranslator } from '../../src/providers/openai/responses.js';
import { ranTurn, screenInput, translatorContext } from '../helpers/translator-fixtures.js';

// The Responses API computer tool, both generations, as the reference documents its items:
// what the translator sends, what it reads from a reply, and the input it answers with.
const client = new OpenAI({ apiKey: 'never-sent', baseURL: 'http://127.0.0.1:9/v1' });
const translator = (model: string, argv: string[] = [], extra = {}) =>
  new ResponsesTranslator(async () => client, translatorContext(model, argv, extra));
const FIRST = screenInput('first screen');
const NEXT = screenInput('next screen', 'https://shop.example/cart');

const previewCall = (action: unknown, pending_safety_checks: unknown[] = []) => ({
  id: 'resp_1',
  output: [
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'The Add button adds the item.' }] },
    { type: 'computer_call', id: 'cu_1', call_id: 'call_1', status: 'completed', action, pending_safety_checks },
  ],
  usage: {
    input_tokens: 1200,
    input_tokens_details: { cached_tokens: 1000 },
    output_tokens: 80,
    output_tokens_details: { reasoning_tokens: 64 },
  },
});

test('preview tool: the first request declares computer_use_preview at the display size, with truncation auto and the navigation functions', () => {
  const t = translator('computer-use-preview');
  assert.equal(t.generation, 'preview');
  assert.equal(t.ready, false);
  t.start('Add a mug to the cart', FIRST);
  assert.equal(t.ready, true);
  const body = t.request();
  assert.equal(body.model, 'computer-use-preview');
  assert.deepEqual(body.tools?.[0], { type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'browser' });
  assert.deepEqual(
    body.tools?.slice(1).map((tool) => (tool as { name: string }).name),
    ['goto', 'back', 'forward'],
  );
  assert.equal(body.truncation, 'auto');
  assert.deepEqual(body.reasoning, { summary: 'concise' });
  assert.deepEqual(body.input, [
    {
      role: 'user',
      content: [
        { type: 'input_text', text: 'Add a mug to the cart' },
        { type: 'input_image', image_url: FIRST.dataUrl, detail: 'auto' },
      ],
    },
  ]);
  assert.equal(body.previous_response_id, undefined);
});

test('preview tool: a computer_call is read into one action, its reasoning and usage; the answer chains on previous_response_id with current_url', () => {
  const t = translator('computer-use-preview');
  t.start('Add a mug to the cart', FIRST);
  const reply = t.read(previewCall({ type: 'click', x: 135, y: 193, button: 'left' }));
  assert.equal(reply.id, 'resp_1');
  assert.deepEqual(reply.reasoning, ['The Add button adds the item.']);
  assert.equal(reply.message, undefined);
  assert.deepEqual(reply.problems, []);
  assert.equal(reply.calls.length, 1);
  assert.deepEqual(reply.calls[0], {
    callId: 'call_1',
    actions: [{ type: 'click', x: 135, y: 193, button: 'left' }],
    descriptions: ['click 135,193'],
    checks: [],
  });
  assert.deepEqual(reply.usage, {
    input_tokens: 1200,
    cached_input_tokens: 1000,
    cache_write_tokens: 0,
    output_tokens: 80,
    reasoning_tokens: 64,
  });
  assert.equal(t.ready, false);

  t.answer(ranTurn(reply.calls, NEXT));
  const next = t.request();
  assert.equal(next.previous_response_id, 'resp_1');
  assert.deepEqual(next.input, [
    {
      type: 'computer_call_output',
      call_id: 'call_1',
      output: { type: 'computer_screenshot', image_url: NEXT.dataUrl },
      current_url: 'https://shop.example/cart',
    },
  ]);
});

test('pending safety checks are read with the call, and acknowledged in the answer only once a person approved', () => {
  const check = { id: 'cu_sc_1', code: 'malicious_instructions', message: 'The page contains instructions to the agent.' };
  const t = translator('computer-use-preview');
  t.start('Add a mug to the cart', FIRST);
  const { calls } = t.read(previewCall({ type: 'type', text: 'mug' }, [check]));
  assert.deepEqual(calls[0]!.checks, [check]);
  t.answer(ranTurn(calls, NEXT, true));
  assert.deepEqual((t.request().input as Array<{ acknowledged_safety_checks?: unknown }>)[0]!.acknowledged_safety_checks, [check]);
});

test('GA tool: the bare computer tool without truncation; a batch of actions is read in order and answered without current_url', () => {
  const t = translator('gpt-5.4');
  assert.equal(t.generation, 'ga');
  t.start('Search for mugs', FIRST);
  const body = t.request();
  assert.deepEqual(body.tools?.[0], { type: 'computer' });
  assert.equal(body.truncation, undefined);
  assert.equal(body.parallel_tool_calls, false);
  assert.deepEqual(body.reasoning, { summary: 'auto' });
  const actions = [
    { type: 'click', x: 40, y: 20, button: 'left' },
    { type: 'type', text: 'mugs' },
    { type: 'keypress', keys: ['ENTER'] },
  ];
  const reply = t.read({
    id: 'resp_ga',
    output: [{ type: 'computer_call', id: 'cu_1', call_id: 'call_ga', status: 'completed', actions, pending_safety_checks: [] }],
  });
  assert.deepEqual(reply.calls[0]!.actions, actions);
  assert.deepEqual(reply.calls[0]!.descriptions, ['click 40,20', 'type "mugs"', 'keypress ENTER']);
  t.answer(ranTurn(reply.calls, NEXT));
  assert.deepEqual(t.request().input, [
    { type: 'computer_call_output', call_id: 'call_ga', output: { type: 'computer_screenshot', image_url: NEXT.dataUrl } },
  ]);
});

test('--tool-generation overrides the guess from the model name', () => {
  assert.equal(translator('my-deployment', ['--tool-generation', 'preview']).generation, 'preview');
  assert.equal(translator('computer-use-preview', ['--tool-generation', 'ga']).generation, 'ga');
});

test('a desktop session: the preview tool says linux, and no navigation functions are offered', () => {
  const t = translator('computer-use-preview', [], { environment: 'desktop' });
  t.start('Open the editor', screenInput('desktop', undefined));
  const { tools } = t.request();
  assert.deepEqual(tools, [{ type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'linux' }]);
});

test('goto, back and forward function calls become navigation; each is answered with what it did and the screenshot', () => {
  const t = translator('computer-use-preview');
  t.start('Open the cart', FIRST);
  const reply = t.read({
    id: 'resp_nav',
    output: [
      { type: 'function_call', id: 'fc_1', call_id: 'call_goto', name: 'goto', arguments: '{"url":"https://shop.example/cart"}' },
      { type: 'function_call', id: 'fc_2', call_id: 'call_back', name: 'back', arguments: '{}' },
    ],
  });
  assert.deepEqual(
    reply.calls.map((c) => c.actions),
    [[{ type: 'navigate', url: 'https://shop.example/cart' }], [{ type: 'history', direction: 'back' }]],
  );
  assert.deepEqual(
    reply.calls.map((c) => c.descriptions),
    [['goto https://shop.example/cart'], ['back']],
  );
  t.answer({
    outcomes: [{ call: reply.calls[0]!, text: 'went to https://shop.example/cart' }, { call: reply.calls[1]! }],
    screen: NEXT,
    acknowledged: false,
  });
  const output = (text: string) => [
    { type: 'input_text', text },
    { type: 'input_image', image_url: NEXT.dataUrl, detail: 'auto' },
  ];
  assert.deepEqual(t.request().input, [
    { type: 'function_call_output', call_id: 'call_goto', output: output('went to https://shop.example/cart') },
    { type: 'function_call_output', call_id: 'call_back', output: output('Not run: the run was cancelled') },
  ]);
});

test('an unknown function or a point off the screen is a problem of its call, told back to the model', () => {
  const t = translator('computer-use-preview');
  t.start('Add a mug to the cart', FIRST);
  const reply = t.read({
    id: 'resp_bad',
    output: [
      {
        type: 'computer_call',
        id: 'cu_1',
        call_id: 'call_off',
        status: 'completed',
        action: { type: 'click', x: 5000, y: 10, button: 'left' },
        pending_safety_checks: [],
      },
      { type: 'function_call', id: 'fc_1', call_id: 'call_fn', name: 'reload', arguments: '{}' },
    ],
  });
  assert.equal(reply.calls.length, 2);
  assert.match(reply.calls[0]!.problem!, /5000/);
  assert.match(reply.calls[1]!.problem!, /there is no function "reload"; the functions are goto\(url\), back\(\) and forward\(\)/);
  assert.deepEqual(reply.problems, [reply.calls[0]!.problem, reply.calls[1]!.problem]);
  t.answer(ranTurn(reply.calls, NEXT));
  const input = t.request().input as Array<{ type?: string; role?: string; content?: unknown; output?: unknown }>;
  assert.equal(input[0]!.type, 'computer_call_output');
  assert.deepEqual((input[1]!.output as Array<{ text?: string }>)[0]!.text, `Not run: ${reply.calls[1]!.problem}`);
  assert.deepEqual(input[2], { role: 'user', content: `computer_call call_off was not run: ${reply.calls[0]!.problem}` });
});

test('an action the protocol does not know is a problem, not a crash; a reply with only a message is the answer', () => {
  const t = translator('computer-use-preview');
  t.start('Add a mug to the cart', FIRST);
  const bad = t.read(previewCall({ type: 'teleport', x: 1, y: 1 }));
  assert.match(bad.calls[0]!.problem!, /^action 1 \{"type":"teleport","x":1,"y":1\} is not valid/);
  assert.deepEqual(bad.calls[0]!.actions, []);
  t.retry('Your last reply could not be used.');
  assert.deepEqual(t.request().input, [{ role: 'user', content: 'Your last reply could not be used.' }]);
  const done = t.read({
    id: 'resp_done',
    output: [
      {
        type: 'message',
        id: 'msg_1',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'The mug is in the cart.', annotations: [] }],
      },
    ],
  });
  assert.deepEqual(done.calls, []);
  assert.equal(done.message, 'The mug is in the cart.');
});

test('--history local resends every item with store false and encrypted reasoning, never previous_response_id', () => {
  const t = translator('computer-use-preview', ['--history', 'local']);
  t.start('Add a mug to the cart', FIRST);
  const first = t.request();
  assert.equal(first.store, false);
  assert.deepEqual(first.include, ['reasoning.encrypted_content']);
  const response = previewCall({ type: 'click', x: 135, y: 193, button: 'left' });
  const { calls } = t.read(response);
  t.answer(ranTurn(calls, NEXT));
  const second = t.request();
  assert.equal(second.previous_response_id, undefined);
  const input = second.input as unknown[];
  assert.deepEqual(input.slice(0, 1), first.input);
  assert.deepEqual(input.slice(1, 3), response.output);
  assert.equal((input[3] as { type: string }).type, 'computer_call_output');
});

test("a response that carries an error fails the turn with the model's words", () => {
  const t = translator('computer-use-preview');
  t.start('Add a mug to the cart', FIRST);
  assert.throws(
    () => t.read({ id: 'resp_err', output: [], error: { code: 'server_error', message: 'The model had a problem.' } }),
    /The model answered with an error: server_error: The model had a problem\./,
  );
});
