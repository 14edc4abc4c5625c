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
  let display: string;

  before(async () => {
    // Xvfb picks a free display and writes its number to fd 3 once it accepts clients.
    xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    });
    const announced = new Promise<string>((resolve, reject) => {
      let text = '';
      xvfb.stdio[3]!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(`:${text.trim()}`);
      });
      xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before opening a display`)));
    });
    display = await announced;
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
