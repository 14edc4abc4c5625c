import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { imageOf, startServer, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';

/**
 * A step's screenshot may be taken while its last settle check (one frame)
 * still runs, and is kept only if the page changed nothing meanwhile. Each
 * page here changes itself just after the click, in the frame that check
 * watches (a timer set from the next animation frame), in a way that leaves
 * a different trace: the screenshot must show the change every time.
 */
const WHITE: [number, number, number] = [255, 255, 255];
const BLUE: [number, number, number] = [0, 0, 255];
const FULL = 'position:fixed;inset:0;width:100vw;height:100vh;margin:0;border:0;padding:0';
const button = (onclick: string) => `<button style="position:fixed;left:0;top:0;width:100px;height:40px;z-index:9" onclick="${onclick}">go</button>`;
/** Runs `change` just after the frame that follows the click: inside the settle check's window, never before it is armed. */
const soon = (change: string) => `requestAnimationFrame(() => setTimeout(() => { ${change} }, 0))`;

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
  '/popover': page(`<div id="p" popover style="${FULL};background:rgb(0,0,255)"></div><div style="${FULL};background:rgb(255,255,255)"></div>${button(soon('p.showPopover()'))}`),
  // Drawing leaves no trace at all: a page with a canvas is never taken early.
  '/canvas': page(
    `<canvas id="k" width="1024" height="768" style="${FULL}"></canvas>${button(soon("k.getContext('2d').fillStyle = 'rgb(0,0,255)'; k.getContext('2d').fillRect(0, 0, 1024, 768)"))}
     <script>k.getContext('2d').fillStyle = 'rgb(255,255,255)'; k.getContext('2d').fillRect(0, 0, 1024, 768);</script>`,
  ),
  // Changes inside a frame are not watched: a page with frames is never taken early.
  '/frame': page(`<iframe src="/frame-inner" style="${FULL}"></iframe>`),
  '/frame-inner': page(`<div id="d" style="${FULL};background:rgb(255,255,255)"></div>${button(soon("d.style.background = 'rgb(0,0,255)'"))}`),
  '/still': page(`<div style="${FULL};background:rgb(255,255,255)"></div>${button('void 0')}`),
  '/text': page(
    `<h1>Orders</h1>${Array.from({ length: 40 }, (_, i) => `<p style="color:hsl(${i * 37},60%,35%)">Order ${i}: ${'lorem ipsum dolor sit amet '.repeat(4)}</p>`).join('')}<input placeholder="Search">`,
  ),
};

describe('a step screenshot taken while the settle check runs', () => {
  let site: FixtureServer;
  let server: ServerHandle;
  before(async () => {
    site = await new FixtureServer(PAGES).start();
    server = await startServer();
  });
  after(async () => {
    await server?.close();
    await site?.stop();
  });

  const clickShows = async (path: string, expected: [number, number, number]) => {
    await server.ok('navigate', { url: site.url(path) });
    const result = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 20 }] });
    assert.deepEqual(pixel(decodePng(imageOf(result).data), 600, 500), expected, `${path}: the screenshot shows the page from before its change`);
  };

  for (const path of ['/dom', '/checked', '/value', '/focus', '/shadow', '/popover', '/canvas', '/frame']) {
    it(`shows the change a page makes just after the click: ${path.slice(1)}`, async () => {
      // Several times: the frame the screenshot catches varies from run to run.
      for (let i = 0; i < 5; i++) await clickShows(path, BLUE);
    });
  }

  it('is taken early when nothing changed, and is the same image as a screenshot taken after', async () => {
    await server.ok('navigate', { url: site.url('/text') });
    // Until one is taken early: a late request (the favicon) or a slow machine can make the check find something.
    let early: Buffer | undefined;
    for (let i = 0; i < 5 && !early; i++) {
      const before = server.stderr().length;
      const clicked = await server.ok('computer', { actions: [{ type: 'click', x: 1000, y: 5 }] });
      if (/the screenshot overlapped the settle check/.test(server.stderr().slice(before))) early = imageOf(clicked).data;
    }
    assert.ok(early, `no screenshot was taken early:\n${server.stderr().slice(-2000)}`);
    const later = await server.ok('screenshot');
    assert.ok(decodePng(early).data.equals(decodePng(imageOf(later).data).data), 'the early screenshot differs from the one taken after');
    await clickShows('/still', WHITE);
  });
});
