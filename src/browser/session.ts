import fs from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Dialog, Download, Page } from 'playwright';
import type { ServerConfig } from '../config.js';
import type { Screenshot } from '../computer/computer.js';
import { log } from '../log.js';
import { ActivityMonitor } from './activity.js';
import { documentLoaded, nextFrame } from './page-probes.js';
import { guardContext, type BlockedRequest } from './policy-guard.js';

export interface Tab {
  index: number;
  url: string;
  title: string;
  active: boolean;
}

/** Something that happened in the browser beside the screenshot, reported in the next result. */
export type SessionEvent =
  | { kind: 'dialog'; dialog_type: string; message: string; response: 'accepted' | 'dismissed' }
  | { kind: 'download'; url: string; filename: string; path?: string; bytes?: number; error?: string }
  | { kind: 'popup'; url: string }
  | { kind: 'tab_closed'; url: string }
  | { kind: 'blocked'; url: string; reason: string }
  | { kind: 'reset'; what: 'browser' | 'tab'; url: string; reason: string };

/** A navigation the domain policy does not allow; nothing was loaded. */
export class NavigationBlockedError extends Error {}

/** Blocked requests reported per call; a page full of blocked trackers would drown the result. */
const MAX_BLOCKED_EVENTS = 20;

export interface PageState {
  session_id: string;
  url: string;
  title: string;
  /** The screenshot size: the coordinate space of actions. */
  display: { width: number; height: number };
  /** The page's layout size in CSS pixels (larger than display when screenshots are scaled down). */
  viewport: { width: number; height: number };
  tabs: Tab[];
}

export class ScreenshotError extends Error {}

/** Base64 makes it 4/3 larger: 6 MiB stays well inside the 10 MiB an MCP stdio message may have. */
const MAX_SCREENSHOT_BYTES = 6 * 1024 * 1024;
const FALLBACK_JPEG_QUALITY = 60;

/** After an action's requests end, how long to watch for the requests their responses set off. */
const QUIET_WINDOW_MS = 50;

/**
 * One isolated browser context and the page it is looking at. Follows
 * popups and new tabs, answers native dialogs by policy, saves downloads,
 * reports what the domain policy blocked, and serialises the calls made on
 * it. If the browser goes away (crash, kill), the session keeps its id and
 * its next use opens a fresh context in a new browser at the last URL.
 */
export class BrowserSession {
  readonly createdAt = Date.now();
  lastUsedAt = Date.now();
  readonly activity = new ActivityMonitor();
  private readonly pages: Page[] = [];
  private current: Page | undefined;
  private front: Page | undefined;
  private events: SessionEvent[] = [];
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

  constructor(
    readonly id: string,
    readonly owner: string,
    /** Opens a context in the (possibly relaunched) browser. */
    private readonly openContext: () => Promise<BrowserContext>,
    private readonly config: ServerConfig,
    /** False when the context is a shared persistent profile: then only this session's pages are closed. */
    private readonly ownsContext: boolean,
  ) {}

  /** The session's context; after a browser crash, a new one at the last URL. */
  private contextReady(): Promise<BrowserContext> {
    if (this.context) return Promise.resolve(this.context);
    this.attaching ??= this.attach().finally(() => (this.attaching = undefined));
    return this.attaching;
  }

  private async attach(): Promise<BrowserContext> {
    if (this.closed) throw new Error(`Browser session ${this.id} is closed`);
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
    this.events = this.events.filter((e) => e.kind !== 'tab_closed');
    log.warn(`session ${this.id}: the browser went away; the next call reopens ${this.lostUrl}`);
  }

