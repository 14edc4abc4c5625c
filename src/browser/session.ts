import type { BrowserContext, Page } from 'playwright';
import type { Screenshot } from '../computer/computer.js';
import type { BrowserConfig } from './browser-config.js';
import { log } from '../log.js';
import type { ComputerSession, LoginStorage, NavigationOutcome, ScreenState, Tabs } from '../session/computer-session.js';
import { ownerFolder } from '../session/principal-ids.js';
import { SessionCore } from '../session/session-core.js';
import { DeadlineError, withDeadline } from './deadline.js';
import { AddressBar } from './input/address-bar.js';
import { typesIntoPassword } from './input/password-field.js';
import { PlaywrightComputer } from './input/playwright-computer.js';
import type { BrowserWindow } from './input/shortcuts.js';
import { BrowserNavigation } from './navigation.js';
import { PageReports } from './page-events/page-reports.js';
import { guardContext } from './policy/guard.js';
import { Recovery } from './recovery/recovery.js';
import { captureDirect, capturePage } from './screen/capture.js';
import { readScreenState } from './screen/screen-state.js';
import { ActivityMonitor } from './settle/activity.js';
import { PendingSettle } from './settle/pending.js';
import { settle, type ActivityMark, type SettleScope } from './settle/settle.js';
import { saveStorageState } from './storage-state.js';
import { MAX_TABS } from './tabs/tab-limit.js';
import { TabList } from './tabs/tab-list.js';
import { normalizeUrl } from '../urls.js';

/** How many times a session tries to open a tab before the call fails (see newTab). */
const OPEN_TAB_ATTEMPTS = 3;

/** A page did not answer in time; the message says how the session recovered. */
export class PageNotAnsweringError extends Error {}

/**
 * One isolated browser context and the page it is looking at: its tabs
 * (tabs/), what its pages report beside the screen (page-events/), how it
 * recovers a lost screen (recovery/), waiting for an action's effects
 * (settle/), the screen it shows (screen/) and the input it takes (input/).
 * This class wires them to one context. If the browser goes away (crash,
 * kill), the session keeps its id and its next use opens a fresh context in
 * a new browser at the last URL.
 */
export class BrowserSession extends SessionCore implements ComputerSession, BrowserWindow {
  readonly environment = 'browser';
  readonly computer = new PlaywrightComputer(this);
  readonly addressBar = new AddressBar();
  readonly clipboard = { text: '' };
  readonly activity = new ActivityMonitor();
  /** Addresses and history: through the domain policy, each settled. */
  readonly navigation: BrowserNavigation;
  readonly tabs: Tabs = { select: (index) => this.selectTab(index) };
  readonly logins: LoginStorage;
  private readonly tabList = new TabList();
  private readonly recovery: Recovery;
  private readonly reports: PageReports;
  /** Set while we open a page ourselves, so it is not reported as a popup. */
  private openingPage = false;
  private context: BrowserContext | undefined;
  private attaching: Promise<BrowserContext> | undefined;
  /** The URL of the current tab when it closed: what a browser going down was showing. */
  private lastClosedUrl: string | undefined;
  /** The check the last action's settle left for the page's next use (see settleAction). */
  private readonly pendingSettle: PendingSettle;
  /** Set when the session ended by itself (see end): what its calls fail with. */
  private endedWith: Error | undefined;

  constructor(
    id: string,
    owner: string,
    /** Opens a context in the (possibly relaunched) browser. */
    private readonly openContext: () => Promise<BrowserContext>,
    private readonly config: BrowserConfig,
    /** False when the context is a shared persistent profile: then only this session's pages are closed. */
    private readonly ownsContext: boolean,
  ) {
    super(id, owner);
    this.navigation = new BrowserNavigation(this, this.events, config);
    this.recovery = new Recovery(
      { id, tabs: this.tabList, currentPage: () => this.currentPage(), load: (page, url) => this.navigation.load(page, url) },
      this.events,
      config,
    );
    this.reports = new PageReports(this.events, config, this.activity);
    this.pendingSettle = new PendingSettle(
      id,
      (page) => this.recovery.revive(page),
      () => this.events.added,
    );
    // Each principal's saved logins in a folder of its own: the same name never replaces another's.
    this.logins = { save: (name) => saveStorageState(() => this.storageState(), config.outputDir, name, ownerFolder(owner)) };
  }

  /** The session's context; after a browser crash, a new one at the last URL. */
  private contextReady(): Promise<BrowserContext> {
    if (this.context) return Promise.resolve(this.context);
    this.attaching ??= this.attach().finally(() => (this.attaching = undefined));
    return this.attaching;
  }

  private async attach(): Promise<BrowserContext> {
    if (this.closed) throw this.endedWith ?? new Error(`Browser session ${this.id} is closed`);
    const context = await this.openContext();
    context.on('page', (page) => {
      if (this.ownsContext) return this.adopt(page, !this.openingPage);
      // In a shared profile, only follow pages our own pages opened.
      void page.opener().then((opener) => {
        if (this.tabList.includes(opener)) this.adopt(page, true);
      });
    });
    context.on('close', () => this.detach(context));
    await guardContext(context, this.config.domainPolicy, ({ url, reason, page }) => {
      // A shared profile: report only what this session's pages asked for.
      if (this.ownsContext || this.tabList.includes(page)) this.reports.blocked(url, reason);
    });
    this.context = context;
    await this.recovery.reopenBrowser(!this.ownsContext);
    return context;
  }

