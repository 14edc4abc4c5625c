import type { Page } from 'playwright';
import type { BrowserConfig } from './browser-config.js';
import type { EventLog } from '../session/event-log.js';
import type { Navigation, NavigationOutcome } from '../session/computer-session.js';
import { historyStep } from './input/shortcuts.js';
import { ping } from './recovery/unresponsive.js';
import type { ActivityMonitor } from './settle/activity.js';
import type { ActivityMark } from './settle/settle.js';
import { normalizeUrl } from '../urls.js';

/** A navigation the domain policy does not allow; nothing was loaded. */
export class NavigationBlockedError extends Error {}

/** What navigating needs of a browser session: its page, and the means to wait for what a load started. */
export interface NavigationHost {
  readonly activity: ActivityMonitor;
  /** The page actions go to, once the last action has settled. */
  page(): Promise<Page>;
  /** Waits until what was started after `mark` has finished. */
  settle(mark: ActivityMark, actedOn: Page): Promise<void>;
  /** Runs work on the page; a missed deadline revives the page before the error. */
  answering<T>(page: Page, work: () => Promise<T>): Promise<T>;
}

/** A browser session's addresses and history: every top-level load goes through the domain policy and is settled. */
export class BrowserNavigation implements Navigation {
  constructor(
    private readonly host: NavigationHost,
    /** The session's events: a load that fails may have been a download or a block, which they show. */
    private readonly events: EventLog,
    private readonly config: BrowserConfig,
  ) {}

  open(url: string): Promise<NavigationOutcome> {
    return this.host.page().then((page) => this.load(page, normalizeUrl(url)));
  }

  async goto(url: string): Promise<string> {
    const target = normalizeUrl(url);
    const outcome = await this.open(target);
    return {
      loaded: `Opened ${target}`,
      download: `${target} is a download: it was saved; the page did not change`,
      blocked: `${target} was blocked by the domain policy`,
    }[outcome];
  }

  back(): Promise<string> {
    return this.historyStep('back');
  }

  forward(): Promise<string> {
    return this.historyStep('forward');
  }

  private async historyStep(direction: 'back' | 'forward'): Promise<string> {
    const page = await this.host.page();
    const mark = this.host.activity.mark();
    const effect = await historyStep(page, direction);
    await this.host.settle(mark, page);
    return effect;
  }

  /**
   * Opens a URL at the top level of `page`, unless the domain policy
   * forbids it. Says what happened: the page loaded, the URL turned out to
   * be a download (saved, the page unchanged), or the policy stopped a redirect.
   */
  async load(page: Page, url: string): Promise<NavigationOutcome> {
    const verdict = this.config.domainPolicy.checkNavigation(url);
    if (!verdict.allowed) throw new NavigationBlockedError(`Blocked by the domain policy: ${verdict.reason}`);
    return this.host.answering(page, () => this.commit(page, url));
  }

  private async commit(page: Page, url: string): Promise<NavigationOutcome> {
    const mark = this.host.activity.mark();
    const blockedBefore = this.events.count('blocked');
    const downloadsBefore = this.events.count('download');
    // A page whose script spins is never left (a same-site address loads in its busy renderer): goto would wait out its own timeout.
    await ping(page, this.config.pageAnswerMs, 'leaving the page');
    try {
      await page.goto(url, { waitUntil: 'commit', timeout: Math.max(this.config.settleTimeoutMs, 30_000) });
    } catch (error) {
      // Let the browser's error page commit (or the download be saved), so it cannot interrupt the next navigation.
      await this.host.settle(mark, page);
      if (this.events.count('download') > downloadsBefore) return 'download';
      // A redirect the policy stopped fails the navigation; that is a reported block, not an error.
      if (this.events.count('blocked') === blockedBefore) throw error;
      return 'blocked';
    }
    await this.host.settle(mark, page);
    return 'loaded';
  }
}
