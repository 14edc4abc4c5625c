import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureServer, page as fixturePage } from './helpers/fixture-server.js';
import { imageOf, startServer, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';

/**
 * A step's screenshot may be taken while its last settle check (one frame)
 * still runs, and is kept only if the page changed nothing meanwhile. Each
 * page here changes itself at the worst moment for that screenshot: right
 * after the check's frame is drawn (in a timer set from the first animation
 * frame asked for after the click, which is the check's), so the screenshot
 * may already hold that frame. Each change leaves a different trace; the
 * screenshot must show it every time.
 */
const WHITE: [number, number, number] = [255, 255, 255];
const BLUE: [number, number, number] = [0, 0, 255];
const FULL = 'position:fixed;inset:0;width:100vw;height:100vh;margin:0;border:0;padding:0';
const button = (onclick: string) =>
  `<button style="position:fixed;left:0;top:0;width:100px;height:40px;z-index:9" onclick="${onclick}">go</button>`;
/** Makes the change the page's next requestAnimationFrame caller sets off, just after its frame (see lookedAt). */
const soon = (change: string) => `window.__change = () => { ${change} }`;
/**
 * The page's requestAnimationFrame, set to run a pending change in a timer
 * queued ahead of whatever its caller queues. With `lateMs`, every frame
 * comes that much late, as on a machine too busy to draw.
 */
const lookedAt = (lateMs = 0) => `<script>{ const raf = window.requestAnimationFrame;
  const frame = (callback) => ${lateMs} ? raf.call(window, () => setTimeout(() => raf.call(window, callback), ${lateMs})) : raf.call(window, callback);
  window.requestAnimationFrame = (callback) => {
    const change = window.__change;
    window.__change = undefined;
    return frame((time) => { if (change) setTimeout(change, 0); callback(time); });
  }; }</script>`;
const page = (body: string) => fixturePage(lookedAt() + body);

const PAGES: Record<string, string> = {
  '/dom': page(`<div id="d" style="${FULL};background:rgb(255,255,255)"></div>${button(soon("d.style.background = 'rgb(0,0,255)'"))}`),
  // Properties set by script: no DOM mutation, but CSS draws them.
  '/checked': page(
    `<style>#c:checked + div { background: rgb(0,0,255) !important }</style><input id="c" type="checkbox" style="position:fixed;right:0;bottom:0"><div style="${FULL};background:rgb(255,255,255)"></div>${button(soon('c.checked = true'))}`,
  ),
  '/value': page(
    `<style>#v:not(:placeholder-shown) + div { background: rgb(0,0,255) !important }</style><input id="v" placeholder="empty" style="position:fixed;right:0;bottom:0"><div style="${FULL};background:rgb(255,255,255)"></div>${button(soon("v.value = 'typed'"))}`,
  ),
  '/focus': page(
    `<style>#f:focus + div { background: rgb(0,0,255) !important }</style><input id="f" style="position:fixed;right:0;bottom:0"><div style="${FULL};background:rgb(255,255,255)"></div>${button(soon('f.focus()'))}`,
  ),
  // A closed shadow root: the document's MutationObserver does not see into it.
  '/shadow': page(
    `<div id="host"></div>${button(soon("root.firstElementChild.style.background = 'rgb(0,0,255)'"))}
     <script>const root = host.attachShadow({ mode: 'closed' }); root.innerHTML = '<div style="${FULL};background:rgb(255,255,255)"></div>';</script>`,
  ),
  // Shadow roots declared in HTML, one inside another: no script attached them.
  '/declarative-shadow': page(
    `<div id="host"><template shadowrootmode="open"><div id="inner"><template shadowrootmode="open"><div style="${FULL};background:rgb(255,255,255)"></div></template></div></template></div>${button(soon("host.shadowRoot.getElementById('inner').shadowRoot.firstElementChild.style.background = 'rgb(0,0,255)'"))}`,
  ),
  // Frames that come 150 ms late (the check gives up on a hidden page after 100): the check must wait for the frame, however long the page takes to draw it.
  '/late-frame': fixturePage(
    lookedAt(150) + `<div id="d" style="${FULL};background:rgb(255,255,255)"></div>${button(soon("d.style.background = 'rgb(0,0,255)'"))}`,
  ),
  // A page that finds the watch and tells it nothing changed.
  '/tamper': page(
    `<div id="d" style="${FULL};background:rgb(255,255,255)"></div>${button(soon("d.style.background = 'rgb(0,0,255)'; const w = window.__cuaChanges; if (w) { w.changed = false; w.disarm = () => false; w.armed = false; }"))}`,
  ),
  '/selection': page(
    `<style>#s::selection { background: rgb(0,0,255); color: rgb(0,0,255) }</style><div id="s" style="font:300px/300px monospace;color:rgb(255,255,255);margin:0">MMMMMMMM MMMMMMMM MMMMMMMM</div>${button(soon('getSelection().selectAllChildren(s)'))}`,
  ),
  '/popover': page(
    `<div id="p" popover style="${FULL};background:rgb(0,0,255)"></div><div style="${FULL};background:rgb(255,255,255)"></div>${button(soon('p.showPopover()'))}`,
  ),
  // Drawing leaves no trace at all: a page with a canvas is never taken early.
  '/canvas': page(
    `<canvas id="k" width="1024" height="768" style="${FULL}"></canvas>${button(soon("k.getContext('2d').fillStyle = 'rgb(0,0,255)'; k.getContext('2d').fillRect(0, 0, 1024, 768)"))}
     <script>k.getContext('2d').fillStyle = 'rgb(255,255,255)'; k.getContext('2d').fillRect(0, 0, 1024, 768);</script>`,
  ),
  '/late-canvas': fixturePage(
    lookedAt(150) +
      `<canvas id="k" width="1024" height="768" style="${FULL}"></canvas>${button(soon("k.getContext('2d').fillStyle = 'rgb(0,0,255)'; k.getContext('2d').fillRect(0, 0, 1024, 768)"))}
     <script>k.getContext('2d').fillStyle = 'rgb(255,255,255)'; k.getContext('2d').fillRect(0, 0, 1024, 768);</script>`,
  ),
  '/shadow-canvas': page(
    `<div id="host"></div>${button(soon("k.getContext('2d').fillStyle = 'rgb(0,0,255)'; k.getContext('2d').fillRect(0, 0, 1024, 768)"))}
     <script>const root = host.attachShadow({ mode: 'open' }); root.innerHTML = '<canvas width="1024" height="768" style="${FULL}"></canvas>'; const k = root.firstElementChild; k.getContext('2d').fillStyle = 'rgb(255,255,255)'; k.getContext('2d').fillRect(0, 0, 1024, 768);</script>`,
  ),
  // An image the click inserts: no request to wait for, and it may not be drawn yet when the check is armed.
  '/image': page(
    `<div id="d" style="${FULL};background:rgb(255,255,255)"></div>${button(
      `const i = new Image(); i.style.cssText = '${FULL}'; i.src = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns=&quot;http://www.w3.org/2000/svg&quot; width=&quot;1024&quot; height=&quot;768&quot;><rect width=&quot;1024&quot; height=&quot;768&quot; fill=&quot;rgb(0,0,255)&quot;/></svg>'); d.append(i)`,
    )}`,
  ),
  // Changes inside a frame are not watched: a page with frames is never taken early.
  '/frame': page(`<iframe src="/frame-inner" style="${FULL}"></iframe>`),
  // The check does not look into the frame: the frame sets its change off itself.
  '/frame-inner': page(
    `<div id="d" style="${FULL};background:rgb(255,255,255)"></div>${button(`${soon("d.style.background = 'rgb(0,0,255)'")}; requestAnimationFrame(() => {})`)}`,
  ),
  '/still': page(`<div style="${FULL};background:rgb(255,255,255)"></div>${button('void 0')}`),
  '/text': page(
    `<h1>Orders</h1>${Array.from({ length: 40 }, (_, i) => `<p style="color:hsl(${i * 37},60%,35%)">Order ${i}: ${'lorem ipsum dolor sit amet '.repeat(4)}</p>`).join('')}<input placeholder="Search">`,
  ),
};

describe('a step screenshot taken while the settle check runs', { concurrency: true }, () => {
  let site: FixtureServer;
  before(async () => {
    site = await new FixtureServer(PAGES).start();
  });
  after(() => site?.stop());

  const OVERLAPPED = /the screenshot overlapped the settle check/;
  const THROWN_AWAY = /the screenshot is taken after the settle \(waited\)/;

  /** Clicks the button on a fresh copy of the page; returns the colour the screenshot shows and what the server logged. */
  const clickButton = async (server: ServerHandle, path: string) => {
    await server.ok('navigate', { url: site.url(path) });
    // A click that changes nothing first: an early screenshot is tried only where the page's last check found no change.
    await server.ok('computer', { actions: [{ type: 'click', x: 600, y: 500 }] });
    const before = server.stderr().length;
    const result = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 20 }] });
    return { colour: pixel(decodePng(imageOf(result).data), 600, 500), log: server.stderr().slice(before) };
  };

  /** Cases that run in order on a server of their own; each such group runs beside the other. */
  const onServerOfTheirOwn = (name: string, cases: (server: () => ServerHandle) => void) =>
    describe(name, { concurrency: 1 }, () => {
      let server: ServerHandle;
      before(async () => {
        server = await startServer();
      });
      after(() => server?.close());
      cases(() => server);
    });

  /** A case per page that changes itself just after the click. */
  const showsTheChange = (server: () => ServerHandle, paths: string[], times = 4) => {
    for (const path of paths) {
      it(`shows the change a page makes just after the click: ${path.slice(1)}`, async () => {
        // Several times: the frame the screenshot catches varies from run to run.
        for (let i = 0; i < times; i++) {
          const { colour, log } = await clickButton(server(), path);
          assert.deepEqual(colour, BLUE, `${path}: the screenshot shows the page from before its change`);
          assert.match(log, THROWN_AWAY, 'the early screenshot was not tried, or was kept');
        }
      });
    }
  };

  onServerOfTheirOwn('pages that change just after the click', (server) =>
    showsTheChange(server, ['/dom', '/checked', '/value', '/focus', '/selection', '/shadow', '/declarative-shadow']),
  );

  onServerOfTheirOwn('more pages that change, inserted images, pages it cannot watch, and screenshots taken early', (server) => {
    showsTheChange(server, ['/popover', '/tamper']);
    // Once: the late frame, not chance, decides when the page changes.
    showsTheChange(server, ['/late-frame'], 1);

    it('shows an image the click inserts', async () => {
      for (let i = 0; i < 6; i++)
        assert.deepEqual((await clickButton(server(), '/image')).colour, BLUE, 'the screenshot shows the page before the image');
    });

    for (const path of ['/canvas', '/late-canvas', '/shadow-canvas', '/frame']) {
      it(`never takes the screenshot early on a page it cannot watch: ${path.slice(1)}`, async () => {
        for (let i = 0; i < (path === '/late-canvas' ? 1 : 4); i++) {
          const { colour, log } = await clickButton(server(), path);
          assert.deepEqual(colour, BLUE, `${path}: the screenshot shows the page from before its change`);
          assert.doesNotMatch(log, /overlapped|taken after the settle/);
        }
      });
    }

    it('after a change, the next screenshot waits for the check instead of being taken twice', async () => {
      await clickButton(server(), '/dom');
      const before = server().stderr().length;
      await server().ok('computer', { actions: [{ type: 'click', x: 600, y: 500 }] });
      assert.match(server().stderr().slice(before), /waits for the settle check \(the page's last check found a change\)/);
    });

    it('is taken early when nothing changed, and is the same image as a screenshot taken after', async () => {
      await server().ok('navigate', { url: site.url('/text') });
      // Until one is taken early: a late request (the favicon) or a slow machine can make the check find something.
      let early: Buffer | undefined;
      for (let i = 0; i < 5 && !early; i++) {
        const before = server().stderr().length;
        const clicked = await server().ok('computer', { actions: [{ type: 'click', x: 1000, y: 5 }] });
        if (OVERLAPPED.test(server().stderr().slice(before))) early = imageOf(clicked).data;
      }
      assert.ok(early, `no screenshot was taken early:\n${server().stderr().slice(-2000)}`);
      const later = await server().ok('screenshot');
      assert.ok(decodePng(early).data.equals(decodePng(imageOf(later).data).data), 'the early screenshot differs from the one taken after');
      await server().ok('navigate', { url: site.url('/still') });
      const still = await server().ok('computer', { actions: [{ type: 'click', x: 50, y: 20 }] });
      assert.deepEqual(pixel(decodePng(imageOf(still).data), 600, 500), WHITE);
    });
  });
});
