import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeResponses, imageSize } from './helpers/fake-responses.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';

/**
 * A busy 1920x1080 page: text and colour everywhere, plus a photo-like
 * region of noise that PNG cannot compress. A button at CSS 1500..1700 x
 * 800..900 reports where it was clicked.
 */
const BUSY = page(`
<div style="display:grid;grid-template-columns:repeat(12,1fr);gap:4px;width:1920px">
  ${Array.from({ length: 240 }, (_, i) => `<div style="background:hsl(${(i * 37) % 360},70%,${40 + (i % 5) * 10}%);color:#fff;font-size:${11 + (i % 4)}px;height:60px;overflow:hidden">Item ${i}: the quick brown fox jumps over the lazy dog ${i * 7919}</div>`).join('')}
</div>
<canvas id="noise" width="700" height="500" style="position:absolute;left:40px;top:420px"></canvas>
<button style="position:absolute;left:1500px;top:800px;width:200px;height:100px;background:rgb(0,0,255);color:#fff;border:0"
  onclick="document.title = 'hit at ' + event.clientX + ',' + event.clientY">Send</button>
<script>
  const c = document.getElementById('noise').getContext('2d');
  const img = c.createImageData(700, 500);
  let seed = 42;
  for (let i = 0; i < img.data.length; i++) img.data[i] = i % 4 === 3 ? 255 : (seed = (seed * 1103515245 + 12345) % 2147483648) >> 23;
  c.putImageData(img, 0, 0);
  document.title = 'busy';
</script>`);

/** Noise over the whole display: even a JPEG of it is large. */
const NOISE = page(`
<canvas id="noise" width="1920" height="1080" style="position:absolute;left:0;top:0"></canvas>
<button style="position:absolute;left:1500px;top:800px;width:200px;height:100px;background:rgb(0,0,255);border:0"
  onclick="document.title = 'hit at ' + event.clientX + ',' + event.clientY"></button>
<script>
  const c = document.getElementById('noise').getContext('2d');
  const img = c.createImageData(1920, 1080);
  let seed = 7;
  for (let i = 0; i < img.data.length; i++) img.data[i] = i % 4 === 3 ? 255 : (seed = (seed * 1103515245 + 12345) % 2147483648) >> 23;
  c.putImageData(img, 0, 0);
</script>`);

const DISPLAY = { width: 1920, height: 1080 };
let site: FixtureServer;

before(async () => {
  site = await new FixtureServer({ '/busy': BUSY, '/noise': NOISE }).start();
});
after(() => site.stop());

describe('a busy 1920x1080 page with the default --max-image-bytes', () => {
  const fake = new FakeResponses({
    generation: 'preview',
    display: DISPLAY,
    model: 'computer-use-preview',
    path: '/v1/responses',
    auth: ['authorization', 'Bearer sk-test'],
  });
  let server: ServerHandle;
  before(async () => {
    await fake.start();
    server = await startServer(['--display-size', '1920x1080'], {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${fake.origin}/v1`,
      AZURE_OPENAI_ENDPOINT: '',
    });
  });
  after(async () => {
    await server.close();
    await fake.stop();
  });

  it('reaches the client under 700000 bytes, as a full-size JPEG, and says so', async (t) => {
    const result = await server.ok('navigate', { url: site.url('/busy') });
    const image = imageOf(result);
    assert.ok(image.data.length <= 700_000, `image of ${image.data.length} bytes`);
    assert.deepEqual(imageSize(image.data), { type: 'jpeg', ...DISPLAY });
    const shot = result.structuredContent.screenshot as {
      mime_type: string;
      bytes: number;
      width: number;
      height: number;
      notes: string[];
      scale?: number;
    };
    assert.equal(shot.mime_type, 'image/jpeg');
    assert.equal(shot.bytes, image.data.length);
    assert.equal(shot.scale, undefined);
    t.diagnostic(shot.notes.join('; '));
    assert.match(shot.notes.join(), /sent as JPEG at quality \d+: the PNG of \d+ KB is over --max-image-bytes 700000/);
    assert.match(textOf(result), /Screenshot: sent as JPEG at quality \d+/);
    assert.deepEqual(result.structuredContent.display, DISPLAY);
    const click = await server.ok('computer', { actions: [{ type: 'click', x: 1600, y: 850 }] });
    assert.equal(click.structuredContent.title, 'hit at 1600,850');
  });

  it('the computer-use model of run_task still gets the 1920x1080 PNG it was told about', async () => {
    fake.script([{ output: [fake.message('I see a busy page.')] }]);
    const run = await server.ok('run_task', { task: 'Look at the page', start_url: site.url('/busy') });
    assert.equal(run.structuredContent.status, 'completed');
    // The fake refuses any screenshot that is not a PNG of exactly the display size.
    assert.deepEqual(fake.violations, []);
    assert.equal(fake.received.length, 1);
    assert.ok(imageOf(run).data.length <= 700_000);
  });
});

describe('--max-image-pixels', () => {
  let server: ServerHandle;
  before(async () => {
    server = await startServer(['--display-size', '1920x1080', '--max-image-pixels', '960']);
  });
  after(() => server.close());

  it('scales the client image down, and the client clicks in the pixels of that image', async () => {
    const result = await server.ok('navigate', { url: site.url('/busy') });
    const size = imageSize(imageOf(result).data);
    assert.deepEqual([size?.width, size?.height], [960, 540]);
    assert.deepEqual(result.structuredContent.display, { width: 960, height: 540 });
    assert.match(
      textOf(result),
      /Screenshot: scaled from 1920x1080 to 960x540 \(--max-image-pixels\); coordinates are pixels of this image/,
    );
    // The button is at 750..850 x 400..450 in this image.
    const click = await server.ok('computer', { actions: [{ type: 'click', x: 800, y: 425 }] });
    assert.equal(click.structuredContent.title, 'hit at 1600,850');
    const outside = await server.call('computer', { actions: [{ type: 'click', x: 1600, y: 850 }] });
    assert.equal(outside.isError, true);
    assert.match(textOf(outside), /outside the 960x540 display/);
  });
});

describe('a page of noise over --max-image-bytes even as JPEG', () => {
  let server: ServerHandle;
  before(async () => {
    server = await startServer(['--display-size', '1920x1080', '--max-image-bytes', '150000']);
  });
  after(() => server.close());

  it('sends a smaller image, keeps coordinates in display pixels, and says how to map them', async () => {
    const result = await server.ok('navigate', { url: site.url('/noise') });
    const image = imageOf(result);
    assert.ok(image.data.length <= 150_000, `image of ${image.data.length} bytes`);
    const shot = result.structuredContent.screenshot as { width: number; height: number; scale: number; notes: string[] };
    assert.ok(shot.scale < 1, `scale ${shot.scale}`);
    assert.deepEqual(imageSize(image.data), { type: 'jpeg', width: shot.width, height: shot.height });
    assert.equal(shot.width, Math.round(1920 * shot.scale));
    assert.deepEqual(result.structuredContent.display, DISPLAY);
    assert.match(shot.notes.join(), /coordinates stay display pixels \(1920x1080\), so multiply positions in this image by [\d.]+/);
    // Whatever the image size, coordinates are display pixels.
    const click = await server.ok('computer', { actions: [{ type: 'click', x: 1600, y: 850 }] });
    assert.equal(click.structuredContent.title, 'hit at 1600,850');
  });
});
