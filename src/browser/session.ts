import type { BrowserContext, Page } from 'playwright';
import type { Screenshot } from '../computer/computer.js';
import type { BrowserConfig } from './browser-config.js';
import { log } from '../log.js';
import type { ComputerSession, Navigation, ScreenState, Tab } from '../session/computer-session.js';
import type { SessionEvent } from '../session/events.js';
import { EventLog } from '../session/event-log.js';
import { readDocument } from './screen/document-state.js';
import { ActivityMonitor } from './settle/activity.js';
import { AddressBar } from './input/address-bar.js';
import { captureDirect, capturePage } from './screen/capture.js';
import { DeadlineError, PAGE_ANSWER_MS, withDeadline } from './deadline.js';
import { answerDialog } from './page-events/dialogs.js';
import { DownloadGuard } from './policy/download-limits.js';
import { saveDownload } from './page-events/downloads.js';
import { PlaywrightComputer } from './input/playwright-computer.js';
import { guardContext, type BlockedRequest } from './policy/guard.js';
import { PendingSettle } from './settle/pending.js';
import { settle, type ActivityMark, type SettleScope } from './settle/settle.js';
import { historyStep, type BrowserWindow } from './input/shortcuts.js';
import { MAX_TABS } from './tabs/tab-limit.js';
import { ScriptStopper } from './recovery/unresponsive.js';
import { normalizeUrl } from './urls.js';

/** A navigation the domain policy does not allow; nothing was loaded. */
export class NavigationBlockedError extends Error {}

/** A page did not answer in time; the message says how the session recovered. */
export class PageNotAnsweringError extends Error {}

/** Blocked requests reported per call; a page full of blocked trackers would drown the result. */
const MAX_BLOCKED_EVENTS = 20;
/** Closed tabs remembered for reopening. */
const MAX_CLOSED_TABS = 20;
/** Dialogs listed per call; a page looping alert() would otherwise grow the events without end. */
const MAX_DIALOG_EVENTS = 10;
/** How long a tab's title may take: a page that does not answer must not hold up a result or list_sessions. */
const TITLE_MS = 2_000;

/**
 * One isolated browser context and the page it is looking at. Follows
 * popups and new tabs, answers native dialogs by policy, saves downloads,
 * reports what the domain policy blocked, and serialises the calls made on
 * it. If the browser goes away (crash, kill), the session keeps its id and
 * its next use opens a fresh context in a new browser at the last URL.
 */
export class BrowserSession implements ComputerSession, BrowserWindow {
  readonly environment = 'browser';
  readonly computer = new PlaywrightComputer(this);
  readonly addressBar = new AddressBar();
  readonly clipboard = { text: '' };
  /** goto/back/forward as a model's function calls: through the domain policy, each settled. */
  readonly navigation: Navigation = {
    goto: async (url) => {
      const target = normalizeUrl(url);
      const outcome = await this.goto(await this.page(), target);
      return { loaded: `Opened ${target}`, download: `${target} is a download: it was saved; the page did not change`, blocked: `${target} was blocked by the domain policy` }[outcome];
    },
    back: () => this.historyStep('back'),
    forward: () => this.historyStep('forward'),
  };
  /** URLs of closed tabs, newest last, for ctrl+shift+T. */
  private readonly closedTabs: string[] = [];
  readonly createdAt = Date.now();
  lastUsedAt = Date.now();
  readonly activity = new ActivityMonitor();
  private readonly pages: Page[] = [];
  private current: Page | undefined;
  private front: Page | undefined;
  private readonly events = new EventLog();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private running = 0;
  /** Set while we open a page ourselves, so it is not reported as a popup. */
  private openingPage = false;
  private context: BrowserContext | undefined;
  private attaching: Promise<BrowserContext> | undefined;
  /** Set when the browser went away under this session: the URL to reopen. */
  private lostUrl: string | undefined;
  private lastClosedUrl: string | undefined;
  /** Set when the current tab crashed: the URL its replacement reopens. */
  private crashedUrl: string | undefined;
  private resetCount = 0;
  /** Set when the session ended by itself (see end): what its calls fail with. */
  private endedWith: Error | undefined;
  private readonly scripts = new ScriptStopper();
  private readonly downloads: DownloadGuard;
  /** The check the last action's settle left for the page's next use (see settleAction). */
  private readonly pendingSettle: PendingSettle;

