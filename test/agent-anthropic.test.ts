import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { agentFixture } from './helpers/agent-fixture.js';
import { FakeClaudeComputerUse, toolResults } from './helpers/fake-claude-computer-use.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';
import { NAME, SEND, taskFixture } from './helpers/task-fixture.js';

// Claude's computer tool (Anthropic Messages API) against a strict fake, through the real @anthropic-ai/sdk.
const DISPLAY = { width: 1024, height: 768 };
const fixture = await taskFixture();
/** A page that reports nothing back (typing only changes the title): the 50-turn run spends its time in its turns, not in reports. */
const quiet = await agentFixture();
const fakes: FakeClaudeComputerUse[] = [];
const servers: ServerHandle[] = [];

async function fake(options: Partial<ConstructorParameters<typeof FakeClaudeComputerUse>[0]> = {}): Promise<FakeClaudeComputerUse> {
  const started = await new FakeClaudeComputerUse({
    display: DISPLAY,
    model: 'claude-sonnet-4-6',
    tool: 'computer_20251124',
    beta: 'computer-use-2025-11-24',
    apiKey: 'sk-ant-test',
    ...options,
  }).start();
  fakes.push(started);
  return started;
}

async function server(endpoint: FakeClaudeComputerUse, args: string[] = []): Promise<ServerHandle> {
  const started = await startServer(args, {
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: endpoint.origin,
    OPENAI_API_KEY: '',
    AZURE_OPENAI_ENDPOINT: '',
    CUA_MODEL_RETRIES: '1',
  });
  servers.push(started);
  return started;
}

// Each fake with the server that talks to it; the servers start side by side.
const [claude, wide, wxga, confirming] = await Promise.all([
  fake(),
  fake({ display: { width: 1366, height: 768 } }),
  fake({ display: { width: 1280, height: 800 }, tool: 'computer_20250124', beta: 'computer-use-2025-01-24', model: 'claude-sonnet-4-5' }),
  // Also: --anthropic-tool picks the older tool version and its beta for a model that would get the newer one.
  fake({ tool: 'computer_20250124', beta: 'computer-use-2025-01-24' }),
]);
let mcp: ServerHandle;
let big: ServerHandle;
let mcp1280: ServerHandle;
let held: ServerHandle;

before(async () => {
  [mcp, big, mcp1280, held] = await Promise.all([
    server(claude),
    server(wide, ['--display-size', '1920x1080']),
    server(wxga, ['--display-size', '1280x800', '--model', 'claude-sonnet-4-5']),
    server(confirming, ['--confirm-actions', 'type', '--anthropic-tool', 'computer_20250124']),
  ]);
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(fakes.map((f) => f.stop()));
  await fixture.stop();
  await quiet.stop();
});

const at = (p: { x: number; y: number }) => [p.x, p.y];

