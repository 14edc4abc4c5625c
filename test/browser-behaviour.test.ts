import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';

/**
 * A tall page whose title always says where it is scrolled to, and either
 * "moving" (a scroll event not yet followed by scrollend) or how many
 * scrolls have ended; the result's title is read with its screenshot.
 */
const TALL = page(
  `<div style="height:20000px;background:linear-gradient(#fff,#00f)">
     <a id="down" href="#target" style="position:fixed;left:10px;top:10px;width:150px;height:30px">to the target</a>
     <button style="position:fixed;left:10px;top:50px;width:150px;height:30px" onclick="glide(document.scrollingElement, 3000)">animate page</button>
     <button style="position:fixed;left:10px;top:90px;width:150px;height:30px" onclick="glide(document.getElementById('inner'), 1500)">animate inner</button>
     <div id="inner" style="position:fixed;left:300px;top:10px;width:300px;height:200px;overflow:auto"><div style="height:5000px"></div></div>
     <div id="target" style="position:absolute;top:5100px">target</div>
   </div>
   <script>
     let moving = false, ended = 0;
     const show = () => {
       const at = 'y=' + Math.round(scrollY) + ' inner=' + Math.round(document.getElementById('inner').scrollTop);
       document.title = at + (moving ? ' moving' : ' ended=' + ended);
     };
     // Capture: the inner scroller's events too.
     addEventListener('scroll', () => { moving = true; show(); }, true);
     addEventListener('scrollend', () => { moving = false; ended++; show(); }, true);
     show();
     // A page's own scroll animation, frame by frame, as many sites do for "back to top" buttons.
     function glide(el, to) {
       const from = el.scrollTop, start = performance.now();
       const step = (now) => {
         const t = Math.min(1, (now - start) / 600);
         el.scrollTop = from + (to - from) * t * (2 - t);
         if (t < 1) requestAnimationFrame(step);
       };
       requestAnimationFrame(step);
     }
   </script>`,
  '<style>html{scroll-behavior:smooth}</style>',
);

const OPENER = page(`
  <a href="/docs?by=link" target="docs" style="position:absolute;left:10px;top:10px;width:200px;height:30px">docs (link)</a>
  <button style="position:absolute;left:10px;top:60px;width:200px;height:30px" onclick="window.open('/docs?by=open', 'docs')">docs (window.open)</button>
  <a href="/report.csv" style="position:absolute;left:10px;top:110px;width:200px;height:30px">download</a>`);

const FIELD = page(
  `<input id="f" style="position:absolute;left:10px;top:10px;width:300px;height:30px" oninput="document.title = 'value=' + this.value" autofocus>`,
);

