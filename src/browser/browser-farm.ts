import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright';
import type { BrowserConfig } from './browser-config.js';
import { log } from '../log.js';
import { withDeadline } from './deadline.js';
import { chromiumArgs } from './launcher.js';
import { engine } from './playwright.js';

/** A session's browser host went away (stopped, crashed, cut off): its pages, cookies and tabs are gone with it. */
export class BrowserHostGoneError extends Error {}

const shuttingDown = () => new Error('The server is shutting down; no browser is connected.');

/** How long connecting (and opening the context) may take: `playwright run-server` launches a browser for each connection before it answers. */
const CONNECT_MS = 60_000;

/**
 * Browsers on Playwright browser servers (--browser-endpoint): one server,
 * or a pool of them behind a TCP load balancer. Each session gets a
 * connection of its own, so the balancer spreads sessions over the hosts,
 * and a host that goes away takes only the sessions connected to it. Those
 * end (BrowserSession.end) rather than being reopened on another host
 * without their cookies and logins; the other sessions go on.
 */
export class BrowserFarm {
  private readonly connections = new Set<Browser>();
  private version: string | undefined;
  private stopped = false;

  constructor(
    private readonly config: BrowserConfig & { browserEndpoint: string },
    private readonly contextOptions: BrowserContextOptions,
  ) {}

  /**
   * A context on a new connection for session `sessionId`. When the context
   * closes, so does its connection; `ended` hears of it with the error the
   * session's calls should get (the session ignores it if it closed itself).
   */
  async openContext(sessionId: string, ended: (reason: BrowserHostGoneError) => void): Promise<BrowserContext> {
    const browser = await this.connect();
    let context: BrowserContext;
    try {
      context = await withDeadline(browser.newContext(this.contextOptions), CONNECT_MS, 'opening a context on the browser server');
    } catch (error) {
      await this.disconnect(browser);
      throw error;
    }
    const gone = () => {
      void this.disconnect(browser);
      ended(
        new BrowserHostGoneError(
          `The browser host of session ${sessionId} went away (the browser server behind ${this.config.browserEndpoint} closed the connection: it was stopped, crashed or cut off), ` +
            'and the session with it: its pages, cookies and tabs are gone. Open a new session (new_session, or omit session_id for a new default one); it opens on a host that is up.',
        ),
      );
    };
    // The context closes first when the connection drops (before calls in flight fail); the disconnect covers the rest.
    context.on('close', gone);
    browser.on('disconnected', gone);
    return context;
  }

  private async connect(): Promise<Browser> {
    if (this.stopped) throw shuttingDown();
    const endpoint = this.config.browserEndpoint;
    // What `playwright run-server` launches for this connection. It keeps only headless unless started with --unsafe,
    // which lets our Chromium flags and --executable-path (a path on the hosts) through; launch-server ignores it.
    const launchOptions = {
      headless: this.config.headless,
      args: this.config.browser === 'chromium' ? chromiumArgs() : [],
      ...(this.config.executablePath ? { executablePath: this.config.executablePath } : {}),
    };
    let browser: Browser;
    try {
      browser = await engine(this.config.browser).connect(endpoint, {
        headers: { 'x-playwright-launch-options': JSON.stringify(launchOptions) },
        timeout: CONNECT_MS,
      });
    } catch (error) {
      throw new Error(
        `Could not connect to the ${this.config.browser} browser server at ${endpoint}: ${(error as Error).message.split('\n')[0]}. ` +
          'Check that the browser servers run (npx playwright run-server) with the same Playwright major.minor version as this server, and that the address (or the load balancer in front of them) is right.',
        { cause: error },
      );
    }
    if (this.stopped) {
      await browser.close().catch(() => {});
      throw shuttingDown();
    }
    this.connections.add(browser);
    if (this.version === undefined)
      log.info(`browser: ${this.config.browser} browser server at ${endpoint} (${browser.version()}), a connection per session`);
    this.version = browser.version();
    return browser;
  }

  private async disconnect(browser: Browser): Promise<void> {
    this.connections.delete(browser);
    await browser.close().catch(() => {});
  }

  /** What drives the sessions, once a connection was made. */
  describe(): string | undefined {
    if (this.version === undefined) return undefined;
    return `${this.config.browser} browser server at ${this.config.browserEndpoint} (${this.version}), a connection per session (${this.connections.size} open)`;
  }

  /** Closes the connections left (the sessions closed theirs first); connections still being made are closed when they arrive. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.connections].map((browser) => this.disconnect(browser)));
  }
}