  /** The browser closed the context under us (crash, kill, remote gone): forget it until the next use. */
  private detach(context: BrowserContext): void {
    if (this.closed || this.context !== context) return;
    this.recovery.browserLost(this.tabList.current?.url() ?? this.lastClosedUrl ?? this.config.startUrl);
    this.context = undefined;
    this.tabList.clear();
  }

  /** Screenshot pixels: the coordinate space of every action. */
  get display(): { width: number; height: number } {
    return { width: this.config.screenshot.width, height: this.config.screenshot.height };
  }

  /** How long one round trip to the page may take before it counts as not answering (--page-answer-timeout). */
  get pageAnswerMs(): number {
    return this.config.pageAnswerMs;
  }

  /** Screenshot pixels per CSS pixel (1 unless --screenshot-size scales screenshots down). */
  get scale(): number {
    return this.config.screenshot.scale;
  }

  /** How many times the browser or tab was replaced under this session (see resetSince). */
  get resets(): number {
    return this.recovery.resets;
  }

  /**
   * Reopens a crashed browser or tab now, and says whether that (or an earlier
   * reopening) happened since `resets` was read: actions aimed at the old
   * screen must then not land on the new one.
   */
  async resetSince(resets: number): Promise<boolean> {
    await this.page();
    return this.recovery.resets !== resets;
  }

  /** The page actions go to, once the last action has settled; a fresh one if every tab was closed or the current one crashed. */
  async page(): Promise<Page> {
    await this.pendingSettle.wait();
    return this.currentPage();
  }

  /** page(), without waiting for the last action to settle: for settling itself, and for recovering a page. */
  private async currentPage(): Promise<Page> {
    const usable = () => this.tabList.current !== undefined && !this.tabList.current.isClosed() && this.recovery.tabUsable;
    if (!usable()) {
      const context = await this.contextReady();
      if (!usable()) return this.openPage(context);
    }
    const current = this.tabList.current!;
    await this.tabList.bringToFront(current, this.config.pageAnswerMs);
    return current;
  }

  /** Makes tab `index` (as listed in `tabs`) the one actions go to. */
  async selectTab(index: number): Promise<void> {
    this.tabList.select(index, this.id);
    this.addressBar.blur();
    await this.page();
  }

  tabPosition(): { index: number; count: number } {
    return this.tabList.position();
  }

  /** A new tab, blank or at `url` (through the domain policy), made current: ctrl+T, ctrl+shift+T. */
  async openTab(url?: string): Promise<Page> {
    const page = await this.openPage(await this.contextReady());
    this.addressBar.blur();
    if (url) await this.goto(page, url);
    return page;
  }

  async closeTab(): Promise<void> {
    this.addressBar.blur();
    await (await this.page()).close();
  }

  takeClosedTab(): string | undefined {
    return this.tabList.takeClosed();
  }

  /** A top-level load in `page` through the domain policy, for the browser's own shortcuts (see BrowserNavigation.load). */
  goto(page: Page, url: string): Promise<NavigationOutcome> {
    return this.navigation.load(page, url);
  }

  private async openPage(context: BrowserContext): Promise<Page> {
    this.openingPage = true;
    let page: Page;
    try {
      page = await this.newTab(context);
      this.adopt(page, false, true);
    } finally {
      this.openingPage = false;
    }
    await this.recovery.reopenTab();
    return page;
  }

