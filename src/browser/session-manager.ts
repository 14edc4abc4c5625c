import { randomUUID } from 'node:crypto';
import type { BrowserContext, BrowserContextOptions } from 'playwright';
import type { ServerConfig } from '../config.js';
import { log } from '../log.js';
import { openBrowser, type BrowserHandle } from './launcher.js';
import { watchPopups } from './page-probes.js';
import { PolicyProxy } from './policy-proxy.js';
import { BrowserSession, NavigationBlockedError } from './session.js';

export class SessionNotFoundError extends Error {}
export class SessionLimitError extends Error {}

/**
 * All browser sessions of the process. The browser starts lazily with the
 * first session, and again on the next use after it crashed or was killed
 * (sessions keep their ids and reopen their last URL); each session belongs
 * to the connection (owner) that created it, and idle sessions are closed.
 */
export class SessionManager {
  private browser: Promise<BrowserHandle> | undefined;
  private proxy: Promise<PolicyProxy> | undefined;
  private readonly sessions = new Map<string, BrowserSession>();
  private readonly sweeper: NodeJS.Timeout | undefined;
  private readonly contextOptions: BrowserContextOptions;
  private stopped = false;
  /** A shared persistent context is handed out many times; it gets the popup watch once. */
  private readonly watchedContexts = new WeakSet<BrowserContext>();
  /** Sessions being created: counted against maxSessions before their browser context exists. */
  private opening = 0;

  constructor(readonly config: ServerConfig) {
    this.contextOptions = {
      viewport: config.display,
      acceptDownloads: true,
      // Below 1, Chromium renders and captures at the screenshot size while pages lay out at the display size.
      deviceScaleFactor: config.screenshot.scale,
      // Service-worker fetches bypass request routing; the host policy must see every request.
      serviceWorkers: config.domainPolicy.restrictsHosts ? 'block' : 'allow',
    };
    if (config.idleTimeoutMs > 0) {
      this.sweeper = setInterval(() => void this.closeIdle(), Math.min(config.idleTimeoutMs, 60_000));
      this.sweeper.unref();
    }
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
    const remote = Boolean(this.config.cdpEndpoint || this.config.browserEndpoint);
    if (policy.restrictsHosts && !remote) this.proxy ??= new PolicyProxy(policy).start();
    const proxy = this.proxy ? (await this.proxy).url : undefined;
    const handle = await openBrowser(this.config, this.contextOptions, { proxy });
    if (policy.restrictsHosts && remote) {
      log.warn(`domain policy: ${policy.describe()}, enforced by request routing only on a remote browser: redirect hops, WebSockets and preconnects are not checked`);
    } else if (policy.restrictsHosts) {
      log.info(`domain policy: ${policy.describe()} (enforced by routing and the proxy ${proxy})`);
    }
    return handle;
  }

  /** A context for a new session, or for one whose browser was restarted. */
  private async newContext(): Promise<BrowserContext> {
    const handle = await this.handle();
    const context = await handle.newContext(this.contextOptions);
    if (!this.watchedContexts.has(context)) {
      this.watchedContexts.add(context);
      await watchPopups(context);
    }
    return context;
  }

  async browserDescription(): Promise<string | undefined> {
    if (!this.browser) return undefined;
    return this.browser.then((h) => h.description).catch(() => undefined);
  }

  async create(owner: string, options: { id?: string; startUrl?: string } = {}): Promise<BrowserSession> {
    const startUrl = options.startUrl ?? this.config.startUrl;
    const verdict = this.config.domainPolicy.checkNavigation(startUrl);
    if (!verdict.allowed) throw new NavigationBlockedError(`Cannot open a session at ${startUrl}: blocked by the domain policy: ${verdict.reason}`);
    const max = this.config.maxSessions;
    if (max > 0 && this.openCount() + this.opening >= max) {
      throw new SessionLimitError(
        `${max} browser session(s) are already open, the most this server allows (--max-sessions). ` +
          'Close one you no longer need with close_session (list_sessions shows yours), then try again.',
      );
    }
    this.opening++;
    let session: BrowserSession;
    try {
      const handle = await this.handle();
      session = new BrowserSession(options.id ?? randomUUID(), owner, () => this.newContext(), this.config, !handle.sharedContext);
      await session.page();
    } finally {
      this.opening--;
    }
    this.sessions.set(session.id, session);
    try {
      await session.openStartPage(startUrl);
    } catch (error) {
      log.warn(`session ${session.id}: start page did not load`, error);
    }
    log.info(`session ${session.id} opened`);
    return session;
  }

  private openCount(): number {
    return [...this.sessions.values()].filter((s) => !s.isClosed).length;
  }

  /** The session with this id, if the owner may use it. */
  get(id: string, owner: string): BrowserSession {
    const session = this.sessions.get(id);
    if (!session || session.isClosed || session.owner !== owner) {
      throw new SessionNotFoundError(`No browser session "${id}". Call list_sessions to see the open ones, or omit session_id to use the default session.`);
    }
    return session;
  }

  find(id: string, owner: string): BrowserSession | undefined {
    const session = this.sessions.get(id);
    return session && !session.isClosed && session.owner === owner ? session : undefined;
  }

  list(owner: string): BrowserSession[] {
    return [...this.sessions.values()].filter((s) => s.owner === owner && !s.isClosed);
  }

  async close(id: string, owner: string): Promise<void> {
    const session = this.get(id, owner);
    this.sessions.delete(id);
    await session.close();
    log.info(`session ${id} closed`);
  }

  async closeOwnedBy(owner: string): Promise<void> {
    await Promise.all(this.list(owner).map((s) => this.close(s.id, owner)));
  }

  private async closeIdle(): Promise<void> {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (!session.busy && now - session.lastUsedAt > this.config.idleTimeoutMs) {
        log.info(`session ${session.id} idle for ${Math.round((now - session.lastUsedAt) / 1000)} s; closing it`);
        this.sessions.delete(session.id);
        await session.close();
      }
    }
  }

  /** Closes every session and the browser. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await browser.then((h) => h.close()).catch(() => {});
    const proxy = this.proxy;
    this.proxy = undefined;
    if (proxy) await proxy.then((p) => p.close()).catch(() => {});
  }
}
