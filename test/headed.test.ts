import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { imageOf, startServer } from './helpers/mcp.js';
import { decodePng } from './helpers/png.js';

const XVFB = '/usr/bin/Xvfb';
// .ci/run installs xvfb; elsewhere (macOS, Windows, Linux without it) there is no virtual display to test with.
const skip = fs.existsSync(XVFB) ? false : `needs ${XVFB} (apt-get install xvfb)`;

describe('a visible browser window', { skip }, () => {
  let xvfb: ChildProcess;
  const display = `:${100 + (process.pid % 400)}`;

  before(async () => {
    xvfb = spawn(XVFB, [display, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    const socket = `/tmp/.X11-unix/X${display.slice(1)}`;
    for (let i = 0; i < 100 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(fs.existsSync(socket), `Xvfb did not start on ${display}`);
  });
  after(() => {
    xvfb.kill();
  });

  it('runs headed on a display, and screenshots keep the display size', async () => {
    const server = await startServer(['--headed'], { DISPLAY: display });
    try {
      const shot = await server.ok('screenshot', {});
      const png = decodePng(imageOf(shot).data);
      assert.deepEqual([png.width, png.height], [1024, 768]);
      const list = await server.ok('list_sessions', {});
      assert.match(String(list.structuredContent.browser), /, headed/);
    } finally {
      await server.close();
    }
  });
});
