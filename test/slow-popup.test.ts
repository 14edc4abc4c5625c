import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { imageOf, startServer, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';

const colored = (color: string, body = '') => page(`<div style="position:fixed;inset:0;background:${color}"></div>${body}`);
const button = (y: number, onclick: string) =>
  `<button style="position:absolute;left:10px;top:${y}px;width:150px;height:40px;z-index:1" onclick="${onclick}">open</button>`;

/**
 * Playwright announces a popup only when its first response arrives; a
 * popup whose server is slow must still be what the click's screenshot shows.
 */
describe('a popup whose page is slow to answer', () => {
  let server: ServerHandle;
  let site: FixtureServer;
  before(async () => {
    site = await new FixtureServer({
      '/': colored(
        'rgb(255, 255, 255)',
        button(10, "window.open('/slow')") +
          `<a href="/slow" target="_blank" style="position:absolute;left:10px;top:60px;z-index:1">new tab</a>`,
      ),
      '/slow': async (_req, res) => {
        await new Promise((r) => setTimeout(r, 400));
        res.writeHead(200, { 'content-type': 'text/html' }).end(colored('rgb(128, 0, 128)'));
      },
    }).start();
    server = await startServer();
  });
  after(async () => {
    await server.close();
    await site.stop();
  });

  for (const [how, x, y] of [
    ['window.open', 50, 30],
    ['a target=_blank link', 30, 65],
  ] as const) {
    it(`is shown by the click that opened it (${how})`, async () => {
      const { structuredContent } = await server.ok('new_session', { start_url: site.url('/') });
      const result = await server.ok('computer', { session_id: structuredContent.session_id, actions: [{ type: 'click', x, y }] });
      assert.equal(result.structuredContent.url, site.url('/slow'));
      assert.deepEqual(pixel(decodePng(imageOf(result).data), 600, 500), [128, 0, 128], 'the screenshot shows the opener, not the popup');
    });
  }
});
