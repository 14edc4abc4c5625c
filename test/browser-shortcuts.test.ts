import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { imageOf, startServer, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';

const titled = (title: string, body = '') => page(body).replace('<title>fixture</title>', `<title>${title}</title>`);

/** A page with a focused text field whose title shows what it received: keys meant for the address bar must not land here. */
const FIELD = titled(
  'field',
  `<input style="position:absolute;left:10px;top:200px" autofocus oninput="document.title = 'typed:' + this.value">
  <script>addEventListener('keydown', (e) => { if (e.ctrlKey && e.key === 'l') document.title = 'page saw ctrl+l'; if (e.key === 'F5' && location.hash === '#keep') e.preventDefault(); });</script>`,
);

type Result = { structuredContent: Record<string, unknown> };
const events = (r: Result) => r.structuredContent.events as { kind: string; keys?: string; effect?: string }[];
const shortcuts = (r: Result) => events(r).filter((e) => e.kind === 'shortcut');
const tabs = (r: Result) => r.structuredContent.tabs as { url: string; active: boolean }[];

/** The address bar's focus ring (#0b57d0) at its left edge. */
const barShown = (r: Parameters<typeof imageOf>[0]) => {
  const [red, green, blue] = pixel(decodePng(imageOf(r).data), 7, 22);
  return red < 60 && green > 60 && green < 120 && blue > 170;
};
/** Dark text pixels in the bar's text line. */
const textPixels = (r: Parameters<typeof imageOf>[0]) => {
  const png = decodePng(imageOf(r).data);
  let dark = 0;
  for (let y = 12; y < 34; y++) for (let x = 16; x < 700; x++) if (pixel(png, x, y).every((c) => c < 100)) dark++;
  return dark;
};

describe('browser shortcuts, emulated', () => {
  let server: ServerHandle;
  let site: FixtureServer;
  let outputDir: string;
  const keys = (...k: string[]) => server.ok('computer', { actions: [{ type: 'keypress', keys: k }] });

  before(async () => {
    outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-test-out-'));
    site = await new FixtureServer({ '/a': FIELD, '/b': titled('page b'), '/c': titled('page c') }).start();
    server = await startServer(['--output-dir', outputDir]);
  });
  after(async () => {
    await server.close();
    await site.stop();
    fs.rmSync(outputDir, { recursive: true, force: true });
  });

  it('ctrl+L, a typed URL and Enter navigate; the screenshot shows the bar and what was typed', { timeout: 30_000 }, async () => {
    await server.ok('navigate', { url: site.url('/a') });
    const focused = await keys('ctrl', 'l');
    assert.equal(focused.structuredContent.title, 'page saw ctrl+l', 'the page still gets the keydown, as in a browser');
    assert.match(shortcuts(focused)[0]?.effect ?? '', /address bar has focus/);
    assert.ok(barShown(focused), 'the focused address bar is drawn over the page');

    const short = await server.ok('computer', {
      actions: [
        { type: 'keypress', keys: ['ctrl', 'a'] },
        { type: 'type', text: 'x' },
      ],
    });
    const typed = await server.ok('computer', {
      actions: [
        { type: 'keypress', keys: ['backspace'] },
        { type: 'type', text: site.url('/b') },
      ],
    });
    assert.ok(barShown(typed));
    assert.ok(textPixels(typed) > textPixels(short) + 100, 'the typed URL is drawn in the bar');
    assert.equal(typed.structuredContent.title, 'page saw ctrl+l', 'nothing reached the page field');

    const entered = await keys('enter');
    assert.equal(entered.structuredContent.url, site.url('/b'));
    assert.deepEqual(shortcuts(entered), [
      { kind: 'shortcut', keys: 'Enter', effect: `opened ${site.url('/b')}`, description: `Enter: opened ${site.url('/b')}` },
    ]);
    assert.ok(!barShown(entered), 'the bar is gone once the page loads');

    // alt+D and F6 focus it too; Escape leaves it without navigating.
    for (const chord of [['alt', 'd'], ['f6']]) {
      assert.ok(barShown(await keys(...chord)), chord.join('+'));
      const left = await keys('escape');
      assert.ok(!barShown(left));
      assert.equal(left.structuredContent.url, site.url('/b'));
    }
  });

  it('back, forward and reload', { timeout: 30_000 }, async () => {
    await server.ok('navigate', { url: site.url('/a') });
    await server.ok('navigate', { url: site.url('/b') });
    assert.equal((await keys('alt', 'left')).structuredContent.url, site.url('/a'));
    assert.equal((await keys('alt', 'right')).structuredContent.url, site.url('/b'));
    assert.equal((await keys('browserback')).structuredContent.url, site.url('/a'));
    assert.equal((await keys('browserforward')).structuredContent.url, site.url('/b'));
    for (const chord of [['f5'], ['ctrl', 'r'], ['ctrl', 'shift', 'r']]) {
      const before = site.requests.filter((p) => p === '/b').length;
      const result = await keys(...chord);
      assert.match(shortcuts(result)[0]?.effect ?? '', /^reloaded/, chord.join('+'));
      assert.equal(site.requests.filter((p) => p === '/b').length, before + 1, `${chord.join('+')} loaded the page again`);
    }
    // A page that prevents F5 keeps it: the browser does not reload.
    await server.ok('navigate', { url: site.url('/a#keep') });
    const before = site.requests.filter((p) => p === '/a').length;
    assert.deepEqual(shortcuts(await keys('f5')), []);
    assert.equal(site.requests.filter((p) => p === '/a').length, before);
  });

  it('new, switch, close and reopen tabs; a new window', { timeout: 30_000 }, async () => {
    await server.ok('navigate', { url: site.url('/b') });
    const opened = await keys('ctrl', 't');
    assert.deepEqual(
      tabs(opened).map((t) => t.active),
      [false, true],
    );
    assert.ok(barShown(opened), 'a new tab focuses the address bar');
    const typed = await server.ok('computer', { actions: [{ type: 'type', text: `${site.url('/c')}\n` }] });
    assert.equal(typed.structuredContent.url, site.url('/c'));

    assert.equal((await keys('ctrl', 'shift', 'tab')).structuredContent.url, site.url('/b'));
    assert.equal((await keys('ctrl', 'tab')).structuredContent.url, site.url('/c'));
    assert.equal((await keys('ctrl', '1')).structuredContent.url, site.url('/b'));
    assert.equal((await keys('ctrl', '9')).structuredContent.url, site.url('/c'));

    const closed = await keys('ctrl', 'w');
    assert.deepEqual(
      tabs(closed).map((t) => t.url),
      [site.url('/b')],
    );
    const reopened = await keys('ctrl', 'shift', 't');
    assert.deepEqual(
      tabs(reopened).map((t) => [t.url, t.active]),
      [
        [site.url('/b'), false],
        [site.url('/c'), true],
      ],
    );

    const window = await keys('ctrl', 'n');
    assert.equal(tabs(window).length, 3);
    assert.match(shortcuts(window)[0]?.effect ?? '', /new window/);
  });
});
