import fs from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Dialog, Download, Page } from 'playwright';
import type { ServerConfig } from '../config.js';
import type { Screenshot } from '../computer/computer.js';
import { log } from '../log.js';
import { ActivityMonitor } from './activity.js';
import { documentLoaded, nextFrame } from './page-probes.js';

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
  | { kind: 'blocked'; url: string; reason: string };

export interface PageState {
  session_id: string;
  url: string;
  title: string;
  display: { width: number; height: number };
  tabs: Tab[];
}

export class ScreenshotError extends Error {}

/**
 * One isolated browser context and the page it is looking at. Follows
 * popups and new tabs, answers native dialogs by policy, saves downloads,
 * and serialises the calls made on it.
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

  constructor(
    readonly id: string,
    readonly owner: string,
    private readonly context: BrowserContext,
    private readonly config: ServerConfig,
    /** False when the context is a shared persistent profile: then only this session's pages are closed. */
    private readonly ownsContext: boolean,
  ) {
    context.on('page', (page) => {
      if (this.ownsContext) return this.adopt(page, !this.openingPage);
      // In a shared profile, only follow pages our own pages opened.
      void page.opener().then((opener) => {
        if (opener && this.pages.includes(opener)) this.adopt(page, true);
      });
    });
  }

  get display(): { width: number; height: number } {
    return this.config.display;
  }

  /** True while a call is running on it: the idle sweeper leaves it alone. */
  get busy(): boolean {
    return this.running > 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The page actions go to; a fresh one if every tab was closed. */
  async page(): Promise<Page> {
    if (this.current && !this.current.isClosed()) {
      // A tab the session switched to must be the visible one, or it may not render.
      if (this.front !== this.current) {
        this.front = this.current;
        await this.current.bringToFront().catch(() => {});
      }
      return this.current;
    }
    this.openingPage = true;
    try {
      const page = await this.context.newPage();
      this.adopt(page, false);
      this.front = page;
      return page;
    } finally {
      this.openingPage = false;
    }
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
    void page.setViewportSize(this.config.display).catch(() => {});
    page.on('dialog', (dialog) => void this.answerDialog(dialog));
    page.on('download', (download) => this.saveDownload(download));
    page.on('close', () => {
      const index = this.pages.indexOf(page);
      if (index >= 0) this.pages.splice(index, 1);
      if (this.current === page) this.current = this.pages.at(-1);
      if (!this.closed) this.events.push({ kind: 'tab_closed', url: page.url() });
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
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run.finally(() => {
      this.running--;
      this.lastUsedAt = Date.now();
    });
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
    for (let round = 0; round < 5; round++) {
      // The page asked for a new tab that Playwright may not have announced yet.
      if (popupsAsked > 0) await this.activity.waitFor(() => this.activity.pagesOpenedSince(mark), deadline);
      await this.activity.waitFor(() => !this.activity.busySince(mark), deadline);
      const page = await this.page();
      if (this.activity.navigatedSince(mark) || this.activity.pagesOpenedSince(mark)) {
        await documentLoaded(page, Math.max(1, deadline - Date.now()));
      }
      popupsAsked = await nextFrame(page);
      if (popupsAsked === 0 && !this.activity.busySince(mark)) return;
      if (Date.now() >= deadline) break;
    }
    log.debug(`session ${this.id}: settle gave up waiting for ${this.activity.describeBusy(mark)}`);
  }

  async goto(page: Page, url: string): Promise<void> {
    const mark = this.activity.mark();
    await page.goto(url, { waitUntil: 'commit', timeout: Math.max(this.config.settleTimeoutMs, 30_000) });
    await this.settle(mark, page);
  }

  async screenshot(): Promise<Screenshot> {
    const { imageFormat, imageQuality, display } = this.config;
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const page = await this.page();
        const data = await page.screenshot({
          type: imageFormat,
          quality: imageFormat === 'jpeg' ? imageQuality : undefined,
          scale: 'css',
          caret: 'initial',
          timeout: 10_000,
        });
        return { data, mimeType: imageFormat === 'png' ? 'image/png' : 'image/jpeg', width: display.width, height: display.height };
      } catch (error) {
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
    return {
      session_id: this.id,
      url: page.url(),
      title: await page.title().catch(() => ''),
      display: { ...this.config.display },
      tabs: await this.tabs(),
    };
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
    if (this.ownsContext) await this.context.close().catch(() => {});
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
