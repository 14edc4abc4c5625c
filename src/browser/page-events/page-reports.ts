import type { Page } from 'playwright';
import type { BrowserConfig } from '../browser-config.js';
import type { EventLog } from '../../session/event-log.js';
import { DownloadGuard } from '../policy/download-limits.js';
import type { ActivityMonitor } from '../settle/activity.js';
import { answerDialog } from './dialogs.js';
import { saveDownload } from './downloads.js';

/** Blocked requests reported per call; a page full of blocked trackers would drown the result. */
const MAX_BLOCKED_EVENTS = 20;
/** Dialogs listed per call; a page looping alert() would otherwise grow the events without end. */
const MAX_DIALOG_EVENTS = 10;

/**
 * What a session's pages do beside the screen, as events of its next
 * result: dialogs (answered by policy), downloads (saved, within the
 * limits) and requests the domain policy blocked, each bounded per call.
 */
export class PageReports {
  private readonly downloads: DownloadGuard;

  constructor(
    private readonly events: EventLog,
    private readonly config: BrowserConfig,
    /** Told about each download, so settling waits for it. */
    private readonly activity: ActivityMonitor,
  ) {
    this.downloads = new DownloadGuard(config.downloads, config.outputDir, (reason) =>
      events.overLimit('downloads', (n) => `${n} download(s) stopped at a limit; the last ${reason}`),
    );
  }

  watch(page: Page): void {
    this.downloads.watch(page);
    page.on('dialog', (dialog) => {
      const event = answerDialog(dialog, this.config.dialogPolicy);
      if (this.events.count('dialog') < MAX_DIALOG_EVENTS) this.events.add(event);
      else
        this.events.overLimit(
          'dialogs',
          (n) => `${n} more dialog(s) were answered the same way but not listed (at most ${MAX_DIALOG_EVENTS} per call)`,
        );
    });
    page.on('download', (download) => {
      const { event, saved } = saveDownload(download, this.config.outputDir, this.downloads);
      this.events.add(event);
      this.activity.trackDownload(saved);
    });
  }

  /** A request the domain policy stopped; each URL once per call. */
  blocked(url: string, reason: string): void {
    if (this.events.count('blocked') >= MAX_BLOCKED_EVENTS || this.events.peek().some((e) => e.kind === 'blocked' && e.url === url)) return;
    this.events.add({ kind: 'blocked', url, reason });
  }
}