  /** Reopens `url` in a fresh page after a crash and reports the reset; `reason` says what was lost. */
  private async restore(what: 'browser' | 'tab', url: string, reason: string): Promise<void> {
    this.resetCount++;
    const page = await this.page();
    const reopen = /^(https?|file|data):/.test(url) && this.config.domainPolicy.checkNavigation(url).allowed;
    if (reopen) {
      try {
        await this.goto(page, url);
      } catch (error) {
        reason += `; reopening the page failed: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    this.events.push({ kind: 'reset', what, url: reopen ? url : page.url(), reason });
  }

  private reportBlocked({ url, reason, page }: BlockedRequest): void {
    // A shared profile: report only what this session's pages asked for.
    if (!this.ownsContext && !(page && this.pages.includes(page))) return;
    const blocked = this.events.filter((e) => e.kind === 'blocked');
    if (blocked.length >= MAX_BLOCKED_EVENTS || blocked.some((e) => e.url === url)) return;
    this.events.push({ kind: 'blocked', url, reason });
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

  /** The page actions go to; a fresh one if every tab was closed or the current one crashed. */
  async page(): Promise<Page> {
    const usable = () => this.current !== undefined && !this.current.isClosed() && this.crashedUrl === undefined;
    if (!usable()) {
      const context = await this.contextReady();
      if (!usable()) return this.openPage(context);
    }
    const current = this.current!;
    // A tab the session switched to must be the visible one, or it may not render.
    if (this.front !== current) {
      this.front = current;
      await current.bringToFront().catch(() => {});
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
    await this.page();
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
      this.events = this.events.filter((e) => !(e.kind === 'tab_closed' && e.url === crashed));
      await this.restore('tab', crashed, 'its renderer died; a new tab replaced it');
    }
    return page;
  }

  async openStartPage(url: string): Promise<void> {
    const page = await this.page();
    if (url && url !== 'about:blank') await this.goto(page, url);
  }

  private adopt(page: Page, announce: boolean): void {
    if (this.pages.includes(page)) return;
    this.pages.push(page);
    this.current = page;
    this.activity.watchPage(page);
    // A popup opened with window.open(url, name, 'width=400,...') would otherwise keep that size.
    void page.setViewportSize(this.config.display).catch(() => {});
    page.on('crash', () => {
      // The tab's renderer died (out of memory, killed): a dead page answers nothing, so replace it.
      if (this.current === page) this.crashedUrl = page.url();
      log.warn(`session ${this.id}: the tab at ${page.url()} crashed`);
      void page.close().catch(() => {});
    });
    page.on('dialog', (dialog) => void this.answerDialog(dialog));
    page.on('download', (download) => this.saveDownload(download));
    page.on('close', () => {
      const index = this.pages.indexOf(page);
      if (index >= 0) this.pages.splice(index, 1);
      if (this.current === page) {
        // The browser may be going down: its pages close before the context does.
        this.lastClosedUrl = page.url();
        this.current = this.pages.at(-1);
      }
      if (!this.closed && this.context === page.context()) this.events.push({ kind: 'tab_closed', url: page.url() });
    });
    if (announce) this.events.push({ kind: 'popup', url: page.url() });
  }

  private async answerDialog(dialog: Dialog): Promise<void> {
    const type = dialog.type();
    // alert has one button and beforeunload must not block navigation the model asked for.
    const accept = type === 'alert' || type === 'beforeunload' || this.config.dialogPolicy === 'accept';
    this.events.push({ kind: 'dialog', dialog_type: type, message: dialog.message(), response: accept ? 'accepted' : 'dismissed' });
    try {
      if (accept) await dialog.accept(dialog.defaultValue());
      else await dialog.dismiss();
    } catch (error) {
      log.debug('dialog already handled', error);
    }
  }

  private saveDownload(download: Download): void {
    const event: Extract<SessionEvent, { kind: 'download' }> = { kind: 'download', url: download.url(), filename: download.suggestedFilename() };
    this.events.push(event);
    const saved = (async () => {
      const dir = path.join(this.config.outputDir, 'downloads');
      await fs.mkdir(dir, { recursive: true });
      const target = await uniquePath(dir, sanitizeFilename(event.filename));
      await download.saveAs(target);
      event.path = target;
      event.bytes = (await fs.stat(target)).size;
    })().catch((error: Error) => {
      event.error = error.message;
    });
    this.activity.trackDownload(saved);
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
    if (this.closed) return error;
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
   * Waits until what the last action started has finished: an uncommitted
   * navigation, requests, downloads, a popup's load; bounded by the settle
   * timeout. Then one rendered frame, so the screenshot shows the new state.
   */
  async settle(mark: ReturnType<ActivityMonitor['mark']>, actedOn: Page): Promise<void> {
    const deadline = Date.now() + this.config.settleTimeoutMs;
    // Ask the page the action went to: by now the session may already follow a new tab.
    let popupsAsked = await nextFrame(actedOn);
    // The action started nothing (no request, navigation, page or popup): the frame just rendered already shows its effect.
    if (popupsAsked === 0 && this.activity.quietSince(mark)) return;
    while (Date.now() < deadline) {
      // The page asked for a new tab that Playwright may not have announced yet.
      if (popupsAsked > 0) await this.activity.waitFor(() => this.activity.pagesOpenedSince(mark), deadline);
      await this.activity.waitFor(() => !this.activity.busySince(mark), deadline);
      const page = await this.page();
      if (this.activity.navigatedSince(mark) || this.activity.pagesOpenedSince(mark)) {
        await documentLoaded(page, Math.max(1, deadline - Date.now()));
      }
      popupsAsked = await nextFrame(page);
      if (popupsAsked === 0 && !this.activity.busySince(mark)) {
        // What a response sets off (the next fetch of a chain) starts a moment later: a short quiet window catches it.
        const more = await this.activity.waitFor(() => this.activity.busySince(mark), Math.min(deadline, Date.now() + QUIET_WINDOW_MS));
        if (!more) return;
      }
    }
    log.debug(`session ${this.id}: settle gave up waiting for ${this.activity.describeBusy(mark)}`);
  }

  /** Opens a URL at the top level, unless the domain policy forbids it. */
  async goto(page: Page, url: string): Promise<void> {
    const verdict = this.config.domainPolicy.checkNavigation(url);
    if (!verdict.allowed) throw new NavigationBlockedError(`Blocked by the domain policy: ${verdict.reason}`);
    const mark = this.activity.mark();
    const blockedBefore = this.events.filter((e) => e.kind === 'blocked').length;
    try {
      await page.goto(url, { waitUntil: 'commit', timeout: Math.max(this.config.settleTimeoutMs, 30_000) });
    } catch (error) {
      // Let the browser's error page commit, so it cannot interrupt the next navigation.
      await this.settle(mark, page);
      // A redirect the policy stopped fails the navigation; that is a reported block, not an error.
      if (this.events.filter((e) => e.kind === 'blocked').length === blockedBefore) throw error;
      return;
    }
    await this.settle(mark, page);
  }

  async screenshot(): Promise<Screenshot> {
    const { imageFormat, imageQuality } = this.config;
    const { width, height } = this.display;
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const page = await this.page();
        const capture = (type: 'png' | 'jpeg', quality?: number) =>
          page.screenshot({
            type,
            quality,
            // Device pixels: the display size times the device scale factor, i.e. the screenshot size.
            scale: 'device',
            caret: 'initial',
            timeout: 10_000,
          });
        const data = await capture(imageFormat, imageFormat === 'jpeg' ? imageQuality : undefined);
        if (data.length <= MAX_SCREENSHOT_BYTES) return { data, mimeType: imageFormat === 'png' ? 'image/png' : 'image/jpeg', width, height };
        // A message over 10 MiB closes an MCP stdio connection: send a smaller JPEG rather than lose the client.
        const smaller = await capture('jpeg', FALLBACK_JPEG_QUALITY);
        const note = `the ${imageFormat} screenshot (${data.length} bytes) was too large to send; this is a JPEG at quality ${FALLBACK_JPEG_QUALITY}`;
        log.warn(`session ${this.id}: ${note}`);
        if (smaller.length <= MAX_SCREENSHOT_BYTES) return { data: smaller, mimeType: 'image/jpeg', width, height, note };
        throw new ScreenshotError(`The screenshot is ${smaller.length} bytes even as JPEG, too large to send; use a smaller --display-size or --screenshot-size.`);
      } catch (error) {
        if (error instanceof ScreenshotError) throw error;
        lastError = error;
        log.warn(`screenshot attempt ${attempt + 1} failed in session ${this.id}`, error);
      }
    }
    throw new ScreenshotError(`Could not take a screenshot of session ${this.id}: ${(lastError as Error)?.message ?? lastError}`);
  }

  async tabs(): Promise<Tab[]> {
    return Promise.all(
      this.pages.map(async (page, index) => ({
        index,
        url: page.url(),
        title: await page.title().catch(() => ''),
        active: page === this.current,
      })),
    );
  }

  async state(): Promise<PageState> {
    const page = await this.page();
    const tabs = await this.tabs();
    return {
      session_id: this.id,
      url: page.url(),
      title: tabs.find((tab) => tab.active)?.title ?? '',
      display: this.display,
      viewport: { ...this.config.display },
      tabs,
    };
  }

  /** The events takeEvents would return, left in place (for observers such as the recorder). */
  peekEvents(): readonly SessionEvent[] {
    return this.events;
  }

  /** Events since the last call, oldest first. */
  takeEvents(): SessionEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsContext) await this.context?.close().catch(() => {});
    else await Promise.all(this.pages.map((p) => p.close().catch(() => {})));
  }
}

function sanitizeFilename(name: string): string {
  const cleaned = [...name]
    .map((ch) => (ch.charCodeAt(0) < 32 || '/\\?%*:|"<>'.includes(ch) ? '_' : ch))
    .join('')
    .replace(/^\.+/, '_');
  return cleaned.slice(0, 200) || 'download';
}

async function uniquePath(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const base = name.slice(0, name.length - ext.length);
  for (let n = 0; ; n++) {
    const candidate = path.join(dir, n === 0 ? name : `${base} (${n})${ext}`);
    try {
      await fs.access(candidate);
    } catch {
      return candidate;
    }
  }
}
