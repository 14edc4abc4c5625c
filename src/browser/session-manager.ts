import { randomUUID } from 'node:crypto';
import type { ServerConfig } from '../config.js';
import { log } from '../log.js';
import { openBrowser, type BrowserHandle } from './launcher.js';
import { BrowserSession } from './session.js';

export class SessionNotFoundError extends Error {}
export class SessionLimitError extends Error {}

/**
 * All browser sessions of the process. The browser starts lazily with the
 * first session; each session belongs to the connection (owner) that
 * created it, and idle sessions are closed.
 */
export class SessionManager {
  private browser: Promise<BrowserHandle> | undefined;
  private readonly sessions = new Map<string, BrowserSession>();
  private readonly sweeper: NodeJS.Timeout | undefined;
  /** Sessions being created: counted against maxSessions before their browser context exists. */
  private opening = 0;

  constructor(readonly config: ServerConfig) {
    if (config.idleTimeoutMs > 0) {
      this.sweeper = setInterval(() => void this.closeIdle(), Math.min(config.idleTimeoutMs, 60_000));
      this.sweeper.unref();
    }
  }

  /** Starts (or reuses) the browser; concurrent callers share one launch. */
  private handle(): Promise<BrowserHandle> {
    if (!this.browser) {
      const launching = openBrowser(this.config, { viewport: this.config.display, acceptDownloads: true, deviceScaleFactor: 1 });
      this.browser = launching;
      launching.then(
        (handle) =>
          handle.onDisconnected(() => {
            if (this.browser === launching) this.browser = undefined;
            log.warn('the browser went away; the next call starts a new one');
            for (const session of this.sessions.values()) void session.close();
            this.sessions.clear();
          }),
        () => {
          if (this.browser === launching) this.browser = undefined;
        },
      );
    }
    return this.browser;
  }

  async browserDescription(): Promise<string | undefined> {
    if (!this.browser) return undefined;
    return this.browser.then((h) => h.description).catch(() => undefined);
  }

  async create(owner: string, options: { id?: string; startUrl?: string } = {}): Promise<BrowserSession> {
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
      const context = await handle.newContext({ viewport: this.config.display, acceptDownloads: true, deviceScaleFactor: 1 });
      session = new BrowserSession(options.id ?? randomUUID(), owner, context, this.config, !handle.sharedContext);
    } finally {
      this.opening--;
    }
    this.sessions.set(session.id, session);
    try {
      await session.openStartPage(options.startUrl ?? this.config.startUrl);
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
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await browser.then((h) => h.close()).catch(() => {});
  }
}
