import type { Page } from 'playwright';
import type { BrowserConfig } from '../browser-config.js';
import { log } from '../../log.js';
import type { EventLog } from '../../session/event-log.js';
import type { NavigationOutcome } from '../../session/computer-session.js';
import { withDeadline } from '../deadline.js';
import type { TabList } from '../tabs/tab-list.js';
import { ScriptStopper } from './unresponsive.js';

/** What recovering needs of a browser session. */
export interface RecoveryHost {
  readonly id: string;
  readonly tabs: TabList;
  /** The current page, or a fresh one, without waiting for the last action to settle. */
  currentPage(): Promise<Page>;
  /** A top-level load through the domain policy (see BrowserNavigation.load). */
  load(page: Page, url: string): Promise<NavigationOutcome>;
}

/**
 * What a browser session does when its screen goes away under it: the
 * browser crashed or was killed (the next use reopens the last URL in a new
 * one), a tab's renderer died (a new tab reopens its URL), or a page stopped
 * answering (its script is stopped, else its tab closed). Counts each
 * replaced screen (resets) and explains the call that failed with it.
 */
export class Recovery {
  /** Set when the browser went away under the session: the URL to reopen. */
  private lostUrl: string | undefined;
  /** Set when the current tab crashed: the URL its replacement reopens. */
  private crashedUrl: string | undefined;
  private resetCount = 0;
  private readonly scripts = new ScriptStopper();

  constructor(
    private readonly host: RecoveryHost,
    private readonly events: EventLog,
    private readonly config: BrowserConfig,
  ) {}

  /** How many times the browser or a tab was replaced under the session. */
  get resets(): number {
    return this.resetCount;
  }

  /** False while the current tab has crashed: the next use replaces it. */
  get tabUsable(): boolean {
    return this.crashedUrl === undefined;
  }

  /** Gets each page ready to have its script stopped, and replaced when it crashes. */
  watch(page: Page): void {
    this.scripts.watch(page);
    page.on('crash', () => {
      // The tab's renderer died (out of memory, killed): a dead page answers nothing, so replace it.
      if (this.host.tabs.current === page) this.crashedUrl = page.url();
      log.warn(`session ${this.host.id}: the tab at ${page.url()} crashed`);
      void page.close().catch(() => {});
    });
  }

  /** The browser closed the session's context (crash, kill, remote gone); `url` was showing. The next use reopens it. */
  browserLost(url: string): void {
    this.lostUrl = this.crashedUrl ?? url;
    this.crashedUrl = undefined;
    // Those tabs died with the browser; the reset event says so once.
    this.events.forget((e) => e.kind === 'tab_closed');
    log.warn(`session ${this.host.id}: the browser went away; the next call reopens ${this.lostUrl}`);
  }

  /** In a new context after the browser was lost: reopens the last URL and reports the reset. `keptProfile`: cookies and storage survived. */
  async reopenBrowser(keptProfile: boolean): Promise<void> {
    const lost = this.lostUrl;
    if (lost === undefined) return;
    this.lostUrl = undefined;
    await this.restore(
      'browser',
      lost,
      keptProfile
        ? 'the browser had crashed or was closed; its other tabs are gone, cookies and storage are kept in the profile'
        : 'the browser had crashed or was closed; its cookies, storage and other tabs are gone',
    );
  }

  /** In a new tab after the current one crashed: reopens its URL and reports the reset. */
  async reopenTab(): Promise<void> {
    const crashed = this.crashedUrl;
    if (crashed === undefined) return;
    this.crashedUrl = undefined;
    // The closed tab is not news beside the reset.
    this.events.forget((e) => e.kind === 'tab_closed' && e.url === crashed);
    await this.restore('tab', crashed, 'its renderer died; a new tab replaced it');
  }

  /** Reopens `url` in a fresh page after a crash and reports the reset; `reason` says what was lost. */
  private async restore(what: 'browser' | 'tab', url: string, reason: string): Promise<void> {
    this.resetCount++;
    const page = await this.host.currentPage();
    const reopen = /^(https?|file|data):/.test(url) && this.config.domainPolicy.checkNavigation(url).allowed;
    if (reopen) {
      try {
        await this.host.load(page, url);
      } catch (error) {
        reason += `; reopening the page failed: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    this.events.add({ kind: 'reset', what, url: reopen ? url : page.url(), reason });
  }

  /** A call that failed because the browser or its tab died says so, and what the next call will do. */
  explain(error: unknown): unknown {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (this.lostUrl !== undefined) {
      return new Error(
        `The browser went away during this call (it crashed or was killed): ${detail}. The next call starts a new browser and reopens ${this.lostUrl}.`,
        { cause: error },
      );
    }
    if (this.crashedUrl !== undefined) {
      return new Error(`The tab crashed during this call: ${detail}. The next call opens a new tab at ${this.crashedUrl}.`, {
        cause: error,
      });
    }
    return error;
  }

  /** Makes a page that missed a deadline usable again: its script stopped, else its tab closed. Says which. */
  async revive(page: Page): Promise<string> {
    const url = page.url();
    log.warn(`session ${this.host.id}: the page ${url} is not answering`);
    if (await this.scripts.stop(page)) {
      const detail = 'Its script was stopped; the page answers again (a script that starts again may need another call).';
      this.events.add({ kind: 'not_answering', url, recovery: 'script_stopped', detail });
      return detail;
    }
    await withDeadline(page.close({ runBeforeUnload: false }), this.config.pageAnswerMs, 'closing the tab').catch(() => {});
    // Forget it even if the browser has not confirmed the close yet.
    this.host.tabs.remove(page);
    this.resetCount++;
    const next = await this.host.currentPage();
    const detail = `Even with its script stopped it did not answer, so its tab was closed; the session now shows ${next.url()}.`;
    this.events.forget((e) => e.kind === 'tab_closed' && e.url === url);
    this.events.add({ kind: 'not_answering', url, recovery: 'tab_closed', detail });
    return detail;
  }
}
