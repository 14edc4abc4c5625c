import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { describe, it } from 'node:test';
import { CLI, imageOf, startServer, textOf } from './helpers/mcp.js';

describe('cua-mcp command line', () => {
  it('--help lists every option with its environment variable', () => {
    const run = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    for (const text of ['--display-size', 'CUA_DISPLAY_SIZE', '--executable-path', 'CUA_EXECUTABLE_PATH', '--cdp-endpoint', '--browser-endpoint', '--user-data-dir', '--image-format', '--output-dir', '--headless', '--headed', '--start-url']) {
      assert.ok(run.stdout.includes(text), `--help lacks ${text}`);
    }
  });

  it('-h is --help, and --help names CUA_LOG_LEVEL; --version prints the package version, as serverInfo does', async () => {
    const short = spawnSync(process.execPath, [CLI, '-h'], { encoding: 'utf8' });
    assert.equal(short.status, 0);
    assert.equal(short.stdout, spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout);
    assert.match(short.stdout, /--log-level <value> +What the server logs to stderr: debug, info, warn or error \(default: info\)\s+env: CUA_LOG_LEVEL/);
    assert.match(short.stdout, /--version/);

    const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(CLI), '../../package.json'), 'utf8')) as { version: string };
    const printed = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    assert.equal(printed.status, 0);
    assert.equal(printed.stdout, `${version}\n`);
    const server = await startServer();
    try {
      assert.equal(server.client.getServerVersion()?.version, version);
    } finally {
      await server.close();
    }
  });

  it('--log-level (CUA_LOG_LEVEL) sets what reaches stderr, and a bad level is refused', () => {
    const quiet = spawnSync(process.execPath, [CLI, '--headless', '--log-level', 'warn'], { encoding: 'utf8', input: '' });
    const chatty = spawnSync(process.execPath, [CLI, '--headless'], { encoding: 'utf8', input: '', env: { ...process.env, CUA_LOG_LEVEL: 'debug' } });
    assert.equal(quiet.status, 0);
    assert.doesNotMatch(quiet.stderr, /info:/);
    assert.match(chatty.stderr, /info: shutting down \(client disconnected\)/);
    const bad = spawnSync(process.execPath, [CLI, '--log-level', 'verbose'], { encoding: 'utf8', input: '' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--log-level \(CUA_LOG_LEVEL\) must be one of debug, info, warn, error, got "verbose"/);
  });

  it('refuses a bad option value at start, on stderr, with what to do', () => {
    const run = spawnSync(process.execPath, [CLI, '--display-size', 'huge'], { encoding: 'utf8', input: '' });
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '', 'stdout carries protocol messages only');
    assert.match(run.stderr, /--display-size \(CUA_DISPLAY_SIZE\) must look like 1024x768, got "huge"/);
    const unknown = spawnSync(process.execPath, [CLI, '--no-such-flag'], { encoding: 'utf8', input: '' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no-such-flag.*cua-mcp --help/s);
  });

  it('lists tools without starting a browser', async () => {
    const server = await startServer();
    try {
      const { tools } = await server.client.listTools();
      const names = tools.map((t) => t.name);
      for (const name of ['computer', 'navigate', 'screenshot', 'new_session', 'list_sessions', 'close_session']) assert.ok(names.includes(name), `missing tool ${name}`);
      for (const tool of tools) assert.ok(tool.outputSchema, `${tool.name} declares no outputSchema`);
      await new Promise((r) => setTimeout(r, 200));
      assert.doesNotMatch(server.stderr(), /browser:/);
    } finally {
      await server.close();
    }
  });

  it('says exactly how to install a browser when none is found', async () => {
    const server = await startServer(['--browser', 'firefox'], { CUA_EXECUTABLE_PATH: '' });
    try {
      const result = await server.call('screenshot', {});
      assert.equal(result.isError, true);
      assert.match(textOf(result), /No firefox browser found.*npx playwright install firefox/);
      const missing = await startServer(['--executable-path', '/nonexistent/chrome']);
      try {
        const again = await missing.call('screenshot', {});
        assert.match(textOf(again), /--executable-path \/nonexistent\/chrome does not exist.*npx playwright install chromium/);
      } finally {
        await missing.close();
      }
    } finally {
      await server.close();
    }
  });

  it('takes options from the environment: display size and JPEG screenshots', async () => {
    const server = await startServer([], { CUA_DISPLAY_SIZE: '800x600', CUA_IMAGE_FORMAT: 'jpeg', CUA_IMAGE_QUALITY: '50' });
    try {
      const result = await server.ok('screenshot', {});
      const image = imageOf(result);
      assert.equal(image.mimeType, 'image/jpeg');
      assert.equal(image.data.subarray(0, 2).toString('hex'), 'ffd8');
      assert.deepEqual(result.structuredContent.display, { width: 800, height: 600 });
      const outside = await server.call('computer', { actions: [{ type: 'click', x: 900, y: 10 }] });
      assert.match(textOf(outside), /outside the 800x600 display/);
    } finally {
      await server.close();
    }
  });

  it('answers lines that are not JSON-RPC instead of leaving the client waiting', async () => {
    const child = spawn(process.execPath, [CLI, '--headless'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const replies = readline.createInterface({ input: child.stdout });
    const next = () => new Promise<Record<string, unknown>>((resolve) => replies.once('line', (line) => resolve(JSON.parse(line))));
    try {
      const send = (line: string) => child.stdin.write(line + '\n');
      let reply = next();
      send('this is not json');
      assert.deepEqual(((await reply).error as { code: number }).code, -32700);
      reply = next();
      send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: [] }));
      const invalid = await reply;
      assert.equal(invalid.id, 7);
      assert.equal((invalid.error as { code: number }).code, -32600);
      // The connection still works afterwards.
      reply = next();
      send(JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
      const init = await reply;
      assert.equal(init.id, 8);
      assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, 'cua-mcp-server');
    } finally {
      child.kill();
    }
  });

  it('refuses --headed at start when there is no display, saying what to do', () => {
    const env = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
    const run = spawnSync(process.execPath, [CLI, '--headed'], { encoding: 'utf8', input: '', env });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--headed needs a display.*xvfb-run cua-mcp --headed/);
  });
});
