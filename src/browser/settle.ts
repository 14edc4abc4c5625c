import type { Page } from 'playwright';
import { log } from '../log.js';
import type { ActivityMonitor } from './activity.js';
import { documentLoaded, nextFrame } from './page-probes.js';
import { scrollEnded } from './scroll-watch.js';

/** After an action's requests end, how long to watch for the requests their responses set off. */
const QUIET_WINDOW_MS = 50;

export type ActivityMark = ReturnType<ActivityMonitor['mark']>;

/** What settle tells the session: the action reused a named window (window.open(url, 'docs'), a target="docs" link). */
export type FollowWindow = (page: Page, url: string) => void;

/**
 * Waits until what an action started has finished: an uncommitted
 * navigation, requests, downloads, a popup's load, scrolling; bounded by
 * `timeoutMs`. Then one rendered frame, so the screenshot shows the new
 * state. `currentPage` is the page the session looks at now (it may have
 * followed a popup since the action).
 */
export async function settle(
  activity: ActivityMonitor,
  mark: ActivityMark,
  actedOn: Page,
  currentPage: () => Promise<Page>,
  timeoutMs: number,
  sessionId: string,
  followWindow: FollowWindow,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Ask the page the action went to: by now the session may already follow a new tab.
  let probe = await nextFrame(actedOn);
  if (probe.scrolling) await scrollEnded(actedOn, Math.max(1, deadline - Date.now()));
  // The action started nothing (no request, navigation, page or popup): the frame just rendered already shows its effect.
  if (probe.popups === 0 && activity.quietSince(mark)) return;
  while (Date.now() < deadline) {
    if (probe.popups > 0) {
      // The page asked for a window: a new tab Playwright may not have announced yet, or a named one it already has, now loading.
      await activity.waitFor(() => activity.pagesOpenedSince(mark) || activity.navigationStartedSince(mark), deadline);
      const reused = activity.pagesOpenedSince(mark) ? undefined : activity.navigatedElsewhereSince(mark, actedOn);
      if (reused) followWindow(reused.page, reused.url);
    }
    await activity.waitFor(() => !activity.busySince(mark), deadline);
    const page = await currentPage();
    if (activity.navigatedSince(mark) || activity.pagesOpenedSince(mark)) {
      await documentLoaded(page, Math.max(1, deadline - Date.now()));
    }
    probe = await nextFrame(page);
    if (probe.scrolling) await scrollEnded(page, Math.max(1, deadline - Date.now()));
    if (probe.popups === 0 && !activity.busySince(mark)) {
      // What a response sets off (the next fetch of a chain) starts a moment later: a short quiet window catches it.
      const more = await activity.waitFor(() => activity.busySince(mark), Math.min(deadline, Date.now() + QUIET_WINDOW_MS));
      if (!more) return;
    }
  }
  log.debug(`session ${sessionId}: settle gave up waiting for ${activity.describeBusy(mark)}`);
}
