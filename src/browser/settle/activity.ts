import type { Page, Request } from 'playwright';

/** Requests that never "finish" in the sense of a page settling. */
const LONG_LIVED = new Set(['eventsource', 'websocket', 'manifest', 'other']);

interface Mark {
  requestSeq: number;
  navigationSeq: number;
  pageSeq: number;
  downloadSeq: number;
}

/**
 * Watches what the browser does so that, after an action, the harness waits
 * exactly as long as the action's consequences need: the navigation it
 * started, the requests it fired, the page it opened, and no longer.
 */
export class ActivityMonitor {
  private requestSeq = 0;
  private navigationSeq = 0;
  private pageSeq = 0;
  private downloadSeq = 0;
  private readonly inflight = new Map<Request, number>();
  private readonly waiters = new Set<() => void>();
  /** Downloads being saved, each with the sequence number it started at: an action waits only for its own. */
  private readonly pendingDownloads = new Map<Promise<unknown>, number>();
  /** Each page's latest main-frame navigation request, with its sequence number. */
  private readonly navigations = new Map<Page, { seq: number; url: string }>();
  /** Main-frame navigations whose request has started but whose document has not committed yet. */
  private readonly uncommitted = new Map<Page, Request>();

  /** Call for each page the session owns. */
  watchPage(page: Page): void {
    this.pageSeq++;
    // settle may be waiting for this page (a popup the page asked for).
    this.notify();
    page.on('request', (request) => {
      const navigation = request.isNavigationRequest() && request.frame() === page.mainFrame();
      if (navigation) this.uncommitted.set(page, request);
      if (LONG_LIVED.has(request.resourceType())) return;
      this.inflight.set(request, ++this.requestSeq);
      if (navigation) this.navigations.set(page, { seq: this.requestSeq, url: request.url() });
      this.notify();
    });
    const done = (request: Request) => {
      if (this.inflight.delete(request)) this.notify();
    };
    const abandoned = (request: Request) => {
      // A navigation that fails, or turns into a download, never commits.
      if (this.uncommitted.get(page) === request) this.uncommitted.delete(page);
      done(request);
    };
    page.on('requestfinished', done);
    page.on('requestfailed', abandoned);
    page.on('response', (response) => {
      const status = response.status();
      // 204/205 navigations never commit; bodiless responses may never emit requestfinished.
      if (status === 204 || status === 205) abandoned(response.request());
      else if (status === 304 || (status >= 300 && status < 400)) done(response.request());
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) {
        this.uncommitted.delete(page);
        this.navigationSeq++;
        this.notify();
      }
    });
    page.on('close', () => {
      for (const [request] of this.inflight) if (request.frame().page() === page) this.inflight.delete(request);
      this.uncommitted.delete(page);
      this.navigations.delete(page);
      this.notify();
    });
  }

  trackDownload(saved: Promise<unknown>): void {
    this.pendingDownloads.set(saved, ++this.downloadSeq);
    void saved.finally(() => {
      this.pendingDownloads.delete(saved);
      this.notify();
    });
  }

  mark(): Mark {
    return { requestSeq: this.requestSeq, navigationSeq: this.navigationSeq, pageSeq: this.pageSeq, downloadSeq: this.downloadSeq };
  }

  navigatedSince(mark: Mark): boolean {
    return this.navigationSeq > mark.navigationSeq;
  }

  pagesOpenedSince(mark: Mark): boolean {
    return this.pageSeq > mark.pageSeq;
  }

  /** A page other than `except` whose main frame started loading after the mark: a named window reused by window.open or a link's target. */
  navigatedElsewhereSince(mark: Mark, except: Page): { page: Page; url: string } | undefined {
    for (const [page, { seq, url }] of this.navigations) if (page !== except && seq > mark.requestSeq) return { page, url };
    return undefined;
  }

  /** Any page's main frame started loading after the mark. */
  navigationStartedSince(mark: Mark): boolean {
    return [...this.navigations.values()].some(({ seq }) => seq > mark.requestSeq);
  }

  /** Requests started after the mark that are still running. */
  pendingSince(mark: Mark): Request[] {
    return [...this.inflight].filter(([, seq]) => seq > mark.requestSeq).map(([r]) => r);
  }

  /** Downloads started after the mark that are still being saved (a never-ending one from earlier must not slow later actions). */
  private downloadsSince(mark: Mark): number {
    return [...this.pendingDownloads.values()].filter((seq) => seq > mark.downloadSeq).length;
  }

  /** Something the last action started is still under way: a request, a download, an uncommitted navigation. */
  busySince(mark: Mark): boolean {
    return this.uncommitted.size > 0 || this.downloadsSince(mark) > 0 || this.pendingSince(mark).length > 0;
  }

  /** Nothing at all has happened since the mark: no request, navigation or page started, and nothing is pending. */
  quietSince(mark: Mark): boolean {
    const { requestSeq, navigationSeq, pageSeq, downloadSeq } = this;
    return (
      requestSeq === mark.requestSeq &&
      navigationSeq === mark.navigationSeq &&
      pageSeq === mark.pageSeq &&
      downloadSeq === mark.downloadSeq &&
      !this.busySince(mark)
    );
  }

  /** What is still running, for logs. */
  describeBusy(mark: Mark): string {
    const parts = this.pendingSince(mark).map((r) => `${r.resourceType()} ${r.url()}`);
    for (const [, request] of this.uncommitted) parts.push(`uncommitted navigation ${request.url()}`);
    const downloads = this.downloadsSince(mark);
    if (downloads) parts.push(`${downloads} download(s)`);
    return parts.join(', ') || 'a new tab that never opened';
  }

  private notify(): void {
    for (const wake of this.waiters) wake();
  }

  /** Resolves when `condition` holds or at the deadline; re-checked on every network event. */
  async waitFor(condition: () => boolean, deadline: number): Promise<boolean> {
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        function wake() {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        const waiters = this.waiters;
        waiters.add(wake);
      });
    }
    return true;
  }
}