describe('the browser behaves as a computer-use model expects', () => {
  let server: ServerHandle;
  let site: FixtureServer;
  let outputDir: string;

  before(async () => {
    outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-test-out-'));
    site = await new FixtureServer({
      '/tall': TALL,
      '/opener': OPENER,
      '/field': FIELD,
      '/docs': (req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(page(`docs ${req.url}`).replace('<title>fixture</title>', `<title>docs ${new URL(req.url!, 'http://x').search}</title>`)),
      '/report.csv': (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="report.csv"' })
          .end('a,b\n1,2\n'),
    }).start();
    // A settle timeout far above the test deadlines: a wait for a window that never opens would fail the test, not just slow it.
    server = await startServer(['--output-dir', outputDir, '--settle-timeout', '20000']);
  });
  after(async () => {
    await server.close();
    await site.stop();
    fs.rmSync(outputDir, { recursive: true, force: true });
  });

  const title = (result: { structuredContent: Record<string, unknown> }) => result.structuredContent.title as string;

  it('every scroll key returns the screen after scrolling ended', { timeout: 60_000 }, async () => {
    await server.ok('navigate', { url: site.url('/tall') });
    const keys = ['pagedown', 'end', 'home', 'space', 'down', 'pagedown', 'up', 'pageup'];
    let last = '';
    for (const [i, key] of keys.entries()) {
      // Each key scrolls once, and its scroll has ended: none still moving, none ended since (the next key's count would show it).
      last = title(await server.ok('computer', { actions: [{ type: 'keypress', keys: [key] }] }));
      assert.match(last, new RegExp(` ended=${i + 1}$`), `after ${key}`);
    }
    assert.equal(title(await server.ok('screenshot')), last, 'nothing scrolled after the last key');
    assert.doesNotMatch(last, /^y=0 inner=0 /, 'the keys scrolled the page');
  });

  it('a smooth anchor link and a page-scripted scroll animation, on the page and in an inner scroller', { timeout: 60_000 }, async () => {
    await server.ok('navigate', { url: site.url('/tall') });
    // Each title is where the scroll ends (the anchor; the animations' last frames), and no scroll is still moving.
    const anchor = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 20 }] });
    assert.match(title(anchor), /^y=5100 inner=0 ended=\d+$/);
    const animated = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 60 }] });
    assert.match(title(animated), /^y=3000 inner=0 ended=\d+$/);
    const inner = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 100 }] });
    assert.match(title(inner), /^y=3000 inner=1500 ended=\d+$/);
    assert.equal(title(await server.ok('screenshot')), title(inner), 'nothing scrolled after the animation');
  });

  it('a named window reused by a link and by window.open: the session follows it at once', { timeout: 60_000 }, async () => {
    await server.ok('navigate', { url: site.url('/opener') });
    const first = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 20 }] });
    assert.equal(title(first), 'docs ?by=link');
    assert.deepEqual(
      (first.structuredContent.events as { kind: string }[]).map((e) => e.kind),
      ['popup'],
    );

    for (const [y, by] of [
      [20, 'link'],
      [70, 'open'],
    ] as const) {
      await server.ok('select_tab', { index: 0 });
      const again = await server.ok('computer', { actions: [{ type: 'click', x: 50, y }] });
      assert.equal(title(again), `docs ?by=${by}`, `reused by ${by}`);
      assert.deepEqual(again.structuredContent.events, [
        {
          kind: 'window_reused',
          url: site.url(`/docs?by=${by}`),
          description: `an already open named window loads ${site.url(`/docs?by=${by}`)}; the session now follows that tab`,
        },
      ]);
      const tabs = again.structuredContent.tabs as { active: boolean }[];
      assert.deepEqual(
        tabs.map((t) => t.active),
        [false, true],
        'still two tabs, the reused one active',
      );
      assert.match(textOf(again), /already open named window/);
    }
  });

  it('navigate to a download succeeds and reports the saved file', { timeout: 20_000 }, async () => {
    await server.ok('navigate', { url: site.url('/opener') });
    const result = await server.ok('navigate', { url: site.url('/report.csv') });
    assert.equal(result.structuredContent.url, site.url('/opener'), 'the page did not change');
    const [download] = result.structuredContent.events as { kind: string; path: string; bytes: number }[];
    assert.equal(download?.kind, 'download');
    assert.equal(fs.readFileSync(download.path, 'utf8'), 'a,b\n1,2\n');
    assert.match(textOf(result), /is a download/);
  });

  it('keypress takes any single character the browser can type', { timeout: 20_000 }, async () => {
    await server.ok('navigate', { url: site.url('/field') });
    const result = await server.ok('computer', {
      actions: [
        { type: 'keypress', keys: ['é'] },
        { type: 'keypress', keys: ['中'] },
        { type: 'keypress', keys: ['💩'] },
        { type: 'keypress', keys: ['👍🏽'] },
        { type: 'keypress', keys: ['A'] },
      ],
    });
    assert.equal(title(result), 'value=é中💩👍🏽A');
  });

  it('a bad key anywhere in a batch refuses the whole batch before anything runs', { timeout: 20_000 }, async () => {
    await server.ok('navigate', { url: site.url('/field') });
    for (const bad of [['💩', 'ctrl'], ['\u0000'], ['\ud83d'], ['F13'], ['ctrl', 'é'], ['ctrl+a'], ['browserback', 'alt']]) {
      const result = await server.call('computer', {
        actions: [
          { type: 'type', text: 'hello' },
          { type: 'keypress', keys: bad },
          { type: 'type', text: 'world' },
        ],
      });
      assert.equal(result.isError, true, `keys ${JSON.stringify(bad)} must be refused`);
      assert.match(textOf(result), /actions\[1\] \(keypress\)/);
      if (bad[0] === 'ctrl+a') assert.match(textOf(result), /\["ctrl","a"\]/);
    }
    const state = await server.ok('screenshot', {});
    assert.equal(title(state), 'fixture', 'nothing was typed');
  });
});
