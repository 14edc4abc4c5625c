import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../../src/browser/launcher.js';
import { parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';
import { freePort } from './loopback-server.js';
import { commandLine, descendants, isAlive } from './processes.js';

const DEPLOY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy');
/** The files we ship: the tests run (and read) them as they are. */
export const FARM_CONFIG = path.join(DEPLOY, 'haproxy/browsers.cfg');
export const FARM_MANIFEST = path.join(DEPLOY, 'kubernetes/browser-farm.yaml');

/** The Chromium the hosts run: this machine's, named by the MCP server (--executable-path) since run-server would look for Playwright's own. */
export const HOST_CHROMIUM = findExecutable(resolveConfig(parseOptions([]).raw)).path!;

/** How long a browser server or HAProxy may take to listen. */
const START_MS = 30_000;

const playwrightCli = path.join(path.dirname(createRequire(import.meta.url).resolve('playwright/package.json')), 'cli.js');

/** Resolves with what `child` printed once `pattern` shows up on its stdout or stderr; rejects if it exits or misses the deadline. */
function printed(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${START_MS} ms: ${output}`)), START_MS);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${output}`));
    });
  });
}

/** One browser host: `playwright run-server` on 127.0.0.1, launching a browser per connection. */
export class BrowserHost {
  private constructor(
    readonly process: ChildProcess,
    /** host:port, for the load balancer. */
    readonly address: string,
  ) {}

  /** --unsafe: the hosts have only Debian's Chromium, so the client names it (--executable-path) along with our Chromium flags. */
  static async start(): Promise<BrowserHost> {
    const child = spawn(process.execPath, [playwrightCli, 'run-server', '--host', '127.0.0.1', '--port', '0', '--unsafe'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [, address] = await printed(child, /Listening on ws:\/\/([\d.]+:\d+)\//, 'playwright run-server');
    return new BrowserHost(child, address!);
  }

  /** The browsers this host runs (their main processes): one per session connected to it. */
  browsers(): number[] {
    const pid = this.process.pid!;
    // The main process: Playwright drives it over a pipe; its helpers (renderers, GPU, zygotes) carry a --type.
    return descendants(pid).filter((p) => {
      const args = commandLine(p);
      return isAlive(p) && args.includes('--remote-debugging-pipe') && !args.some((arg) => arg.startsWith('--type='));
    });
  }

  /** Kills the host outright, as a machine that dies would; its browsers lose their pipe to it. */
  async kill(): Promise<void> {
    const browsers = this.browsers();
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGKILL');
    await exited;
    for (const pid of browsers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone with its host already
      }
    }
  }
}

/** What --browser-endpoint names for a balancer listening at `bind` (host:port). */
export const farmEndpoint = (bind: string) => `ws://${bind}/`;

/** HAProxy (Debian's package) running deploy/haproxy/browsers.cfg in front of two hosts. */
export class FarmBalancer {
  private constructor(
    private readonly process: ChildProcess,
    /** What --browser-endpoint names. */
    readonly endpoint: string,
    private readonly dir: string,
  ) {}

  /** Listens at `bind`: a free port picked beforehand lets MCP servers that name it start while the hosts do. */
  static async start(hosts: [BrowserHost, BrowserHost], bind?: string): Promise<FarmBalancer> {
    bind ??= `127.0.0.1:${await freePort()}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-farm-'));
    const env = {
      ...process.env,
      FARM_BIND: bind,
      FARM_HOST1: hosts[0].address,
      FARM_HOST2: hosts[1].address,
      FARM_STATS_SOCKET: path.join(dir, 'stats.sock'),
    };
    // -db: stay in the foreground; -V: its last word before serving names the polling mechanism (it listens by then).
    const child = spawn('haproxy', ['-db', '-V', '-f', FARM_CONFIG], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    await printed(child, /Using \w+\(\) as the polling mechanism/, 'haproxy');
    return new FarmBalancer(child, farmEndpoint(bind), dir);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