test('a scripted Claude clicks, types, presses ctrl+a and scrolls; the page reports the result', async () => {
  let cursorAnswer: unknown;
  claude.script([
    { content: [claude.text('I will press Send.'), claude.toolUse({ action: 'left_click', coordinate: at(SEND) })] },
    { content: [claude.toolUse({ action: 'left_click', coordinate: at(NAME) }), claude.toolUse({ action: 'type', text: 'hello' })] },
    { content: [claude.toolUse({ action: 'key', text: 'ctrl+a' })] },
    { content: [claude.toolUse({ action: 'type', text: 'world' })] },
    { content: [claude.toolUse({ action: 'scroll', coordinate: [500, 400], scroll_direction: 'down', scroll_amount: 3 })] },
    { content: [claude.toolUse({ action: 'cursor_position' })] },
    (request) => {
      cursorAnswer = [...toolResults(request).values()][0]!.content;
      return { content: [claude.text('Sent, typed "world" and scrolled.')] };
    },
  ]);
  const result = await mcp.ok('run_task', { task: 'press Send, write world in the field, scroll down', start_url: fixture.url('/') });
  assert.deepEqual(claude.violations, []);
  const s = result.structuredContent;
  assert.equal(s.status, 'completed', textOf(result));
  assert.equal(s.message, 'Sent, typed "world" and scrolled.');
  assert.deepEqual(s.actions, [
    'click 200,140',
    'click 250,270',
    'type "hello"',
    'keypress ctrl+a',
    'type "world"',
    'scroll 0,300 at 500,400',
  ]);
  assert.deepEqual(s.reasoning, ['I will press Send.']);
  const state = fixture.state();
  assert.equal(state.clicks, 1);
  assert.equal(state.value, 'world', 'ctrl+a selected "hello", which "world" replaced');
  assert.equal(state.scrollY, 300, 'scroll_amount 3 is 300 px');
  assert.deepEqual((cursorAnswer as Array<{ type: string; text?: string }>).find((c) => c.type === 'text')?.text, 'X=500,Y=400');
  assert.match(mcp.stderr(), /model provider: anthropic \(picked because ANTHROPIC_API_KEY is set/);
  const first = claude.received[0]!;
  const system = first.body.system as Array<{ type: string; text: string; cache_control?: unknown }>;
  assert.match(system[0]!.text, /web browser/);
  assert.deepEqual(
    system[0]!.cache_control,
    { type: 'ephemeral' },
    'the system prompt (and the tools before it) is the breakpoint every turn shares',
  );
});

test('every Claude action maps onto the computer: buttons, multi-clicks, held modifiers, button down/up, drags, held keys', async () => {
  claude.script([
    {
      content: [
        claude.toolUse({ action: 'right_click', coordinate: [600, 500] }),
        claude.toolUse({ action: 'middle_click', coordinate: [600, 500] }),
        claude.toolUse({ action: 'double_click', coordinate: [600, 500] }),
        claude.toolUse({ action: 'triple_click', coordinate: [600, 520] }),
        claude.toolUse({ action: 'left_click', coordinate: [600, 500], text: 'shift' }),
      ],
    },
    {
      content: [
        // A click on empty space first: the triple click's selection would turn the next drag into a drag-and-drop.
        claude.toolUse({ action: 'left_click', coordinate: [900, 700] }),
        claude.toolUse({ action: 'mouse_move', coordinate: [610, 510] }),
        claude.toolUse({ action: 'left_mouse_down' }),
        claude.toolUse({ action: 'mouse_move', coordinate: [650, 550] }),
        claude.toolUse({ action: 'left_mouse_up' }),
        claude.toolUse({ action: 'left_click_drag', start_coordinate: [300, 500], coordinate: [400, 520] }),
      ],
    },
    {
      content: [
        claude.toolUse({ action: 'hold_key', text: 'shift', duration: 0.2 }),
        claude.toolUse({ action: 'wait', duration: 0.1 }),
        claude.toolUse({ action: 'screenshot' }),
      ],
    },
    { content: [claude.text('done')] },
  ]);
  const result = await mcp.ok('run_task', { task: 'exercise the mouse', start_url: fixture.url('/') });
  assert.deepEqual(claude.violations, []);
  assert.equal(result.structuredContent.status, 'completed', textOf(result));
  const events = fixture.state().events;
  for (const expected of [
    'auxclick right 1 600,500',
    'auxclick middle 1 600,500',
    'dblclick left 2 600,500',
    'click left 3 600,520',
    'click left 1 600,500 shift',
    'mousedown left 1 610,510',
    'mouseup left 1 650,550',
    'mousedown left 1 300,500',
    'mouseup left 1 400,520',
    'keydown Shift',
  ]) {
    assert.ok(events.includes(expected), `${expected} in ${JSON.stringify(events)}`);
  }
  assert.deepEqual(result.structuredContent.actions, [
    'click right 600,500',
    'click wheel 600,500',
    'double_click 600,500',
    'triple_click 600,520',
    'click 600,500 +shift',
    'click 900,700',
    'move 610,510',
    'mouse_down left',
    'move 650,550',
    'mouse_up left',
    'drag 300,500 → 400,520',
    'hold_key shift 200ms',
    'wait 100ms',
    'screenshot',
  ]);
});

/** The image blocks a request carries, inside tool_result blocks too. */
function imagesIn(body: Record<string, unknown>): number {
  const blocks = (body.messages as Array<{ content: unknown }>).flatMap((m) =>
    Array.isArray(m.content) ? (m.content as Array<{ type: string; content?: unknown }>) : [],
  );
  return blocks.reduce(
    (n, b) =>
      n +
      (b.type === 'image' ? 1 : 0) +
      (Array.isArray(b.content) ? (b.content as Array<{ type: string }>).filter((c) => c.type === 'image').length : 0),
    0,
  );
}

test('a 50-turn run starts at least 80% of its requests with the prefix the previous one cached; old screenshots go in batches', async () => {
  const first = claude.cacheOutcomes.length;
  claude.script([
    { content: [claude.toolUse({ action: 'left_click', coordinate: at(NAME) })] },
    // The field grows by a letter a turn: every screenshot differs from the one before.
    ...Array.from({ length: 48 }, () => ({ content: [claude.toolUse({ action: 'type', text: 'a' })] })),
    { content: [claude.text('Typed 48 letters.')] },
  ]);
  const result = await mcp.ok('run_task', {
    task: 'type 48 letters into the field',
    start_url: quiet.url('/'),
    max_steps: 60,
    wait_seconds: 600,
  });
  assert.deepEqual(claude.violations, [], 'the fake took every request: at most 4 breakpoints, each {type: "ephemeral"}');
  assert.equal(result.structuredContent.status, 'completed', textOf(result));
  assert.equal(result.structuredContent.title, 'a'.repeat(48), 'the page mirrors the field into its title');
  const outcomes = claude.cacheOutcomes.slice(first);
  assert.equal(outcomes.length, 50);
  const hits = outcomes.slice(1).filter((o) => o.prefixHit).length;
  assert.ok(hits / 49 >= 0.8, `${hits} of 49 requests repeated the previous request's cached prefix`);
  // The newest 3 screenshots always; older ones dropped 10 at a time.
  const images = claude.received.map((r) => imagesIn(r.body));
  assert.equal(Math.max(...images), 12);
  assert.ok(
    images.slice(3).every((n) => n >= 3),
    JSON.stringify(images),
  );
  // What the model read came mostly from the cache, and the run reports it.
  const usage = result.structuredContent.usage as { input_tokens: number; cached_input_tokens: number };
  assert.ok(usage.cached_input_tokens / usage.input_tokens > 0.5, JSON.stringify(usage));
});

test('a 1920x1080 browser reaches Claude at 1366x768; its clicks land where it pointed, and zoom shows a region at full resolution', async () => {
  let zoom: Buffer | undefined;
  // SEND's centre (200,140) in Claude's pixels: 200 * 1366/1920 and 140 * 768/1080.
  wide.script([
    { content: [wide.toolUse({ action: 'zoom', region: [0, 0, 683, 384] })] },
    (request) => {
      const result = [...toolResults(request).values()][0]!;
      const image = (result.content as Array<{ type: string; source?: { data: string } }>).find((c) => c.type === 'image')!;
      zoom = Buffer.from(image.source!.data, 'base64');
      return { content: [wide.toolUse({ action: 'left_click', coordinate: [142, 100] })] };
    },
    { content: [wide.text('Pressed Send.')] },
  ]);
  const result = await big.ok('run_task', { task: 'press Send', start_url: fixture.url('/') });
  assert.deepEqual(wide.violations, []);
  assert.equal(result.structuredContent.status, 'completed', textOf(result));
  assert.deepEqual(result.structuredContent.actions, ['click 200,141']);
  assert.equal(fixture.state().clicks, 1);
  assert.ok(fixture.state().events.includes('click left 1 200,141'), JSON.stringify(fixture.state().events));
  // The top-left quarter (960x540 page pixels) fills the largest image Claude takes at that shape, and shows the button.
  const png = decodePng(zoom!);
  assert.deepEqual([png.width, png.height], [1365, 768]);
  const scale = 1365 / 960;
  assert.notDeepEqual(pixel(png, Math.round(200 * scale), Math.round(140 * scale)), [255, 255, 255], 'the Send button');
  assert.deepEqual(pixel(png, Math.round(600 * scale), Math.round(140 * scale)), [255, 255, 255], 'the page beside it');
});

test('a 1280x800 browser reaches Claude at 1280x800, the size it takes as it is', async () => {
  wxga.script([{ content: [wxga.toolUse({ action: 'left_click', coordinate: at(SEND) })] }, { content: [wxga.text('done')] }]);
  const result = await mcp1280.ok('run_task', { task: 'press Send', start_url: fixture.url('/') });
  assert.deepEqual(wxga.violations, [], 'every screenshot was 1280x800');
  assert.deepEqual(result.structuredContent.actions, ['click 200,140']);
  assert.equal(fixture.state().clicks, 1);
});

test('a malformed tool_use is answered with an error tool_result and the model recovers', async () => {
  claude.script([
    {
      content: [
        claude.toolUse({ action: 'teleport', coordinate: [1, 2] }),
        claude.toolUse({ action: 'left_click', coordinate: [5000, 1] }),
      ],
    },
    (request) => {
      const results = [...toolResults(request).values()];
      assert.ok(results.every((r) => r.is_error === true));
      const texts = results.map((r) => (r.content as Array<{ text?: string }>)[0]!.text);
      assert.match(texts[0]!, /unknown action "teleport"/);
      assert.match(texts[1]!, /outside the 1024x768 display/);
      return { content: [claude.text('I could not act.')] };
    },
  ]);
  const result = await mcp.ok('run_task', { task: 'do something odd', start_url: fixture.url('/') });
  assert.deepEqual(claude.violations, []);
  assert.equal(result.structuredContent.status, 'completed');
  assert.deepEqual(result.structuredContent.actions, []);
});

test('401 fails the run with the endpoint, the model and the variable to check', async () => {
  claude.script([{ status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } }]);
  const result = await mcp.call('run_task', { task: 'look', start_url: fixture.url('/') });
  assert.ok(result.isError);
  const text = textOf(result);
  assert.match(text, /Anthropic endpoint http:\/\/127\.0\.0\.1:\d+, model "claude-sonnet-4-6" answered 401: invalid x-api-key/);
  assert.match(text, /Check ANTHROPIC_API_KEY/);
});

