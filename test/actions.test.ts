import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';

/**
 * The playground records every input it receives into window.log and shows
 * the log as the document title, which each result's structuredContent
 * carries: the test sees what a user of the tool would see.
 */
const PLAYGROUND = page(`
<button id="target" style="position:absolute;left:20px;top:20px;width:200px;height:60px">target</button>
<input id="text" style="position:absolute;left:20px;top:100px;width:300px;height:30px">
<div id="pad" style="position:absolute;left:400px;top:20px;width:300px;height:300px;background:#eee"></div>
<div id="pane" style="position:absolute;left:20px;top:200px;width:300px;height:200px;overflow:auto;background:#ddf">
  <div style="height:2000px;width:1500px">tall content</div>
</div>
<div id="hover" style="position:absolute;left:20px;top:450px;width:200px;height:100px;background:#fdd"></div>
<div style="height:3000px"></div>
<script>
  const log = [];
  const show = () => { document.title = JSON.stringify(log); };
  const mods = (e) => ['shift','ctrl','alt','meta'].filter((m) => e[m + 'Key']).join('+');
  const t = document.getElementById('target');
  t.addEventListener('mousedown', (e) => { log.push('down:' + e.button + (mods(e) ? ':' + mods(e) : '')); show(); });
  t.addEventListener('click', (e) => { log.push('click' + (mods(e) ? ':' + mods(e) : '')); show(); });
  t.addEventListener('auxclick', (e) => { log.push('auxclick:' + e.button); show(); e.preventDefault(); });
  t.addEventListener('contextmenu', (e) => { log.push('contextmenu'); show(); e.preventDefault(); });
  t.addEventListener('dblclick', (e) => { log.push('dblclick' + (mods(e) ? ':' + mods(e) : '')); show(); });
  document.getElementById('text').addEventListener('input', (e) => { log.push('value:' + e.target.value); show(); });
  const pad = document.getElementById('pad');
  let dragging = false; const path = [];
  pad.addEventListener('mousedown', (e) => { dragging = true; path.length = 0; path.push([e.clientX, e.clientY]); });
  pad.addEventListener('mousemove', (e) => { if (dragging) path.push([e.clientX, e.clientY]); });
  pad.addEventListener('mouseup', (e) => { dragging = false; log.push('drag:' + JSON.stringify(path) + (mods(e) ? ':' + mods(e) : '')); show(); });
  document.getElementById('pane').addEventListener('scroll', (e) => { log.push('pane:' + e.target.scrollLeft + ',' + e.target.scrollTop); show(); });
  window.addEventListener('scroll', () => { log.push('window:' + scrollY); show(); });
  document.getElementById('hover').addEventListener('mousemove', (e) => { log.push('move:' + e.clientX + ',' + e.clientY + (mods(e) ? ':' + mods(e) : '')); show(); });
  document.addEventListener('keydown', (e) => { if (e.target.id !== 'text') { log.push('key:' + e.key + (mods(e) ? ':' + mods(e) : '')); show(); } });
  show();
</script>`);

let server: ServerHandle;
let site: FixtureServer;

function titleLog(result: { structuredContent?: Record<string, unknown> }): string[] {
  return JSON.parse(String(result.structuredContent?.title)) as string[];
}

async function freshPlayground(): Promise<void> {
  await server.ok('navigate', { url: site.url('/') });
}