  /**
   * context.newPage(), asked again when it fails while the browser still
   * runs: on a busy machine, a tab opened just after its renderer was
   * killed can be handed to that dying process and crash at birth ("Target
   * crashed"); the next one gets a fresh renderer. When the browser went,
   * the error stands: the next call relaunches it (see Recovery).
   */
  private async newTab(context: BrowserContext): Promise<Page> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await context.newPage();
      } catch (error) {
        const browserRuns = this.context === context && context.browser()?.isConnected() !== false;
        if (attempt >= OPEN_TAB_ATTEMPTS || this.closed || !browserRuns) throw error;
        log.debug(`session ${this.id}: opening a tab failed (attempt ${attempt} of ${OPEN_TAB_ATTEMPTS}); trying again`, error);
      }
    }
  }

  async openStartPage(url: string): Promise<void> {
    const page = await this.page();
    if (url && url !== 'about:blank') await this.goto(page, normalizeUrl(url));
  }

  /** Follows a new page of the context: `announce` reports it as a popup; `shown`: we opened it, so it is the visible one. */
  private adopt(page: Page, announce: boolean, shown = false): void {
    if (this.tabList.includes(page)) return;
    if (this.tabList.count >= MAX_TABS) {
      this.events.overLimit(
        'tabs',
        (n) =>
          `the page tried to open more tabs than the ${MAX_TABS} a session may have: ${n} were closed at once (and window.open returns null after ${MAX_TABS} calls in one go)`,
      );
      // Counted as opened, so settle does not wait for a tab that is never followed.
      this.activity.watchPage(page);
      void page.close({ runBeforeUnload: false }).catch(() => {});
      return;
    }
    this.tabList.add(page, shown);
    this.activity.watchPage(page);
    this.recovery.watch(page);
    this.reports.watch(page);
    // A popup opened with window.open(url, name, 'width=400,...') would otherwise keep that size.
    void page.setViewportSize(this.config.display).catch(() => {});
    page.on('close', () => {
      // The browser may be going down: its pages close before the context does.
      if (this.tabList.remove(page)) this.lastClosedUrl = page.url();
      if (!this.closed && this.context === page.context()) {
        this.events.add({ kind: 'tab_closed', url: page.url() });
        this.tabList.rememberClosed(page.url());
      }
    });
    if (announce) this.events.add({ kind: 'popup', url: page.url() });
  }

  /** A call that failed because the browser died says so, and what the next call will do. */
  protected override explainFailure(error: unknown): unknown {
    return this.closed ? (this.endedWith ?? error) : this.recovery.explain(error);
  }

  /**
   * Runs browser work on `page`; when a round trip misses its deadline
   * (DeadlineError), makes the session usable again before failing with
   * what happened: the page's script is stopped, or, if the page still does
   * not answer, its tab is closed (the next call uses another tab or a new
   * blank one).
   */
  async answering<T>(page: Page, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof DeadlineError) || page.isClosed()) throw error;
      const detail = await this.recovery.revive(page);
      throw new PageNotAnsweringError(`${error.message}. ${detail}`, { cause: error });
    }
  }

  private settleScope(): SettleScope {
    return {
      activity: this.activity,
      currentPage: () => this.currentPage(),
      timeoutMs: this.config.settleTimeoutMs,
      pageAnswerMs: this.config.pageAnswerMs,
      sessionId: this.id,
      followWindow: (page, url) => {
        if (!this.tabList.includes(page)) return;
        this.tabList.follow(page);
        this.events.add({ kind: 'window_reused', url });
      },
    };
  }

  /** Waits until what the action started after `mark` has finished (see settle/settle.ts). */
  settle(mark: ActivityMark, actedOn: Page): Promise<void> {
    return settle(this.settleScope(), mark, actedOn);
  }

  /**
   * settle for a protocol action, whose screen is usually asked for next:
   * when the action visibly started nothing, its last check (one frame)
   * is left to run while the caller goes on. The next use of the page
   * waits for it (page()); a screenshot overlaps it (see screenshot()).
   */
  settleAction(mark: ActivityMark, actedOn: Page): Promise<void> {
    return this.pendingSettle.settle(this.settleScope(), mark, actedOn);
  }

  /** A screenshot; a page that does not answer is revived first (see answering), then shot again. */
  async screenshot(): Promise<Screenshot> {
    // The address bar is drawn over the page only by Playwright's screenshot.
    const early =
      this.addressBar.overlay() === undefined &&
      (await this.pendingSettle.screenshot(this.tabList.current, (page) => captureDirect(page, this.config, this.id)));
    if (early) return early;
    const capture = () => capturePage(() => this.page(), this.config, this.id, this.addressBar.overlay());
    try {
      return await this.answering(await this.page(), capture);
    } catch (error) {
      if (!(error instanceof PageNotAnsweringError)) throw error;
      return capture();
    }
  }

  typesIntoPassword(point: { x: number; y: number } | undefined): Promise<boolean> {
    const scale = this.config.screenshot.scale;
    return typesIntoPassword(() => this.page(), point && { x: point.x / scale, y: point.y / scale }, this.config.pageAnswerMs);
  }

  /** The context's cookies and local storage (Playwright's storage state), for saving a login. */
  private async storageState(): ReturnType<BrowserContext['storageState']> {
    const context = await this.contextReady();
    return withDeadline(context.storageState(), this.config.pageAnswerMs, 'reading the cookies and storage');
  }

  /** Reopens what crashed; the last action's deferred check may still run (screenshot() overlaps it, the rest wait for it). */
  async ready(): Promise<void> {
    await this.currentPage();
  }

  async currentUrl(): Promise<string> {
    return (await this.page()).url();
  }

  async state(): Promise<ScreenState> {
    return readScreenState(this.id, await this.page(), this.tabList, { display: this.display, viewport: { ...this.config.display } });
  }

  /**
   * The screen is gone for good (a remote browser host went away, see
   * browser-farm.ts): instead of reopening its URL elsewhere without its
   * cookies and logins, the session ends, and its calls fail with `reason`.
   * Ignored once the session closed itself.
   */
  end(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.endedWith = reason;
    this.context = undefined;
    log.warn(`session ${this.id}: ${reason.message}`);
  }

  /** Why the session ended by itself (see end), for its owner's next call. */
  get endedBy(): Error | undefined {
    return this.endedWith;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsContext) await this.context?.close().catch(() => {});
    else await Promise.all(this.tabList.pages.map((p) => p.close().catch(() => {})));
  }
}
