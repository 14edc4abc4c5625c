import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { agentFixture, BUTTON, click, previewFake } from './helpers/agent-fixture.js';
import type { FakeResponses } from './helpers/fake-responses.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { CLI, imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';

/** A 1280x800 layout; the caller sees and points at a 640x400 screenshot of it. */
const WIDE = page(`
<div style="position:absolute;left:0;top:0;width:1280px;height:800px;background:rgb(255,255,255)"></div>
<button id="far" style="position:absolute;left:1000px;top:600px;width:200px;height:100px;background:rgb(0,0,255);border:0"
  onclick="document.title = 'hit at ' + event.clientX + ',' + event.clientY"></button>
<div id="pane" style="position:absolute;left:100px;top:100px;width:300px;height:300px;overflow:auto"
  onscroll="document.title = 'pane ' + this.scrollTop"><div style="height:3000px"></div></div>
<script>document.title = 'layout ' + innerWidth + 'x' + innerHeight</script>`);

let server: ServerHandle;
let site: FixtureServer;
let fixture: Awaited<ReturnType<typeof agentFixture>>;
let fake: FakeResponses;

// Each group has a server of its own: the groups run side by side.
describe('screenshot sizes', { concurrency: true }, () => {
  // One server: these cases stay in order.
  describe('screenshots smaller than the display', { concurrency: 1 }, () => {
    before(async () => {
      // The model sees 640x400 screenshots of the 1280x800 page: the fake checks the declared size and every image.
      [site, fixture, fake] = await Promise.all([
        new FixtureServer({ '/': WIDE }).start(),
        agentFixture(),
        previewFake('sk-test', { display: { width: 640, height: 400 } }),
      ]);
      server = await startServer(['--display-size', '1280x800', '--screenshot-size', '640x400'], {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${fake.origin}/v1`,
        AZURE_OPENAI_ENDPOINT: '',
      });
    });
    after(async () => {
      await server?.close();
      await Promise.all([site?.stop(), fixture?.stop(), fake?.stop()]);
    });

    it('lays the page out at the display size and returns the smaller screenshot', async () => {
      const result = await server.ok('navigate', { url: site.url('/') });
      assert.equal(result.structuredContent.title, 'layout 1280x800');
      assert.deepEqual(result.structuredContent.display, { width: 640, height: 400 });
      assert.deepEqual(result.structuredContent.viewport, { width: 1280, height: 800 });
      const png = decodePng(imageOf(result).data);
      assert.deepEqual([png.width, png.height], [640, 400]);
      // The button at CSS 1000..1200 x 600..700 is at half those pixels in the screenshot.
      assert.deepEqual(pixel(png, 550, 325), [0, 0, 255]);
      assert.deepEqual(pixel(png, 450, 325), [255, 255, 255]);
    });

    it('maps screenshot coordinates and scroll distances back to the page', async () => {
      const click = await server.ok('computer', { actions: [{ type: 'click', x: 550, y: 325 }] });
      assert.equal(click.structuredContent.title, 'hit at 1100,650');
      const scroll = await server.ok('computer', { actions: [{ type: 'scroll', x: 100, y: 100, scroll_x: 0, scroll_y: 100 }] });
      assert.equal(scroll.structuredContent.title, 'pane 200');
      const outside = await server.call('computer', { actions: [{ type: 'click', x: 700, y: 10 }] });
      assert.match(textOf(outside), /outside the 640x400 display/);
    });

    it('refuses a screenshot size that would stretch the image', () => {
      const run = spawnSync(process.execPath, [CLI, '--display-size', '1280x800', '--screenshot-size', '640x480'], {
        encoding: 'utf8',
        input: '',
      });
      assert.equal(run.status, 2);
      assert.match(run.stderr, /--screenshot-size 640x480 must be the display size \(1280x800\) scaled down .* e\.g\. 640x400/);
    });

    it('gives the model the screenshot size, and maps its clicks back to the page', async () => {
      fake.script([{ output: [fake.call([click({ x: BUTTON.x / 2, y: BUTTON.y / 2 })])] }, { output: [fake.message('done')] }]);
      const result = await server.ok('run_task', { task: 'press Send', start_url: fixture.url('/') });
      assert.deepEqual(fake.violations, []);
      assert.equal(result.structuredContent.status, 'completed');
      assert.equal(fixture.clicks(), 1);
    });
  });

  describe('a screenshot too large for one MCP message', () => {
    it('is sent as a JPEG small enough, and says so', async () => {
      // Random noise does not compress: a 2048x1536 PNG of it is about 9.4 MB, 12.6 MB in base64, past the 10 MiB a stdio message may have.
      const noise = await new FixtureServer({
        '/': page(`<canvas id="c" width="2048" height="1536"></canvas><script>
          const c = document.getElementById('c').getContext('2d'); const img = c.createImageData(2048, 1536);
          for (let i = 0; i < img.data.length; i++) img.data[i] = i % 4 === 3 ? 255 : Math.random() * 256;
          c.putImageData(img, 0, 0);</script>`),
      }).start();
      const big = await startServer(['--display-size', '2048x1536']);
      try {
        const result = await big.ok('navigate', { url: noise.url('/') });
        const image = imageOf(result);
        assert.equal(image.mimeType, 'image/jpeg');
        assert.ok(image.data.length < 6 * 1024 * 1024, `${image.data.length} bytes`);
        assert.match(textOf(result), /Screenshot: the png screenshot \(\d+ bytes\) was too large to send; this is a JPEG/);
        // The connection survived: the next call works.
        await big.ok('list_sessions', {});
      } finally {
        await big.close();
        await noise.stop();
      }
    });
  });
});
