import type { Page } from 'playwright';
import { log } from '../log.js';
import type { ActivityMonitor } from './activity.js';
import { documentLoaded, nextFrame } from './page-probes.js';

/** After an action's requests end, how long to watch for the requests their responses set off. */
const QUIET_WINDOW_MS = 50;

export type ActivityMark = ReturnType<ActivityMonitor['mark']>;

/**
 * Waits until what an action started has finished: an uncommitted
 * navigation, requests, downloads, a popup's load; bounded by
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
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Ask the page the action went to: by now the session may already follow a new tab.
  let popupsAsked = await nextFrame(actedOn);
  // The action started nothing (no request, navigation, page or popup): the frame just rendered already shows its effect.
  if (popupsAsked === 0 && activity.quietSince(mark)) return;
  while (Date.now() < deadline) {
    // The page asked for a new tab that Playwright may not have announced yet.
    if (popupsAsked > 0) await activity.waitFor(() => activity.pagesOpenedSince(mark), deadline);
    await activity.waitFor(() => !activity.busySince(mark), deadline);
    const page = await currentPage();
    if (activity.navigatedSince(mark) || activity.pagesOpenedSince(mark)) {
      await documentLoaded(page, Math.max(1, deadline - Date.now()));
    }
    popupsAsked = await nextFrame(page);
    if (popupsAsked === 0 && !activity.busySince(mark)) {
      // What a response sets off (the next fetch of a chain) starts a moment later: a short quiet window catches it.
      const more = await activity.waitFor(() => activity.busySince(mark), Math.min(deadline, Date.now() + QUIET_WINDOW_MS));
      if (!more) return;
    }
  }
  log.debug(`session ${sessionId}: settle gave up waiting for ${activity.describeBusy(mark)}`);
}
