import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { parseActionText, smartResize, TextActionTranslator } from '../../src/providers/openai-compatible/text-actions.js';
import { ranTurn, screenInput, translatorContext } from '../helpers/translator-fixtures.js';

// UI-TARS's text actions on a Chat Completions server, as its grammar writes them:
// `Thought: ...` then `Action: name(key='value')`, points in the image its processor resized.
const client = new OpenAI({ apiKey: 'never-sent', baseURL: 'http://127.0.0.1:9/v1' });
const translator = (argv: string[] = []) =>
  new TextActionTranslator(async () => client, translatorContext('ByteDance-Seed/UI-TARS-1.5-7B', argv));
const completion = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
  usage: { prompt_tokens: 900, completion_tokens: 30, total_tokens: 930 },
});

test('parseActionText: calls after Action:, quoted values with escapes, several calls in a row', () => {
  assert.deepEqual(parseActionText("Thought: click the box\nAction: click(start_box='<|box_start|>(100,200)<|box_end|>')"), [
    { name: 'click', args: { start_box: '<|box_start|>(100,200)<|box_end|>' } },
  ]);
  assert.deepEqual(parseActionText(String.raw`Action: type(content='it\'s a \"mug\"\n')`), [
    { name: 'type', args: { content: 'it\'s a "mug"\n' } },
  ]);
  assert.deepEqual(parseActionText("Action: hotkey(key=\"ctrl a\")\n\nscroll(start_box='(5,5)', direction='down')"), [
    { name: 'hotkey', args: { key: 'ctrl a' } },
    { name: 'scroll', args: { start_box: '(5,5)', direction: 'down' } },
  ]);
  assert.deepEqual(parseActionText('Action: wait()'), [{ name: 'wait', args: {} }]);
});

test('parseActionText: what is malformed is said, for the model to be told', () => {
  assert.throws(() => parseActionText('Thought: nothing to do'), /the reply has no "Action:" line/);
  assert.throws(() => parseActionText('Action:   '), /"Action:" is followed by no action/);
  assert.throws(() => parseActionText("Action: click(start_box='(1,2)'"), /click\( is not closed/);
  assert.throws(() => parseActionText('Action: click(start_box=(1,2))'), /click: the value of start_box must be quoted/);
  assert.throws(() => parseActionText("Action: type(content='open"), /type: the value of content is not closed/);
  assert.throws(() => parseActionText('Action: 42'), /cannot read an action at "42": write name\(key='value'\)/);
});

test("smartResize: each side to a multiple of 28, within Qwen2.5-VL's pixel bounds", () => {
  assert.deepEqual(smartResize(1024, 768), { width: 1036, height: 756 });
  assert.deepEqual(smartResize(1920, 1080), { width: 1932, height: 1092 });
  assert.deepEqual(smartResize(100, 100), { width: 280, height: 280 });
  const large = smartResize(8000, 6000);
  assert.equal(large.width % 28, 0);
  assert.equal(large.height % 28, 0);
  assert.ok(large.width * large.height <= 16384 * 28 * 28, `${large.width}x${large.height} is within 16384 patches`);
  assert.ok(Math.abs(large.width / large.height - 8000 / 6000) < 0.02, 'the aspect ratio is kept');
});

test("the request is the grammar's prompt with the task and the screenshot, at temperature 0", () => {
  const t = translator();
  const first = screenInput('first');
  t.start('Add a mug to the cart', first);
  const body = t.request();
  assert.equal(body.model, 'ByteDance-Seed/UI-TARS-1.5-7B');
  assert.equal(body.temperature, 0);
  const [prompt, image] = body.messages[0]!.content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
  assert.match(prompt!.text!, /## Action Space\n/);
  assert.match(prompt!.text!, /## User Instruction\nAdd a mug to the cart$/);
  assert.deepEqual(image, { type: 'image_url', image_url: { url: first.dataUrl } });
});

test('absolute points are in the smart-resized image and map back to the screen; a trailing newline in type submits', () => {
  const t = translator();
  t.start('Search for mugs', screenInput('first'));
  const reply = t.read(
    completion(
      "Thought: The search box is at the top.\nAction: click(start_box='<|box_start|>(518,378)<|box_end|>')\ntype(content='mugs\\n')",
    ),
  );
  assert.deepEqual(reply.reasoning, ['The search box is at the top.']);
  assert.deepEqual(reply.calls[0]!.actions, [
    { type: 'click', button: 'left', x: 512, y: 384, keys: [] },
    { type: 'type', text: 'mugs' },
    { type: 'keypress', keys: ['Enter'] },
  ]);
  assert.deepEqual(reply.usage, {
    input_tokens: 900,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 30,
    reasoning_tokens: 0,
  });
  const next = screenInput('next');
  t.answer(ranTurn(reply.calls, next));
  assert.deepEqual(t.request().messages.at(-1), { role: 'user', content: [{ type: 'image_url', image_url: { url: next.dataUrl } }] });
});

test('--text-action-coordinates relative reads points on a 0-1000 grid; a box is read as its centre', () => {
  const t = translator(['--text-action-coordinates', 'relative']);
  t.start('task', screenInput('first'));
  const reply = t.read(completion("Action: left_double(start_box='(400,400,600,600)')\nscroll(direction='up')"));
  assert.deepEqual(reply.calls[0]!.actions, [
    { type: 'double_click', x: 512, y: 384, keys: [] },
    { type: 'scroll', x: 512, y: 384, scroll_x: 0, scroll_y: -500, keys: [] },
  ]);
});

test('finished(content) is the answer; call_user asks the person', () => {
  const t = translator();
  t.start('task', screenInput('first'));
  assert.equal(
    t.read(completion("Thought: Done.\nAction: finished(content='The mug is in the cart.')")).message,
    'The mug is in the cart.',
  );
  t.retry('go on');
  assert.equal(t.read(completion('Action: call_user()')).message, 'The model asks for your help.');
});

test('malformed output is a problem told back with the grammar; an action the grammar lacks names the action space', () => {
  const t = translator();
  t.start('task', screenInput('first'));
  const unreadable = t.read(completion('I think I should click the button.'));
  assert.deepEqual(unreadable.calls, []);
  assert.deepEqual(unreadable.problems, ['the reply has no "Action:" line']);
  t.retry('Your last reply could not be used.');
  assert.deepEqual(t.request().messages.at(-1), {
    role: 'user',
    content: 'Your last reply could not be used.\nAnswer as:\nThought: ...\nAction: ...',
  });
  const unknown = t.read(completion("Action: teleport(start_box='(1,1)')"));
  assert.equal(unknown.calls[0]!.problem, 'unknown action teleport(); use one of the Action Space');
  t.answer(ranTurn(unknown.calls, screenInput('next')));
  const content = t.request().messages.at(-1)!.content as Array<{ type: string; text?: string }>;
  assert.equal(content[0]!.text, 'Your action was not run: unknown action teleport(); use one of the Action Space');
});
