import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright';
import { chromiumArgs, findExecutable } from '../src/browser/launcher.js';
import { parseOptions } from '../src/config.js';
import { resolveConfig } from '../src/mcp/server-config.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { startServer } from './helpers/mcp.js';

/** The same Chromium the server would pick on this machine. */
const executablePath = findExecutable(resolveConfig(parseOptions([]).raw)).path;

let site: FixtureServer;

async function waitForCdp(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/json/version`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Chromium did not open CDP on port ${port}`);
}

// Each case has a server and a browser of its own: they run side by side.
describe('where the browser comes from', { concurrency: true }, () => {
  before(async () => {
    site = await new FixtureServer({
      '/': page(
        '<script>document.title = "visits:" + (Number(localStorage.visits || 0) + 1); localStorage.visits = Number(localStorage.visits || 0) + 1</script>',
      ),
    }).start();
  });
  after(() => site.stop());

  it('drives a Chromium that runs elsewhere, over CDP', async () => {
    const port = 9300 + Math.floor(Math.random() * 500);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-cdp-'));
    // A browser started by someone else, as a remote browser pool would.
    const remote = spawn(
      executablePath!,
      ['--headless', ...chromiumArgs(), `--remote-debugging-port=${port}`, `--user-data-dir=${dataDir}`, 'about:blank'],
      { stdio: 'ignore', detached: true },
    );
    // The server connects on its first call: it starts while the browser opens its port.
    const [server] = await Promise.all([startServer(['--cdp-endpoint', `http://127.0.0.1:${port}`]), waitForCdp(port)]);
    try {
      const result = await server.ok('navigate', { url: site.url('/') });
      assert.equal(result.structuredContent.title, 'visits:1');
      const list = await server.ok('list_sessions', {});
      assert.match(String(list.structuredContent.browser), /over CDP at http:\/\/127\.0\.0\.1/);
    } finally {
      await server.close();
      // The whole process group: Chromium's helper processes outlive its main process briefly and keep writing the profile.
      const exited = new Promise((r) => remote.once('exit', r));
      process.kill(-remote.pid!, 'SIGKILL');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  });

  it('drives a Playwright browser server', async () => {
    const remote = await chromium.launchServer({ executablePath, args: chromiumArgs() });
    const server = await startServer(['--browser-endpoint', remote.wsEndpoint()]);
    try {
      const result = await server.ok('navigate', { url: site.url('/') });
      assert.equal(result.structuredContent.title, 'visits:1');
      const list = await server.ok('list_sessions', {});
      assert.match(String(list.structuredContent.browser), /browser server at ws:/);
    } finally {
      await server.close();
      await remote.close();
    }
  });

  it('keeps a persistent profile between server runs', async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-profile-'));
    try {
      for (const expected of ['visits:1', 'visits:2']) {
        const server = await startServer(['--user-data-dir', profile]);
        try {
          const result = await server.ok('navigate', { url: site.url('/') });
          assert.equal(result.structuredContent.title, expected);
        } finally {
          await server.close();
        }
      }
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});
