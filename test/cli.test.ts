import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { providerSetup } from '../src/providers/index.js';
import { CLI, imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { commandLine, descendants, isAlive, until } from './helpers/processes.js';

/** Runs the CLI with stdin closed at once, to its exit; several run side by side. */
function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('cua-mcp command line', () => {
  it('--help lists every option with its environment variable', async () => {
    const run = await cli(['--help']);
    assert.equal(run.status, 0);
    for (const text of [
      '--display-size',
      'CUA_DISPLAY_SIZE',
      '--executable-path',
      'CUA_EXECUTABLE_PATH',
      '--cdp-endpoint',
      '--browser-endpoint',
      '--user-data-dir',
      '--image-format',
      '--output-dir',
      '--headless',
      '--headed',
      '--start-url',
    ]) {
      assert.ok(run.stdout.includes(text), `--help lacks ${text}`);
    }
  });

  it('-h is --help, and --help names CUA_LOG_LEVEL; --version prints the package version', async () => {
    const [short, long, printed] = await Promise.all([cli(['-h']), cli(['--help']), cli(['--version'])]);
    assert.equal(short.status, 0);
    assert.equal(short.stdout, long.stdout);
    assert.match(
      short.stdout,
      /--log-level <value> +What the server logs to stderr: debug, info, warn or error \(default: info\)\s+env: CUA_LOG_LEVEL/,
    );
    assert.match(short.stdout, /--version/);

    const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(CLI), '../../package.json'), 'utf8')) as { version: string };
    assert.equal(printed.status, 0);
    assert.equal(printed.stdout, `${version}\n`);
  });

  it('--log-level (CUA_LOG_LEVEL) sets what reaches stderr', async () => {
    const [quiet, chatty] = await Promise.all([
      cli(['--headless', '--log-level', 'warn']),
      cli(['--headless'], { ...process.env, CUA_LOG_LEVEL: 'debug' }),
    ]);
    assert.equal(quiet.status, 0);
    assert.doesNotMatch(quiet.stderr, /info:/);
    assert.match(chatty.stderr, /info: shutting down \(client disconnected\)/);
  });

  it('refuses a bad option value at start, on stderr, with what to do', async () => {
    const [run, unknown] = await Promise.all([cli(['--display-size', 'huge']), cli(['--no-such-flag'])]);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '', 'stdout carries protocol messages only');
    assert.match(
      run.stderr,
      /--display-size \(CUA_DISPLAY_SIZE\) must be WIDTHxHEIGHT in pixels, from 200x200 to 7680x4320 \(e\.g\. 1024x768\), got "huge"/,
    );
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no-such-flag.*cua-mcp --help/s);
  });

  it('says exactly how to install a browser when none is found', async () => {
    const [server, missing] = await Promise.all([
      startServer(['--browser', 'firefox'], { CUA_EXECUTABLE_PATH: '' }),
      startServer(['--executable-path', '/nonexistent/chrome']),
    ]);
    try {
      const result = await server.call('screenshot', {});
      assert.equal(result.isError, true);
      assert.match(textOf(result), /No firefox browser found.*npx playwright install firefox/);
      const again = await missing.call('screenshot', {});
      assert.match(textOf(again), /--executable-path \/nonexistent\/chrome does not exist.*npx playwright install chromium/);
    } finally {
      await Promise.all([server.close(), missing.close()]);
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
      send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 8,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
        }),
      );
      const init = await reply;
      assert.equal(init.id, 8);
      assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, 'cua-mcp-server');
    } finally {
      child.kill();
    }
  });

  it("--help names every provider's credential variables (from the provider specs), the desktop, and the real output directory", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-help-'));
    try {
      const help = await cli(['--help'], { ...process.env, TMPDIR: tmp });
      assert.equal(help.status, 0);
      for (const line of providerSetup()) assert.ok(help.stdout.includes(line), `--help lacks: ${line}`);
      for (const name of [
        'OPENAI_API_KEY',
        'OPENAI_BASE_URL',
        'AZURE_OPENAI_ENDPOINT',
        'AZURE_OPENAI_API_KEY',
        'AZURE_OPENAI_API_VERSION',
        'ANTHROPIC_API_KEY',
        'GEMINI_API_KEY',
      ]) {
        assert.ok(help.stdout.includes(name), `--help lacks ${name}`);
      }
      assert.match(help.stdout.split('\n')[0]!, /browser, or a Linux X desktop/);
      assert.doesNotMatch(help.stdout, /<tmp>/);
      assert.match(
        help.stdout,
        new RegExp(`--output-dir <value> .*\\(default: ${path.join(tmp, 'cua-mcp').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`),
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('--version answers without loading the server: it works where only the entry module is', () => {
    // A copy of the entry alone, beside package.json: importing anything of the server from it would fail.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-version-'));
    try {
      const src = path.join(root, 'dist', 'src');
      fs.mkdirSync(src, { recursive: true });
      fs.copyFileSync(path.join(path.dirname(CLI), '../../package.json'), path.join(root, 'package.json'));
      for (const file of ['cli.js', 'version.js', 'log.js', 'redact.js'])
        fs.copyFileSync(path.join(path.dirname(CLI), file), path.join(src, file));
      const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
      const run = spawnSync(process.execPath, [path.join(src, 'cli.js'), '--version'], { encoding: 'utf8' });
      assert.equal(run.stderr, '');
      assert.equal(run.stdout, `${version}\n`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('stops itself and its browser when the process that started it goes away (npm start, stopped with SIGTERM)', async () => {
    const root = path.resolve(path.dirname(CLI), '../..');
    // npm start runs `sh -c "node dist/src/cli.js ..."` and, stopped, does not pass the signal on to the server.
    const npm = spawn('npm', ['start', '--', '--port', '0', '--headless'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CUA_LOG_LEVEL: 'info' },
    });
    let stderr = '';
    npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const url = await until(() => /serving MCP over Streamable HTTP at (\S+)/.exec(stderr)?.[1], Boolean, 60_000);
      assert.ok(url, `the server did not start:\n${stderr}`);
      const client = new Client({ name: 'cua-mcp-tests', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const opened = await client.callTool({ name: 'new_session', arguments: {} });
      assert.notEqual(opened.isError, true, JSON.stringify(opened));
      const server = descendants(npm.pid!).find((pid) => commandLine(pid).some((arg) => arg.endsWith('dist/src/cli.js')));
      assert.ok(server, 'the server process under npm');
      const started = [server, ...descendants(server)];
      assert.ok(
        started.some((pid) => /chrom/i.test(commandLine(pid)[0] ?? '')),
        'the browser runs under the server',
      );
      await client.close().catch(() => {});

      npm.kill('SIGTERM');
      const alive = await until(
        () => started.filter(isAlive),
        (pids) => pids.length === 0,
        30_000,
      );
      assert.deepEqual(
        alive.map((pid) => commandLine(pid).join(' ')),
        [],
        'the server and its browser exited',
      );
      assert.match(stderr, /shutting down \(the process that started the server has exited\)/);
    } finally {
      npm.kill('SIGKILL');
    }
  });
});

// Calls that need a server but no browser share one (a start costs seconds on a busy machine); the last one closes it.
describe('one server, calls that need no browser', () => {
  let server: ServerHandle;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('serverInfo carries the package version', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(CLI), '../../package.json'), 'utf8')) as { version: string };
    assert.equal(server.client.getServerVersion()?.version, version);
  });

  it('spells every optional argument of every tool one way: anyOf [schema, {type: "null"}], never a type array', async () => {
    const { tools } = await server.client.listTools();
    const problems: string[] = [];
    const walk = (schema: Record<string, unknown>, where: string): void => {
      if (Array.isArray(schema.type)) problems.push(`${where}: type ${JSON.stringify(schema.type)}`);
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      const required = (schema.required ?? []) as string[];
      for (const [name, property] of Object.entries(properties)) {
        if (!required.includes(name)) {
          const branches = property.anyOf as Array<Record<string, unknown>> | undefined;
          const nulls = branches?.filter((b) => b.type === 'null').length ?? 0;
          if (branches?.length !== 2 || nulls !== 1)
            problems.push(`${where}.${name}: optional but not anyOf [schema, null]: ${JSON.stringify(property)}`);
        }
        walk(property, `${where}.${name}`);
      }
      for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
        ((schema[key] ?? []) as Array<Record<string, unknown>>).forEach((branch, i) => walk(branch, `${where}.${key}[${i}]`));
      }
      if (schema.items && typeof schema.items === 'object') walk(schema.items as Record<string, unknown>, `${where}[]`);
    };
    for (const tool of tools) walk(tool.inputSchema as Record<string, unknown>, tool.name);
    assert.deepEqual(problems, []);
    assert.ok(JSON.stringify(tools).includes('"anyOf"'), 'the walk saw optional arguments');
  });

  it('error responses carry their "MCP error <code>:" prefix once, for our errors and the SDK\'s', async () => {
    const ours = await server.client.readResource({ uri: 'cua-mcp://runs/20200101-000000-000-000000' }).then(
      () => assert.fail('read a run that does not exist'),
      (error: Error) => error.message,
    );
    // -32602, as MCP 2026-07-28 has every resources/read miss answered (the SDK sends it to 2025 clients too).
    assert.match(ours, /^MCP error -32602: No recorded run 20200101-000000-000-000000/);
    const sdks = await server.client.readResource({ uri: 'nothing://here' }).then(
      () => assert.fail('read a resource that does not exist'),
      (error: Error) => error.message,
    );
    assert.match(sdks, /^MCP error -32602: Resource not found: nothing:\/\/here/);
    for (const message of [ours, sdks]) assert.equal(message.match(/MCP error/g)?.length, 1, message);
  });

  it('lists tools without starting a browser', async () => {
    const { tools } = await server.client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ['computer', 'navigate', 'screenshot', 'new_session', 'list_sessions', 'close_session'])
      assert.ok(names.includes(name), `missing tool ${name}`);
    for (const tool of tools) assert.ok(tool.outputSchema, `${tool.name} declares no outputSchema`);
    // Read once the server has exited (after every call of this group): everything it did is in its log by then.
    await server.close();
    assert.doesNotMatch(server.stderr(), /browser:/);
  });
});