  constructor(
    readonly id: string,
    readonly owner: string,
    /** Opens a context in the (possibly relaunched) browser. */
    private readonly openContext: () => Promise<BrowserContext>,
    private readonly config: BrowserConfig,
    /** False when the context is a shared persistent profile: then only this session's pages are closed. */
    private readonly ownsContext: boolean,
  ) {
    this.pendingSettle = new PendingSettle(id, (page) => this.revive(page), () => this.events.added);
    this.downloads = new DownloadGuard(config.downloads, config.outputDir, (reason) =>
      this.events.overLimit('downloads', (n) => `${n} download(s) stopped at a limit; the last ${reason}`),
    );
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
        if (opener && this.pages.includes(opener)) this.adopt(page, true);
      });
    });
    context.on('close', () => this.detach(context));
    await guardContext(context, this.config.domainPolicy, (blocked) => this.reportBlocked(blocked));
    this.context = context;
    const lost = this.lostUrl;
    if (lost !== undefined) {
      this.lostUrl = undefined;
      await this.restore(
        'browser',
        lost,
        this.ownsContext
          ? 'the browser had crashed or was closed; its cookies, storage and other tabs are gone'
          : 'the browser had crashed or was closed; its other tabs are gone, cookies and storage are kept in the profile',
      );
    }
    return context;
  }

  /** The browser closed the context under us (crash, kill, remote gone): forget it until the next use. */
  private detach(context: BrowserContext): void {
    if (this.closed || this.context !== context) return;
    this.lostUrl = this.crashedUrl ?? this.current?.url() ?? this.lastClosedUrl ?? this.config.startUrl;
    this.crashedUrl = undefined;
    this.context = undefined;
    this.pages.length = 0;
    this.current = undefined;
    this.front = undefined;
    // Those tabs died with the browser; the reset event says so once.
    this.events.forget((e) => e.kind === 'tab_closed');
    log.warn(`session ${this.id}: the browser went away; the next call reopens ${this.lostUrl}`);
  }

  /** Reopens `url` in a fresh page after a crash and reports the reset; `reason` says what was lost. */
  private async restore(what: 'browser' | 'tab', url: string, reason: string): Promise<void> {
    this.resetCount++;
    const page = await this.currentPage();
    const reopen = /^(https?|file|data):/.test(url) && this.config.domainPolicy.checkNavigation(url).allowed;
    if (reopen) {
      try {
        await this.goto(page, url);
      } catch (error) {
        reason += `; reopening the page failed: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    this.events.add({ kind: 'reset', what, url: reopen ? url : page.url(), reason });
  }

  private reportBlocked({ url, reason, page }: BlockedRequest): void {
    // A shared profile: report only what this session's pages asked for.
    if (!this.ownsContext && !(page && this.pages.includes(page))) return;
    if (this.events.count('blocked') >= MAX_BLOCKED_EVENTS || this.events.peek().some((e) => e.kind === 'blocked' && e.url === url)) return;
    this.events.add({ kind: 'blocked', url, reason });
  }

  /** Screenshot pixels: the coordinate space of every action. */
  get display(): { width: number; height: number } {
    return { width: this.config.screenshot.width, height: this.config.screenshot.height };
  }

  /** Screenshot pixels per CSS pixel (1 unless --screenshot-size scales screenshots down). */
  get scale(): number {
    return this.config.screenshot.scale;
  }

  /** True while a call is running on it: the idle sweeper leaves it alone. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** How many times the browser or tab was replaced under this session (see resetSince). */
  get resets(): number {
    return this.resetCount;
  }

  /**
   * Reopens a crashed browser or tab now, and says whether that (or an earlier
   * reopening) happened since `resets` was read: actions aimed at the old
   * screen must then not land on the new one.
   */
  async resetSince(resets: number): Promise<boolean> {
    await this.page();
    return this.resetCount !== resets;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The page actions go to, once the last action has settled; a fresh one if every tab was closed or the current one crashed. */
  async page(): Promise<Page> {
    await this.pendingSettle.wait();
    return this.currentPage();
  }

  /** page(), without waiting for the last action to settle: for settling itself, and for recovering a page. */
  private async currentPage(): Promise<Page> {
    const usable = () => this.current !== undefined && !this.current.isClosed() && this.crashedUrl === undefined;
    if (!usable()) {
      const context = await this.contextReady();
      if (!usable()) return this.openPage(context);
    }
    const current = this.current!;
    // A tab the session switched to must be the visible one, or it may not render.
    if (this.front !== current) {
      this.front = current;
      await withDeadline(current.bringToFront(), PAGE_ANSWER_MS, 'bringing the tab to the front').catch(() => {});
    }
    return current;
  }

  /** Makes tab `index` (as listed in `tabs`) the one actions go to. */
  async selectTab(index: number): Promise<void> {
    const page = this.pages[index];
    if (!page || page.isClosed()) {
      throw new Error(`No tab ${index} in session ${this.id}: it has ${this.pages.length} tab(s), numbered from 0 (see tabs in the last result).`);
    }
    this.current = page;
    this.addressBar.blur();
    await this.page();
  }

  private async historyStep(direction: 'back' | 'forward'): Promise<string> {
    const page = await this.page();
    const mark = this.activity.mark();
    const effect = await historyStep(page, direction);
    await this.settle(mark, page);
    return effect;
  }

  tabPosition(): { index: number; count: number } {
    return { index: this.current ? this.pages.indexOf(this.current) : -1, count: this.pages.length };
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
    return this.closedTabs.pop();
  }

  report(event: SessionEvent): void {
    this.events.add(event);
  }

  private async openPage(context: BrowserContext): Promise<Page> {
    this.openingPage = true;
    let page: Page;
    try {
      page = await context.newPage();
      this.adopt(page, false);
      this.front = page;
    } finally {
      this.openingPage = false;
    }
    const crashed = this.crashedUrl;
    if (crashed !== undefined) {
      this.crashedUrl = undefined;
      // The closed tab is not news beside the reset.
      this.events.forget((e) => e.kind === 'tab_closed' && e.url === crashed);
      await this.restore('tab', crashed, 'its renderer died; a new tab replaced it');
    }
    return page;
  }

  async openStartPage(url: string): Promise<void> {
    const page = await this.page();
    if (url && url !== 'about:blank') await this.goto(page, normalizeUrl(url));
  }

  private adopt(page: Page, announce: boolean): void {
    if (this.pages.includes(page)) return;
    if (this.pages.length >= MAX_TABS) {
      this.events.overLimit('tabs', (n) => `the page tried to open more tabs than the ${MAX_TABS} a session may have: ${n} were closed at once (and window.open returns null after ${MAX_TABS} calls in one go)`);
      // Counted as opened, so settle does not wait for a tab that is never followed.
      this.activity.watchPage(page);
      void page.close({ runBeforeUnload: false }).catch(() => {});
      return;
    }
    this.pages.push(page);
    this.current = page;
    this.activity.watchPage(page);
    this.scripts.watch(page);
    this.downloads.watch(page);
    // A popup opened with window.open(url, name, 'width=400,...') would otherwise keep that size.
    void page.setViewportSize(this.config.display).catch(() => {});
    page.on('crash', () => {
      // The tab's renderer died (out of memory, killed): a dead page answers nothing, so replace it.
      if (this.current === page) this.crashedUrl = page.url();
      log.warn(`session ${this.id}: the tab at ${page.url()} crashed`);
      void page.close().catch(() => {});
    });
    page.on('dialog', (dialog) => {
      const event = answerDialog(dialog, this.config.dialogPolicy);
      if (this.events.count('dialog') < MAX_DIALOG_EVENTS) this.events.add(event);
      else this.events.overLimit('dialogs', (n) => `${n} more dialog(s) were answered the same way but not listed (at most ${MAX_DIALOG_EVENTS} per call)`);
    });
    page.on('download', (download) => {
      const { event, saved } = saveDownload(download, this.config.outputDir, this.downloads);
      this.events.add(event);
      this.activity.trackDownload(saved);
    });
    page.on('close', () => {
      const index = this.pages.indexOf(page);
      if (index >= 0) this.pages.splice(index, 1);
      if (this.current === page) {
        // The browser may be going down: its pages close before the context does.
        this.lastClosedUrl = page.url();
        this.current = this.pages.at(-1);
      }
      if (!this.closed && this.context === page.context()) {
        this.events.add({ kind: 'tab_closed', url: page.url() });
        this.closedTabs.push(page.url());
        if (this.closedTabs.length > MAX_CLOSED_TABS) this.closedTabs.shift();
      }
    });
    if (announce) this.events.add({ kind: 'popup', url: page.url() });
  }

  /** Runs calls on this session one at a time. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.lastUsedAt = Date.now();
    this.running++;
    const run = this.queue.then(fn, fn).catch((error: unknown) => {
      throw this.explainLoss(error);
    });
    this.queue = run.catch(() => {});
    return run.finally(() => {
      this.running--;
      this.lastUsedAt = Date.now();
    });
  }

  /** A call that failed because the browser died says so, and what the next call will do. */
  private explainLoss(error: unknown): unknown {
    if (this.closed) return this.endedWith ?? error;
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (this.lostUrl !== undefined) {
      return new Error(`The browser went away during this call (it crashed or was killed): ${detail}. The next call starts a new browser and reopens ${this.lostUrl}.`, { cause: error });
    }
    if (this.crashedUrl !== undefined) {
      return new Error(`The tab crashed during this call: ${detail}. The next call opens a new tab at ${this.crashedUrl}.`, { cause: error });
    }
    return error;
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
      const detail = await this.revive(page);
      throw new PageNotAnsweringError(`${error.message}. ${detail}`, { cause: error });
    }
  }

  private async revive(page: Page): Promise<string> {
    const url = page.url();
    log.warn(`session ${this.id}: the page ${url} is not answering`);
    if (await this.scripts.stop(page)) {
      const detail = 'Its script was stopped; the page answers again (a script that starts again may need another call).';
      this.events.add({ kind: 'not_answering', url, recovery: 'script_stopped', detail });
      return detail;
    }
    await withDeadline(page.close({ runBeforeUnload: false }), PAGE_ANSWER_MS, 'closing the tab').catch(() => {});
    // Forget it even if the browser has not confirmed the close yet.
    const index = this.pages.indexOf(page);
    if (index >= 0) this.pages.splice(index, 1);
    if (this.current === page) this.current = this.pages.at(-1);
    this.resetCount++;
    const next = await this.currentPage();
    const detail = `Even with its script stopped it did not answer, so its tab was closed; the session now shows ${next.url()}.`;
    this.events.forget((e) => e.kind === 'tab_closed' && e.url === url);
    this.events.add({ kind: 'not_answering', url, recovery: 'tab_closed', detail });
    return detail;
  }

  private settleScope(): SettleScope {
    return {
      activity: this.activity,
      currentPage: () => this.currentPage(),
      timeoutMs: this.config.settleTimeoutMs,
      sessionId: this.id,
      followWindow: (page, url) => {
        if (!this.pages.includes(page)) return;
        this.current = page;
        this.events.add({ kind: 'window_reused', url });
      },
    };
  }

  /** Waits until what the action started after `mark` has finished (see settle.ts). */
  private settle(mark: ActivityMark, actedOn: Page): Promise<void> {
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

  /**
   * Opens a URL at the top level, unless the domain policy forbids it.
   * Says what happened: the page loaded, the URL turned out to be a
   * download (saved, the page unchanged), or the policy stopped a redirect.
   */
  async goto(page: Page, url: string): Promise<'loaded' | 'download' | 'blocked'> {
    const verdict = this.config.domainPolicy.checkNavigation(url);
    if (!verdict.allowed) throw new NavigationBlockedError(`Blocked by the domain policy: ${verdict.reason}`);
    return this.answering(page, () => this.load(page, url));
  }

  private async load(page: Page, url: string): Promise<'loaded' | 'download' | 'blocked'> {
    const mark = this.activity.mark();
    const blockedBefore = this.events.count('blocked');
    const downloadsBefore = this.events.count('download');
    try {
      await page.goto(url, { waitUntil: 'commit', timeout: Math.max(this.config.settleTimeoutMs, 30_000) });
    } catch (error) {
      // Let the browser's error page commit (or the download be saved), so it cannot interrupt the next navigation.
      await this.settle(mark, page);
      if (this.events.count('download') > downloadsBefore) return 'download';
      // A redirect the policy stopped fails the navigation; that is a reported block, not an error.
      if (this.events.count('blocked') === blockedBefore) throw error;
      return 'blocked';
    }
    await this.settle(mark, page);
    return 'loaded';
  }

  /** A screenshot; a page that does not answer is revived first (see answering), then shot again. */
  async screenshot(): Promise<Screenshot> {
    // The address bar is drawn over the page only by Playwright's screenshot.
    const early = this.addressBar.overlay() === undefined && (await this.pendingSettle.screenshot(this.current, (page) => captureDirect(page, this.config, this.id)));
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
    const at = point && { x: point.x / scale, y: point.y / scale };
    const check = async () => {
      const page = await this.page();
      return page.evaluate((p) => {
        // Into same-origin frames and shadow roots, to the element that would take the keys.
        let doc: Document = document;
        let x = p?.x ?? 0;
        let y = p?.y ?? 0;
        let el: Element | null = p ? doc.elementFromPoint(x, y) : doc.activeElement;
        for (let depth = 0; el && depth < 10; depth++) {
          const inner: Element | null | undefined = p ? el.shadowRoot?.elementFromPoint(x, y) : el.shadowRoot?.activeElement;
          if (inner && inner !== el) {
            el = inner;
            continue;
          }
          if (el instanceof HTMLIFrameElement && el.contentDocument) {
            const box = el.getBoundingClientRect();
            doc = el.contentDocument;
            x -= box.left;
            y -= box.top;
            el = p ? doc.elementFromPoint(x, y) : doc.activeElement;
            continue;
          }
          break;
        }
        return el instanceof (el?.ownerDocument.defaultView ?? window).HTMLInputElement && el.type === 'password';
      }, at);
    };
    return withDeadline(check(), PAGE_ANSWER_MS, 'checking for a password field').catch(() => true);
  }

  /** The context's cookies and local storage (Playwright's storage state), for saving a login. */
  async storageState(): Promise<Awaited<ReturnType<BrowserContext['storageState']>>> {
    const context = await this.contextReady();
    return withDeadline(context.storageState(), PAGE_ANSWER_MS, 'reading the cookies and storage');
  }

  /** Reopens what crashed; the last action's deferred check may still run (screenshot() overlaps it, the rest wait for it). */
  async ready(): Promise<void> {
    await this.currentPage();
  }

  async currentUrl(): Promise<string> {
    return (await this.page()).url();
  }

  async state(): Promise<ScreenState> {
    const page = await this.page();
    // The current tab's title comes in the same round trip as its status, scroll and size; other tabs need only theirs.
    const current = readDocument(page, TITLE_MS);
    const tabs: Tab[] = await Promise.all(
      this.pages.map(async (tab, index) => ({
        index,
        url: tab.url(),
        title: tab === page ? (await current).title : await withDeadline(tab.title(), TITLE_MS, 'the title').catch(() => ''),
        active: tab === this.current,
      })),
    );
    const currentDocument = await current;
    return {
      session_id: this.id,
      url: page.url(),
      title: currentDocument.title,
      display: this.display,
      viewport: { ...this.config.display },
      tabs,
      http_status: currentDocument.httpStatus,
      scroll: currentDocument.scroll,
      page_size: currentDocument.pageSize,
    };
  }

  /** The events takeEvents would return, left in place (for observers such as the recorder). */
  peekEvents(): readonly SessionEvent[] {
    return this.events.peek();
  }

  /** Events since the last call, oldest first. */
  takeEvents(): SessionEvent[] {
    return this.events.take();
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
    else await Promise.all(this.pages.map((p) => p.close().catch(() => {})));
  }
}
