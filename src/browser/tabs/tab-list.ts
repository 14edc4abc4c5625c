import type { Page } from 'playwright';
import { withDeadline } from '../deadline.js';

/** Closed tabs remembered for reopening. */
const MAX_CLOSED_TABS = 20;

/**
 * A session's tabs in the order `tabs` lists them, the one actions go to,
 * and the URLs of closed ones (newest last) for ctrl+shift+T.
 */
export class TabList {
  private readonly list: Page[] = [];
  private currentPage: Page | undefined;
  /** The tab last brought to the front. */
  private front: Page | undefined;
  private readonly closedUrls: string[] = [];

  get pages(): readonly Page[] {
    return this.list;
  }

  get count(): number {
    return this.list.length;
  }

  /** The tab actions go to; undefined when every tab is closed (or gone with the browser). */
  get current(): Page | undefined {
    return this.currentPage;
  }

  includes(page: Page | null | undefined): boolean {
    return page ? this.list.includes(page) : false;
  }

  /** A new tab, made current; `shown`: it is already the visible one (a page the session opened itself). */
  add(page: Page, shown: boolean): void {
    this.list.push(page);
    this.currentPage = page;
    if (shown) this.front = page;
  }

  /** Makes a listed tab current (a named window an action loaded into). */
  follow(page: Page): void {
    if (this.list.includes(page)) this.currentPage = page;
  }

  /** Forgets a tab; the last remaining one becomes current if it was. Says whether it was current. */
  remove(page: Page): boolean {
    const index = this.list.indexOf(page);
    if (index >= 0) this.list.splice(index, 1);
    if (this.currentPage !== page) return false;
    this.currentPage = this.list.at(-1);
    return true;
  }

  /** Forgets every tab (the browser went away with them). */
  clear(): void {
    this.list.length = 0;
    this.currentPage = undefined;
    this.front = undefined;
  }

  /** Makes tab `index` current; `sessionId` names the session in the error. */
  select(index: number, sessionId: string): void {
    const page = this.list[index];
    if (!page || page.isClosed()) {
      throw new Error(
        `No tab ${index} in session ${sessionId}: it has ${this.list.length} tab(s), numbered from 0 (see tabs in the last result).`,
      );
    }
    this.currentPage = page;
  }

  /** The current tab's position among `count` tabs. */
  position(): { index: number; count: number } {
    return { index: this.currentPage ? this.list.indexOf(this.currentPage) : -1, count: this.list.length };
  }

  /** A tab the session switched to must be the visible one, or it may not render; a page that does not answer in `answerMs` is left as it is. */
  async bringToFront(page: Page, answerMs: number): Promise<void> {
    if (this.front === page) return;
    this.front = page;
    await withDeadline(page.bringToFront(), answerMs, 'bringing the tab to the front').catch(() => {});
  }

  rememberClosed(url: string): void {
    this.closedUrls.push(url);
    if (this.closedUrls.length > MAX_CLOSED_TABS) this.closedUrls.shift();
  }

  /** The URL of the most recently closed tab, taken off the list; undefined when none was closed. */
  takeClosed(): string | undefined {
    return this.closedUrls.pop();
  }
}
