import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';

/** Each page paints itself one colour, so a screenshot shows which page it is. */
const colored = (title: string, color: string, body = '') =>
  page(`<div style="position:fixed;inset:0;background:${color}"></div>${body}`).replace(
    '<title>fixture</title>',
    `<title>${title}</title>`,
  );

const at = (x: number, y: number, w: number, h: number) => `position:absolute;left:${x}px;top:${y}px;width:${w}px;height:${h}px;z-index:1`;

const HOME = colored(
  'home',
  'rgb(255, 255, 255)',
  `<a id="next" href="/slow-next" style="${at(10, 10, 150, 40)}">next page</a>
   <a id="blank" href="/popup" target="_blank" style="${at(10, 60, 150, 40)}">new tab</a>
   <button style="${at(10, 110, 150, 40)}" onclick="window.open('/popup', 'w', 'width=400,height=300')">window.open</button>
   <button style="${at(10, 160, 150, 40)}" onclick="fetch('/204').then(() => { document.title = 'saved'; document.body.firstElementChild.style.background = 'rgb(0, 128, 0)'; })">save (204)</button>
   <button style="${at(10, 210, 150, 40)}" onclick="document.title = 'confirm:' + confirm('Delete everything?')">confirm</button>
   <button style="${at(10, 260, 150, 40)}" onclick="alert('Hello there'); document.title = 'alerted'">alert</button>
   <button style="${at(10, 310, 150, 40)}" onclick="document.title = 'prompt:' + prompt('Your name?', 'Ada')">prompt</button>
   <a href="/report.csv" style="${at(10, 360, 150, 40)}">download</a>
   <button style="${at(10, 410, 150, 40)}" onclick="document.body.firstElementChild.style.background = 'rgb(0, 0, 255)'">paint</button>
   <button style="${at(10, 460, 150, 40)}" onclick="chain()">chain</button>
   <script>
     // Each request starts only when the previous answer is in, as single-page apps do.
     async function chain() {
       const parts = [];
       for (const step of ['one', 'two', 'three', 'four']) parts.push(await (await fetch('/echo?' + step)).text());
       document.title = parts.join('+');
     }
   </script>`,
);

let server: ServerHandle;
/** A second server, started beside the first: one with --dialog-policy accept. */
let accepting: ServerHandle;
let site: FixtureServer;
let outputDir: string;

function shows(result: Parameters<typeof imageOf>[0], rgb: [number, number, number]): void {
  const png = decodePng(imageOf(result).data);
  assert.deepEqual(pixel(png, 600, 500), rgb, 'the screenshot does not show the expected page');
}

