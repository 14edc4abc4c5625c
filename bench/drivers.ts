import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { chromiumArgs } from '../src/browser/launcher.js';
import { dragSteps } from '../src/browser/input/playwright-computer.js';
import { onDemand } from '../test/helpers/on-demand.js';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUR_CLI = path.join(ROOT, 'dist/src/cli.js');

export interface Point {
  x: number;
  y: number;
}

/** A way to drive the browser, as one contender of the benchmark. Every action returns the screenshot its caller would see next. */
export interface ClickDriver {
  readonly name: string;
  /** Untimed setup: a single tab showing `url`. */
  open(url: string): Promise<void>;
  click(at: Point): Promise<Buffer>;
  close(): Promise<void>;
}

export interface Driver extends ClickDriver {
  type(text: string): Promise<Buffer>;
  drag(path: Point[]): Promise<Buffer>;
  scroll(at: Point, dy: number): Promise<Buffer>;
}

/** An MCP server spawned over stdio with the real SDK client, as an MCP host would run it. */
export class McpProcess {
  private constructor(
    readonly client: Client,
    private readonly transport: StdioClientTransport,
    readonly stderr: () => string,
  ) {}

  static async spawn(args: string[], env: Record<string, string> = {}): Promise<McpProcess> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args,
      env: { ...(process.env as Record<string, string>), ...env },
      stderr: 'pipe',
      cwd: ROOT,
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    const client = new Client({ name: 'cua-mcp-bench', version: '1.0.0' });
    await client.connect(transport);
    return new McpProcess(client, transport, () => stderr);
  }

  get pid(): number {
    if (!this.transport.pid) throw new Error('server process has no pid');
    return this.transport.pid;
  }

  async call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
    const result = (await this.client.callTool({ name, arguments: args }, undefined, { timeout: 300_000 })) as CallToolResult;
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content).slice(0, 500)}\n${this.stderr().slice(-2000)}`);
    return result;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export function imageOf(result: CallToolResult): Buffer {
  const image = result.content.find((c) => c.type === 'image');
  if (!image || image.type !== 'image') throw new Error(`no image in result: ${JSON.stringify(result.content).slice(0, 300)}`);
  return Buffer.from(image.data, 'base64');
}

/** Our server: `node dist/src/cli.js --headless ...`, every step one `computer` call that returns the screenshot. */
export class OurServer implements Driver {
  readonly name = 'cua-mcp (ours)';
  sessionId: string | undefined;
  /** Tabs open in the session after the last action (a popup adds one). */
  private tabs = 0;
  private constructor(readonly mcp: McpProcess) {}

  static async start(args: string[] = [], env: Record<string, string> = {}): Promise<OurServer> {
    return new OurServer(await McpProcess.spawn(OurServer.cliArgs(args), { CUA_LOG_LEVEL: 'warn', ...env }));
  }

  static cliArgs(extra: string[] = []): string[] {
    return [OUR_CLI, '--headless', '--executable-path', CHROMIUM, ...extra];
  }

  /** Navigates the session's tab; after a popup, a fresh session instead, so tabs do not pile up. */
  async open(url: string): Promise<void> {
    if (this.sessionId && this.tabs <= 1) {
      await this.mcp.call('navigate', { session_id: this.sessionId, url });
      return;
    }
    const previous = this.sessionId;
    const result = await this.mcp.call('new_session', { start_url: url });
    this.sessionId = (result.structuredContent as { session_id: string }).session_id;
    this.tabs = 1;
    if (previous) await this.mcp.call('close_session', { session_id: previous });
  }

  private async act(actions: Record<string, unknown>[]): Promise<Buffer> {
    const result = await this.mcp.call('computer', { session_id: this.sessionId, actions });
    this.tabs = (result.structuredContent as { tabs: unknown[] }).tabs.length;
    return imageOf(result);
  }

  click(at: Point): Promise<Buffer> {
    return this.act([{ type: 'click', x: at.x, y: at.y, button: 'left' }]);
  }

  type(text: string): Promise<Buffer> {
    return this.act([{ type: 'type', text }]);
  }

  drag(path: Point[]): Promise<Buffer> {
    return this.act([{ type: 'drag', path }]);
  }

  scroll(at: Point, dy: number): Promise<Buffer> {
    return this.act([{ type: 'scroll', x: at.x, y: at.y, scroll_x: 0, scroll_y: dy }]);
  }

  close(): Promise<void> {
    return this.mcp.close();
  }
}

/** Playwright in this process, on the same Chromium with the same flags: what the browser itself costs. */
export class BarePlaywright implements Driver {
  readonly name = 'bare Playwright';
  private context: BrowserContext | undefined;
  page!: Page;
  private constructor(readonly browser: Browser) {}

  static async start(): Promise<BarePlaywright> {
    return new BarePlaywright(await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs() }));
  }

  /** Navigates the tab; after a popup, a fresh context instead, as our server does. */
  async open(url: string): Promise<void> {
    if (!this.context || this.context.pages().length > 1) {
      await this.context?.close();
      this.context = await this.browser.newContext({ viewport: { width: 1024, height: 768 }, deviceScaleFactor: 1 });
      this.page = await this.context.newPage();
    }
    await this.page.goto(url);
  }

  async click(at: Point): Promise<Buffer> {
    await this.page.mouse.click(at.x, at.y);
    return this.page.screenshot();
  }

  async type(text: string): Promise<Buffer> {
    await this.page.keyboard.type(text);
    return this.page.screenshot();
  }

  /** One mouse move per point, or, with `stepPx`, interpolated moves as our server makes them. */
  async drag(path: Point[], interpolate = false): Promise<Buffer> {
    const [start, ...rest] = path;
    await this.page.mouse.move(start!.x, start!.y);
    await this.page.mouse.down();
    let from = start!;
    for (const to of rest) {
      await this.page.mouse.move(to.x, to.y, { steps: interpolate ? dragSteps(from, to) : 1 });
      from = to;
    }
    await this.page.mouse.up();
    return this.page.screenshot();
  }

  dragLikeOurs(path: Point[]): Promise<Buffer> {
    return this.drag(path, true);
  }

  async scroll(at: Point, dy: number): Promise<Buffer> {
    await this.page.mouse.move(at.x, at.y);
    await this.page.mouse.wheel(0, dy);
    return this.page.screenshot();
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

/** `@playwright/mcp` with its defaults and the vision capability, on the same Chromium: a click, then a screenshot call. */
export class PlaywrightMcp implements ClickDriver {
  readonly name = '@playwright/mcp';
  private constructor(readonly mcp: McpProcess) {}

  /** Its command line; the package installs on first use into scripts/playwright-mcp (a user's npm install does not carry it). */
  static async cliArgs(outputDir: string): Promise<string[]> {
    const cli = path.join(await onDemand('playwright-mcp'), '@playwright/mcp/cli.js');
    return [
      cli,
      '--headless',
      '--executable-path',
      CHROMIUM,
      '--caps',
      'vision',
      '--isolated',
      '--no-sandbox',
      '--viewport-size',
      '1024x768',
      '--output-dir',
      outputDir,
    ];
  }

  static async start(outputDir: string): Promise<PlaywrightMcp> {
    return new PlaywrightMcp(await McpProcess.spawn(await PlaywrightMcp.cliArgs(outputDir)));
  }

  async open(url: string): Promise<void> {
    // Close tabs earlier popups left, so the next click starts from one tab.
    for (;;) {
      const tabs = await this.mcp.call('browser_tabs', { action: 'list' });
      const text = tabs.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      if ((text.match(/^- \d+:/gm) ?? []).length <= 1) break;
      await this.mcp.call('browser_tabs', { action: 'close', index: 1 });
    }
    await this.mcp.call('browser_navigate', { url });
  }

  async screenshot(): Promise<Buffer> {
    return imageOf(await this.mcp.call('browser_take_screenshot', {}));
  }

  async click(at: Point): Promise<Buffer> {
    await this.mcp.call('browser_mouse_click_xy', { x: at.x, y: at.y });
    return this.screenshot();
  }

  close(): Promise<void> {
    return this.mcp.close();
  }
}
