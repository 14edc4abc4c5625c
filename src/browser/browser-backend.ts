import type { ChildEnvironment } from '../child-env.js';
import type { BrowserContext, BrowserContextOptions } from 'playwright';
import type { BrowserConfig } from './browser-config.js';
import { log } from '../log.js';
import type { SessionBackend } from '../session/backend.js';
import { BrowserFarm } from './browser-farm.js';
import { openBrowser, type BrowserHandle } from './launcher.js';
import { watchChanges } from './settle/change-watch.js';
import { watchPopups } from './settle/page-probes.js';
import { PolicyProxy } from './policy/proxy.js';
import { watchScrolling } from './settle/scroll-watch.js';
import { watchKeys } from './input/shortcuts.js';
import { NavigationBlockedError } from './navigation.js';
import { BrowserSession } from './session.js';
import { limitPopups } from './tabs/tab-limit.js';
import { normalizeUrl } from '../urls.js';

/**
 * Browser sessions: one browser, started lazily with the first session and
 * again on the next use after it crashed or was killed (sessions keep
 * their ids and reopen their last URL), one isolated context per session.
 * On Playwright browser servers (--browser-endpoint), each session has a
 * connection of its own instead (see browser-farm.ts).
 */
export class BrowserBackend implements SessionBackend {
  readonly environment = 'browser';
  private browser: Promise<BrowserHandle> | undefined;
  private proxy: Promise<PolicyProxy> | undefined;
  private readonly contextOptions: BrowserContextOptions;
  private stopped = false;
  /** A shared persistent context is handed out many times; it gets the popup watch once. */
  private readonly watchedContexts = new WeakSet<BrowserContext>();
  private readonly farm: BrowserFarm | undefined;

  constructor(
    private readonly config: BrowserConfig,
    private readonly childEnv: ChildEnvironment,
  ) {
    this.contextOptions = {
      viewport: config.display,
      acceptDownloads: true,
      // Below 1, Chromium renders and captures at the screenshot size while pages lay out at the display size.
      deviceScaleFactor: config.screenshot.scale,
      // Service-worker fetches bypass request routing; the host policy must see every request.
      serviceWorkers: config.domainPolicy.restrictsHosts ? 'block' : 'allow',
      // Read again for every context: each new session starts from the file as it is then.
      ...(config.storageState ? { storageState: config.storageState } : {}),
    };
    const { browserEndpoint } = config;
    if (browserEndpoint) {
      this.farm = new BrowserFarm({ ...config, browserEndpoint }, this.contextOptions);
      this.logRemotePolicy();
    }
  }

  /** Refuses a start page the domain policy forbids, before anything is opened. */
  checkStart(startUrl: string): void {
    const url = normalizeUrl(startUrl);
    const verdict = this.config.domainPolicy.checkNavigation(url);
    if (!verdict.allowed)
      throw new NavigationBlockedError(`Cannot open a session at ${url}: blocked by the domain policy: ${verdict.reason}`);
  }

  async open(id: string, owner: string, startUrl: string): Promise<BrowserSession> {
    const farm = this.farm;
    let session: BrowserSession;
    if (farm) {
      session = new BrowserSession(
        id,
        owner,
        () => farm.openContext(id, (reason) => session.end(reason)).then((c) => this.watch(c)),
        this.config,
        true,
      );
    } else {
      const handle = await this.handle();
      session = new BrowserSession(id, owner, () => this.newContext(), this.config, !handle.sharedContext);
    }
    try {
      await session.page();
    } catch (error) {
      // What was opened (a whole browser, on a browser server) must not outlive the session that failed to start.
      await session.close();
      throw error;
    }
    try {
      await session.openStartPage(startUrl);
    } catch (error) {
      log.warn(`session ${session.id}: start page did not load`, error);
    }
    return session;
  }

  /** Starts (or reuses) the browser; concurrent callers share one launch. */
  private handle(): Promise<BrowserHandle> {
    if (this.stopped) return Promise.reject(new Error('The server is shutting down; no browser is started.'));
    if (!this.browser) {
      const launching = this.launch();
      this.browser = launching;
      launching.then(
        (handle) =>
          handle.onDisconnected(() => {
            if (this.browser === launching) this.browser = undefined;
            // Sessions notice their context closing and reattach on their next use.
            if (!this.stopped) log.warn('the browser went away; the next call starts a new one');
          }),
        () => {
          if (this.browser === launching) this.browser = undefined;
        },
      );
    }
    return this.browser;
  }

  private async launch(): Promise<BrowserHandle> {
    const policy = this.config.domainPolicy;
    // A remote browser cannot reach our loopback proxy; routing alone guards it.
    const remote = Boolean(this.config.cdpEndpoint);
    if (policy.restrictsHosts && !remote) this.proxy ??= new PolicyProxy(policy).start();
    const proxy = this.proxy ? (await this.proxy).url : undefined;
    const handle = await openBrowser(this.config, this.contextOptions, { proxy, env: this.childEnv });
    if (remote) this.logRemotePolicy();
    else if (policy.restrictsHosts) log.info(`domain policy: ${policy.describe()} (enforced by routing and the proxy ${proxy})`);
    return handle;
  }

  private logRemotePolicy(): void {
    const policy = this.config.domainPolicy;
    if (policy.restrictsHosts) {
      log.warn(
        `domain policy: ${policy.describe()}, enforced by request routing only on a remote browser: redirect hops, WebSockets and preconnects are not checked`,
      );
    }
  }

  /** A context for a new session, or for one whose browser was restarted. */
  private async newContext(): Promise<BrowserContext> {
    const handle = await this.handle();
    return this.watch(await handle.newContext(this.contextOptions));
  }

  /** Installs the page watches a session's context needs (once, for a shared persistent context). */
  private async watch(context: BrowserContext): Promise<BrowserContext> {
    if (!this.watchedContexts.has(context)) {
      this.watchedContexts.add(context);
      await watchPopups(context);
      await limitPopups(context);
      await watchScrolling(context);
      await watchChanges(context);
      await watchKeys(context);
    }
    return context;
  }

  async describe(): Promise<string | undefined> {
    if (this.farm) return this.farm.describe();
    if (!this.browser) return undefined;
    return this.browser.then((h) => h.description).catch(() => undefined);
  }

  /** Closes the browser (the sessions were closed first) and the policy proxy. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await browser.then((h) => h.close()).catch(() => {});
    await this.farm?.shutdown();
    const proxy = this.proxy;
    this.proxy = undefined;
    if (proxy) await proxy.then((p) => p.close()).catch(() => {});
  }
}