describe('what actions cause', () => {
  before(async () => {
    outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-test-out-'));
    site = await new FixtureServer({
      '/': HOME,
      '/popup': colored('popup', 'rgb(255, 0, 0)', `<button style="${at(10, 10, 150, 40)}" onclick="window.close()">close me</button>`),
      '/next': colored('next', 'rgb(255, 255, 0)'),
      '/slow-next': async (_req, res) => {
        // The new document arrives late: a screenshot taken too early would show the old page.
        await new Promise((r) => setTimeout(r, 400));
        res.writeHead(200, { 'content-type': 'text/html' }).end(colored('next', 'rgb(255, 255, 0)'));
      },
      '/204': (_req, res) => void res.writeHead(204).end(),
      '/echo': (req, res) =>
        void setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(new URL(req.url!, 'http://x').search.slice(1)), 20),
      '/report.csv': (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="report.csv"' })
          .end('a,b\n1,2\n'),
      '/set-cookie': (_req, res) =>
        void res.writeHead(200, { 'set-cookie': 'who=alice; Path=/', 'content-type': 'text/html' }).end(page('cookie set')),
      '/show-cookie': page('<script>document.title = "cookie:" + document.cookie</script>'),
    }).start();
    [server, accepting] = await Promise.all([startServer(['--output-dir', outputDir]), startServer(['--dialog-policy', 'accept'])]);
  });
  after(async () => {
    await Promise.all([server.close(), accepting.close()]);
    await site.stop();
    fs.rmSync(outputDir, { recursive: true, force: true });
  });

  it('a click that navigates returns the new page, never the old one', async () => {
    await server.ok('navigate', { url: site.url('/') });
    const result = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 25 }] });
    assert.equal(result.structuredContent.url, site.url('/slow-next'));
    assert.equal(result.structuredContent.title, 'next');
    shows(result, [255, 255, 0]);
  });

  it('back and forward buttons walk the history', async () => {
    const back = await server.ok('computer', { actions: [{ type: 'click', x: 0, y: 0, button: 'back' }] });
    assert.equal(back.structuredContent.url, site.url('/'));
    shows(back, [255, 255, 255]);
    const forward = await server.ok('computer', { actions: [{ type: 'click', x: 0, y: 0, button: 'forward' }] });
    assert.equal(forward.structuredContent.url, site.url('/slow-next'));
    shows(forward, [255, 255, 0]);
  });

  it('a click whose fetch returns 204 shows the state the response produced', async () => {
    await server.ok('navigate', { url: site.url('/') });
    const result = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 180 }] });
    assert.equal(result.structuredContent.title, 'saved');
    shows(result, [0, 128, 0]);
  });

  it('waits for a chain of requests, each started by the previous answer', async () => {
    await server.ok('navigate', { url: site.url('/') });
    const result = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 480 }] });
    assert.equal(result.structuredContent.title, 'one+two+three+four');
  });

  it('follows a new tab and a window.open popup, and comes back when it closes', async () => {
    await server.ok('navigate', { url: site.url('/') });
    const tab = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 75 }] });
    assert.equal(tab.structuredContent.url, site.url('/popup'));
    shows(tab, [255, 0, 0]);
    const tabs = tab.structuredContent.tabs as { url: string; active: boolean }[];
    assert.equal(tabs.length, 2);
    assert.deepEqual(
      tabs.map((t) => t.active),
      [false, true],
    );
    assert.match(textOf(tab), /new tab opened/);

    const closed = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 25 }] });
    assert.equal(closed.structuredContent.url, site.url('/'));
    assert.equal((closed.structuredContent.tabs as unknown[]).length, 1);
    assert.match(textOf(closed), /closed/);

    const popup = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 125 }] });
    assert.equal(popup.structuredContent.url, site.url('/popup'));
    shows(popup, [255, 0, 0]);

    // Back to the opener and forth again by tab number; a tab that does not exist is a clear error.
    const opener = await server.ok('select_tab', { index: 0 });
    assert.equal(opener.structuredContent.url, site.url('/'));
    shows(opener, [255, 255, 255]);
    assert.deepEqual(
      (opener.structuredContent.tabs as { active: boolean }[]).map((t) => t.active),
      [true, false],
    );
    const missing = await server.call('select_tab', { index: 5 });
    assert.match(textOf(missing), /No tab 5 in session .*: it has 2 tab\(s\)/);
    const again = await server.ok('select_tab', { index: 1 });
    shows(again, [255, 0, 0]);
    await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 25 }] });
  });

  it('answers native dialogs by policy and reports their text', async () => {
    await server.ok('navigate', { url: site.url('/') });
    const confirm = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 230 }] });
    assert.equal(confirm.structuredContent.title, 'confirm:false');
    assert.match(textOf(confirm), /confirm dialog "Delete everything\?" was dismissed/);
    const events = confirm.structuredContent.events as { kind: string; message: string }[];
    assert.deepEqual(
      events.map((e) => [e.kind, e.message]),
      [['dialog', 'Delete everything?']],
    );

    const alert = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 280 }] });
    assert.equal(alert.structuredContent.title, 'alerted');
    assert.match(textOf(alert), /alert dialog "Hello there" was accepted/);

    const prompt = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 330 }] });
    assert.equal(prompt.structuredContent.title, 'prompt:null');
  });

  it('accepts dialogs when the policy says so', async () => {
    await accepting.ok('navigate', { url: site.url('/') });
    const confirm = await accepting.ok('computer', { actions: [{ type: 'click', x: 50, y: 230 }] });
    assert.equal(confirm.structuredContent.title, 'confirm:true');
    const prompt = await accepting.ok('computer', { actions: [{ type: 'click', x: 50, y: 330 }] });
    assert.equal(prompt.structuredContent.title, 'prompt:Ada');
  });

  it('saves downloads into the output directory and reports them', async () => {
    await server.ok('navigate', { url: site.url('/') });
    const result = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 380 }] });
    const download = (result.structuredContent.events as { kind: string; path?: string; filename: string; bytes?: number }[]).find(
      (e) => e.kind === 'download',
    );
    assert.ok(download, `no download reported: ${textOf(result)}`);
    assert.equal(download.filename, 'report.csv');
    assert.equal(download.path, path.join(outputDir, 'downloads', 'report.csv'));
    assert.equal(fs.readFileSync(download.path, 'utf8'), 'a,b\n1,2\n');
    assert.equal(download.bytes, 8);
    assert.equal(result.structuredContent.url, site.url('/'), 'a download is not a navigation');
  });

  it('keeps sessions apart: cookies of one are not seen by another', async () => {
    await server.ok('navigate', { url: site.url('/set-cookie') });
    const other = await server.ok('new_session', { start_url: site.url('/show-cookie') });
    const otherId = other.structuredContent.session_id as string;
    assert.equal(other.structuredContent.title, 'cookie:');
    const mine = await server.ok('navigate', { url: site.url('/show-cookie') });
    assert.equal(mine.structuredContent.title, 'cookie:who=alice');
    assert.notEqual(mine.structuredContent.session_id, otherId);

    const list = await server.ok('list_sessions', {});
    const sessions = list.structuredContent.sessions as { session_id: string; is_default: boolean }[];
    assert.equal(sessions.length, 2);
    assert.deepEqual(
      sessions.filter((s) => s.is_default).map((s) => s.session_id),
      [mine.structuredContent.session_id],
    );
    assert.match(String(list.structuredContent.browser), /chromium/i);

    await server.ok('close_session', { session_id: otherId });
    const gone = await server.call('screenshot', { session_id: otherId });
    assert.equal(gone.isError, true);
    assert.match(textOf(gone), /No browser session|was closed \(close_session\)/);
  });

  it('refuses bad arguments with clear errors and keeps the session working', async () => {
    const start = await server.ok('navigate', { url: site.url('/') });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['computer', { actions: [{ type: 'clik', x: 1, y: 1 }] }, /unknown action type "clik"; expected one of click/],
      ['computer', { actions: [{ type: 'click', y: 1 }] }, /x must be a number.*actions\.0\.x|actions\[0\]\.x/],
      ['computer', { actions: [{ type: 'click', x: 5000, y: 1 }] }, /actions\[0\] \(click\): point 5000,1 is outside the 1024x768 display/],
      ['computer', { actions: [{ type: 'keypress', keys: ['hyper'] }] }, /unknown key "hyper"/],
      ['computer', { actions: [{ type: 'drag', path: [{ x: 1, y: 1 }] }] }, /at least two points/],
      ['computer', { actions: [] }, /at least one action/],
      ['computer', { actions: 'click' }, /actions/],
      ['computer', { session_id: 'nope', actions: [{ type: 'wait', ms: 1 }] }, /No browser session "nope"/],
      ['navigate', { url: 'http://[bad' }, /Not a valid URL/],
      ['navigate', { url: 'http://127.0.0.1:1/' }, /Could not open http:\/\/127\.0\.0\.1:1\//],
      ['close_session', {}, /session_id/],
    ];
    for (const [tool, args, expected] of cases) {
      const result = await server.call(tool, args);
      assert.equal(result.isError, true, `${tool} ${JSON.stringify(args)} should fail`);
      assert.match(textOf(result), expected, `${tool} ${JSON.stringify(args)}`);
    }
    // Nothing of a refused batch ran: a batch with one bad action leaves the page untouched.
    await server.call('computer', {
      actions: [
        { type: 'click', x: 50, y: 430 },
        { type: 'click', x: -1, y: 0 },
      ],
    });
    const after = await server.ok('screenshot', {});
    shows(after, [255, 255, 255]);
    assert.equal(after.structuredContent.session_id, start.structuredContent.session_id);
  });
});
