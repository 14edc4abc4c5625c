import fs from 'node:fs/promises';
import os from 'node:os';
import type { Download, Page } from 'playwright';
import type { DownloadLimits } from '../browser-config.js';
import { log } from '../../log.js';
import { pageDevtools } from '../devtools.js';

const MiB = 1024 * 1024;
const size = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`);

interface Arriving {
  url: string;
  bytes: number;
}

/**
 * One session's downloads against the limits (per download, per session,
 * how many, the free space left), checked as the browser reports the
 * bytes arriving (Chromium's download progress, several times a second):
 * a download past a limit is cancelled then, not when it ends, which an
 * endless one never does. Other engines have no progress reports; their
 * downloads are only counted. A download a limit stopped is never kept,
 * even when its last bytes beat the cancellation.
 */
export class DownloadGuard {
  private started = 0;
  /** Bytes of this session's downloads, finished and arriving. */
  private total = 0;
  /** Arriving downloads by the browser's id. */
  private readonly arriving = new Map<string, Arriving>();
  /** Playwright's downloads not finished yet, with why they were stopped once they are. */
  private readonly open = new Map<Download, { reason?: string }>();
  /** Stops decided before Playwright announced the download (by URL). */
  private readonly early = new Map<string, string>();

  constructor(
    private readonly limits: DownloadLimits,
    private readonly outputDir: string,
    /** A limit stopped a download: the reason, for a `limit` event. */
    private readonly stopped: (reason: string) => void,
  ) {}

  /** Follows the downloads `page` starts. */
  watch(page: Page): void {
    void pageDevtools(page).then(async (devtools) => {
      if (!devtools) return;
      devtools.on('Page.downloadWillBegin', ({ guid, url }: { guid: string; url: string }) => this.began(guid, url));
      devtools.on(
        'Page.downloadProgress',
        (progress: { guid: string; receivedBytes: number; state: string }) => void this.progress(progress),
      );
      await devtools.send('Page.enable').catch((error: unknown) => log.debug('download progress is not followed', error));
    });
  }

  /** Playwright's object for a download, counted here (in the order the session's downloads start); `reason()` says why a limit stopped it, if one did. */
  track(download: Download, saved: Promise<void>): { reason: () => string | undefined } {
    const entry: { reason?: string } = {};
    this.open.set(download, entry);
    void saved.finally(() => this.open.delete(download));
    const early = this.early.get(download.url());
    if (this.limits.maxCount > 0 && ++this.started > this.limits.maxCount) this.cancel(download, entry, this.countReason());
    else if (early !== undefined) {
      this.early.delete(download.url());
      this.cancel(download, entry, early);
    }
    return { reason: () => entry.reason };
  }

  private countReason(): string {
    return `cancelled: this session already started ${this.limits.maxCount} download(s), the most allowed (--max-downloads)`;
  }

  private began(guid: string, url: string): void {
    this.arriving.set(guid, { url, bytes: 0 });
  }

  private async progress({ guid, receivedBytes, state }: { guid: string; receivedBytes: number; state: string }): Promise<void> {
    const download = this.arriving.get(guid);
    if (!download) return;
    if (state === 'canceled') {
      this.total -= download.bytes;
      this.arriving.delete(guid);
      return;
    }
    this.total += receivedBytes - download.bytes;
    download.bytes = receivedBytes;
    if (state !== 'inProgress') {
      this.arriving.delete(guid);
      return;
    }
    const { maxBytes, sessionBytes, minFreeBytes } = this.limits;
    if (maxBytes > 0 && receivedBytes > maxBytes) {
      this.stop(
        guid,
        `cancelled after ${size(receivedBytes)}: larger than ${size(maxBytes)}, the most one download may be (--max-download-size)`,
      );
    } else if (sessionBytes > 0 && this.total > sessionBytes) {
      this.stop(
        guid,
        `cancelled after ${size(receivedBytes)}: this session's downloads passed ${size(sessionBytes)} together (--session-download-size)`,
      );
    } else if (minFreeBytes > 0) {
      const low = await this.lowDisk(receivedBytes);
      if (low && this.arriving.has(guid))
        this.stop(guid, `cancelled after ${size(receivedBytes)}: ${low} (--min-free-space ${size(minFreeBytes)})`);
    }
  }

  /**
   * Which file system would drop below the free space to keep: the temp
   * folder the browser writes the bytes to now, or the output folder the
   * finished file is copied to.
   */
  private async lowDisk(received: number): Promise<string | undefined> {
    const free = async (folder: string) => {
      const stats = await fs.statfs(folder).catch(() => undefined);
      return stats ? stats.bavail * stats.bsize : Infinity;
    };
    const temp = os.tmpdir();
    if ((await free(temp)) < this.limits.minFreeBytes) return `the file system of ${temp} is nearly full`;
    if ((await free(this.outputDir)) - received < this.limits.minFreeBytes)
      return `the file system of ${this.outputDir} has too little room left for it`;
    return undefined;
  }

  private stop(guid: string, reason: string): void {
    const url = this.arriving.get(guid)?.url;
    this.arriving.delete(guid);
    if (url === undefined) return;
    const match = [...this.open].find(([download, entry]) => download.url() === url && entry.reason === undefined);
    if (match) this.cancel(match[0], match[1], reason);
    else this.early.set(url, reason);
  }

  private cancel(download: Download, entry: { reason?: string }, reason: string): void {
    entry.reason = reason;
    log.info(`download of ${download.url()} ${reason}`);
    this.stopped(reason);
    void download.cancel().catch(() => {});
  }
}