describe('computer actions', () => {
  before(async () => {
    site = await new FixtureServer({ '/': PLAYGROUND }).start();
    server = await startServer();
  });
  after(async () => {
    await server.close();
    await site.stop();
  });

  it('clicks with every mouse button', async () => {
    await freshPlayground();
    const result = await server.ok('computer', {
      actions: [
        { type: 'click', x: 100, y: 50 },
        { type: 'click', x: 100, y: 50, button: 'right' },
        { type: 'click', x: 100, y: 50, button: 'wheel' },
      ],
    });
    assert.deepEqual(titleLog(result), ['down:0', 'click', 'down:2', 'contextmenu', 'auxclick:2', 'down:1', 'auxclick:1']);
    assert.deepEqual(result.structuredContent.actions, ['click 100,50', 'click right 100,50', 'click wheel 100,50']);
  });

  it('double-clicks, and holds keys during a click', async () => {
    await freshPlayground();
    const result = await server.ok('computer', {
      actions: [
        { type: 'double_click', x: 100, y: 50 },
        { type: 'click', x: 100, y: 50, keys: ['SHIFT'] },
        { type: 'click', x: 100, y: 50, keys: ['ctrl', 'alt'] },
      ],
    });
    const log = titleLog(result);
    assert.ok(log.includes('dblclick'), `no dblclick in ${log}`);
    assert.ok(log.includes('click:shift'), `shift not held: ${log}`);
    assert.ok(log.includes('click:ctrl+alt'), `ctrl+alt not held: ${log}`);
    // Modifiers are released afterwards: the next plain click has none.
    const next = await server.ok('computer', { actions: [{ type: 'click', x: 100, y: 50 }] });
    assert.equal(titleLog(next).at(-1), 'click');
  });

  it('types, and ctrl+a then typing replaces the text', async () => {
    await freshPlayground();
    const result = await server.ok('computer', {
      actions: [
        { type: 'click', x: 150, y: 115 },
        { type: 'type', text: 'hello world' },
        { type: 'keypress', keys: ['CTRL', 'A'] },
        { type: 'type', text: 'Zürich 42' },
      ],
    });
    assert.equal(titleLog(result).at(-1), 'value:Zürich 42');
  });

  it('presses named keys and chords, releasing them in reverse', async () => {
    await freshPlayground();
    const result = await server.ok('computer', {
      actions: [
        { type: 'click', x: 800, y: 600 },
        { type: 'keypress', keys: ['esc'] },
        { type: 'keypress', keys: ['Return'] },
        { type: 'keypress', keys: ['ArrowLeft'] },
        { type: 'keypress', keys: ['F2'] },
        { type: 'keypress', keys: ['shift', 'tab'] },
        { type: 'keypress', keys: ['cmd', 'k'] },
      ],
    });
    const keys = titleLog(result).filter((e) => e.startsWith('key:'));
    assert.deepEqual(keys, [
      'key:Escape',
      'key:Enter',
      'key:ArrowLeft',
      'key:F2',
      'key:Shift:shift',
      'key:Tab:shift',
      'key:Meta:meta',
      'key:k:meta',
    ]);
  });

  it('drags along every point of a curved path', async () => {
    await freshPlayground();
    const curve = [0, 1, 2, 3, 4, 5, 6].map((i) => {
      const angle = (Math.PI * i) / 6;
      return { x: Math.round(550 - 100 * Math.cos(angle)), y: Math.round(170 - 100 * Math.sin(angle)) };
    });
    const result = await server.ok('computer', { actions: [{ type: 'drag', path: curve }] });
    const drag = titleLog(result).find((e) => e.startsWith('drag:'));
    assert.ok(drag, 'no drag recorded');
    const seen = JSON.parse(drag.slice('drag:'.length)) as [number, number][];
    // Every waypoint of the curve is visited, in order.
    let from = 0;
    for (const p of curve) {
      const at = seen.findIndex((s, i) => i >= from && Math.abs(s[0] - p.x) <= 1 && Math.abs(s[1] - p.y) <= 1);
      assert.ok(at >= 0, `waypoint ${p.x},${p.y} not visited in order: ${JSON.stringify(seen)}`);
      from = at;
    }
    // The apex of the arc was passed, which a start-to-end straight drag never does.
    assert.ok(
      seen.some(([, y]) => y <= 75),
      'the drag cut the curve short',
    );
  });

  it('scrolls the inner pane under the pointer, and the window elsewhere', async () => {
    await freshPlayground();
    const result = await server.ok('computer', {
      actions: [
        { type: 'scroll', x: 150, y: 300, scroll_x: 0, scroll_y: 300 },
        { type: 'scroll', x: 150, y: 300, scroll_x: 120, scroll_y: 0 },
      ],
    });
    const log = titleLog(result);
    assert.equal(log.filter((e) => e.startsWith('pane:')).at(-1), 'pane:120,300');
    assert.ok(!log.some((e) => e.startsWith('window:')), `the window scrolled: ${log}`);
    const win = await server.ok('computer', { actions: [{ type: 'scroll', x: 800, y: 600, scroll_x: 0, scroll_y: 400 }] });
    assert.equal(
      titleLog(win)
        .filter((e) => e.startsWith('window:'))
        .at(-1),
      'window:400',
    );
  });

  it('moves the mouse with keys held, waits, and takes a screenshot', async () => {
    await freshPlayground();
    const result = await server.ok('computer', {
      actions: [
        { type: 'move', x: 60, y: 470 },
        { type: 'move', x: 70, y: 480, keys: ['alt'] },
        { type: 'wait', ms: 50 },
        { type: 'screenshot' },
      ],
    });
    // A wait without ms (1000 ms) is described by the unit test of the action schema (test/unit/actions.test.ts).
    const moves = titleLog(result).filter((e) => e.startsWith('move:'));
    assert.equal(moves[0], 'move:60,470');
    assert.equal(moves.at(-1), 'move:70,480:alt');
    assert.deepEqual(result.structuredContent.actions, ['move 60,470', 'move 70,480 +alt', 'wait 50ms', 'screenshot']);
  });

  it('returns the screenshot as image content of the display size', async () => {
    await freshPlayground();
    const result = await server.ok('screenshot', {});
    const image = imageOf(result);
    assert.equal(image.mimeType, 'image/png');
    const png = decodePng(image.data);
    assert.equal(png.width, 1024);
    assert.equal(png.height, 768);
    // The light-blue pane is where the page put it.
    assert.deepEqual(pixel(png, 300, 390), [0xdd, 0xdd, 0xff]);
    const state = result.structuredContent;
    assert.deepEqual(state.display, { width: 1024, height: 768 });
    assert.equal(state.url, site.url('/'));
    assert.match(textOf(result), /Session [\w-]+: http:\/\/127\.0\.0\.1/);
  });
});
