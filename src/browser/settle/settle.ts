import type { Page } from 'playwright';
import { log } from '../../log.js';
import type { ActivityMonitor } from './activity.js';
import { armedFrame, armFrame, documentLoaded, nextFrame, type FrameProbe } from './page-probes.js';
import { scrollEnded } from './scroll-watch.js';

/** After an action's requests end, how long to watch for the requests their responses set off. */
const QUIET_WINDOW_MS = 50;

export type ActivityMark = ReturnType<ActivityMonitor['mark']>;

/** What settle tells the session: the action reused a named window (window.open(url, 'docs'), a target="docs" link). */
export type FollowWindow = (page: Page, url: string) => void;

/** What settling needs of the session. */
export interface SettleScope {
  activity: ActivityMonitor;
  /** The page the session looks at now (it may have followed a popup since the action). Must not wait for a deferred settle. */
  currentPage: () => Promise<Page>;
  timeoutMs: number;
  /** How long one round trip to the page may take before it counts as not answering. */
  pageAnswerMs: number;
  sessionId: string;
  followWindow: FollowWindow;
}

/**
 * Waits until what an action started has finished: an uncommitted
 * navigation, requests, downloads, a popup's load, scrolling; bounded by
 * the settle timeout. Then one rendered frame, so the screenshot shows the
 * new state.
 */
export async function settle(scope: SettleScope, mark: ActivityMark, actedOn: Page): Promise<void> {
  const deadline = Date.now() + scope.timeoutMs;
  // Ask the page the action went to: by now the session may already follow a new tab.
  await settleFrom(scope, mark, actedOn, deadline, await nextFrame(actedOn, scope.pageAnswerMs));
}

/** How a deferred settle ended: the first frame found nothing started and nothing changed, or it waited as settle does. */
export type Settled = 'unchanged' | 'waited';

/**
 * Settles an action that a screenshot may follow at once. When the action
 * has visibly started nothing (no request, navigation, popup, scroll), the
 * page's change watch is armed and this returns at once with `settled`:
 * 'unchanged' if the next frame found nothing started and nothing changed
 * since arming, so a screenshot begun after this returned already shows the
 * settled screen and need not wait for that frame; else 'waited', once
 * everything settle waits for has ended. Otherwise it settles now and
 * returns undefined.
 */
export async function settleDeferred(
  scope: SettleScope,
  mark: ActivityMark,
  actedOn: Page,
): Promise<{ settled: Promise<Settled> } | undefined> {
  const deadline = Date.now() + scope.timeoutMs;
  const quiet = () => scope.activity.quietSince(mark);
  // Frames (iframes) are not watched: a change inside one would go unseen.
  if (quiet() && actedOn.frames().length === 1 && (await armFrame(actedOn, scope.pageAnswerMs))) {
    const settled = (async (): Promise<Settled> => {
      const probe = await armedFrame(actedOn, scope.pageAnswerMs);
      if (!probe.changed && probe.popups === 0 && !probe.scrolling && quiet()) return 'unchanged';
      await settleFrom(scope, mark, actedOn, deadline, probe);
      return 'waited';
    })();
    return { settled };
  }
  await settleFrom(scope, mark, actedOn, deadline, await nextFrame(actedOn, scope.pageAnswerMs));
  return undefined;
}

/** The rest of settle, from the first frame's probe. */
async function settleFrom(scope: SettleScope, mark: ActivityMark, actedOn: Page, deadline: number, first: FrameProbe): Promise<void> {
  const { activity } = scope;
  let probe = first;
  if (probe.scrolling) await scrollEnded(actedOn, Math.max(1, deadline - Date.now()), scope.pageAnswerMs);
  // The action started nothing (no request, navigation, page or popup): the frame just rendered already shows its effect.
  if (probe.popups === 0 && activity.quietSince(mark)) return;
  while (Date.now() < deadline) {
    if (probe.popups > 0) {
      // The page asked for a window: a new tab Playwright may not have announced yet, or a named one it already has, now loading.
      await activity.waitFor(() => activity.pagesOpenedSince(mark) || activity.navigationStartedSince(mark), deadline);
      const reused = activity.pagesOpenedSince(mark) ? undefined : activity.navigatedElsewhereSince(mark, actedOn);
      if (reused) scope.followWindow(reused.page, reused.url);
    }
    await activity.waitFor(() => !activity.busySince(mark), deadline);
    const page = await scope.currentPage();
    if (activity.navigatedSince(mark) || activity.pagesOpenedSince(mark)) {
      await documentLoaded(page, Math.max(1, deadline - Date.now()), scope.pageAnswerMs);
    }
    probe = await nextFrame(page, scope.pageAnswerMs);
    if (probe.scrolling) await scrollEnded(page, Math.max(1, deadline - Date.now()), scope.pageAnswerMs);
    if (probe.popups === 0 && !activity.busySince(mark)) {
      // What a response sets off (the next fetch of a chain) starts a moment later: a short quiet window catches it.
      const more = await activity.waitFor(() => activity.busySince(mark), Math.min(deadline, Date.now() + QUIET_WINDOW_MS));
      if (!more) return;
    }
  }
  log.debug(`session ${scope.sessionId}: settle gave up waiting for ${activity.describeBusy(mark)}`);
}