test('--confirm-actions holds a flagged action for a person; approval runs it', async () => {
  confirming.script([
    { content: [confirming.toolUse({ action: 'left_click', coordinate: at(NAME) })] },
    { content: [confirming.toolUse({ action: 'type', text: 'secret' })] },
    { content: [confirming.text('typed')] },
  ]);
  const paused = await held.ok('run_task', { task: 'type the secret', start_url: fixture.url('/') });
  const s = paused.structuredContent;
  assert.equal(s.status, 'needs_confirmation');
  assert.deepEqual(s.pending_actions, ['type "secret"']);
  assert.deepEqual(s.pending_safety_checks, [
    {
      id: 'confirm_toolu_2',
      code: 'confirm_action',
      message: '--confirm-actions asks a person before every type.',
      rule: '--confirm-actions type',
    },
  ]);
  assert.equal(fixture.state().value, '', 'nothing was typed before approval');
  const approved = await held.ok('acknowledge_safety_check', { session_id: s.session_id, decision: 'approve' });
  assert.equal(approved.structuredContent.status, 'completed');
  assert.equal(fixture.state().value, 'secret');
  assert.deepEqual(confirming.violations, []);
});

test('the fake catches a wrong shape: a tool declared with another display size is refused', async () => {
  // The server declares 1024x768; the fake now expects 800x600.
  claude.options.display = { width: 800, height: 600 };
  try {
    claude.script([{ content: [claude.text('never')] }]);
    const result = await mcp.call('run_task', { task: 'look', start_url: fixture.url('/') });
    assert.ok(result.isError);
    assert.match(claude.violations.join('\n'), /tools .*"display_width_px":1024.*expected .*"display_width_px":800/);
    assert.match(claude.violations.join('\n'), /first screenshot is 1024x768, expected 800x600/);
  } finally {
    claude.options.display = DISPLAY;
    claude.violations.length = 0;
  }
});
