import type { BrowserContext, Page } from 'playwright';
import { DeadlineError, withDeadline } from '../deadline.js';
import { WATCH_KEY } from './change-watch.js';
import { EXPECT_FRAMES, type ScrollState } from './scroll-watch.js';

/**
 * Playwright announces a popup only once its first response arrives, which
 * can be after a fast action has "settled". This page script counts the
 * tabs a page asked to open (window.open, target=_blank links and forms,
 * middle- or modifier-clicked links, unless the page prevented it), so the
 * settle step knows to wait for the new page.
 */
const WATCH_SCRIPT = `(() => {
  if (window.__cuaPopupWatch) return;
  window.__cuaPopupWatch = true;
  window.__cuaPopups = 0;
  const count = () => { window.__cuaPopups++; };
  const open = window.open;
  window.open = function (...args) {
    const opened = open.apply(this, args);
    if (opened) count();
    return opened;
  };
  // A target naming this window or one of its frames loads there, not in a new tab.
  const frameNamed = (t) => {
    if (t === window.name) return true;
    try { const w = top.frames[t]; return Boolean(w && w.window === w); } catch { return false; }
  };
  const newTabTarget = (t) => t && !['_self', '_parent', '_top'].includes(t.toLowerCase()) && !frameNamed(t);
  const onClick = (e) => {
    const link = e.target instanceof Element ? e.target.closest('a[href], area[href]') : null;
    if (!link) return;
    if (!(newTabTarget(link.target) || e.button === 1 || e.ctrlKey || e.metaKey || e.shiftKey)) return;
    setTimeout(() => { if (!e.defaultPrevented) count(); }, 0);
  };
  addEventListener('click', onClick, true);
  addEventListener('auxclick', onClick, true);
  addEventListener('submit', (e) => {
    const form = e.target;
    if (form instanceof HTMLFormElement && newTabTarget(form.target)) setTimeout(() => { if (!e.defaultPrevented) count(); }, 0);
  }, true);
})();`;

export async function watchPopups(context: BrowserContext): Promise<void> {
  await context.addInitScript(WATCH_SCRIPT);
}

/** What one frame of the page showed: tabs it asked to open, whether it is still scrolling (see scroll-watch.ts), and, for an armed probe, whether anything changed since it was armed (see change-watch.ts). */
export interface FrameProbe {
  popups: number;
  scrolling: boolean;
  changed: boolean;
}

/** The page side of the watch, as the probes below get it (the script is in change-watch.ts): `window.__cuaChanges(WATCH_KEY)`. */
interface ChangeWatch {
  /** Starts watching; false when the page shows what the watch cannot see, or has too much to watch (then nothing is armed). */
  arm(): boolean;
  /** Stops watching and says whether anything changed since arm(). */
  disarm(): boolean;
  /** The frame probe armFrame started, for armedFrame to collect. */
  armedFrame?: Promise<FrameProbe>;
}

/** What a probe that cannot read the page reports: the document went away (navigation, close), which is itself the news. */
const GONE: FrameProbe = { popups: 0, scrolling: false, changed: true };

type ProbedWindow = { __cuaPopups?: number; __cuaScroll?: ScrollState; __cuaChanges?: (key: string) => ChangeWatch | undefined };

/**
 * Runs in the page: resolves after one rendered frame with what that frame
 * showed, reading (and resetting) the popup count. A hidden page draws no
 * frames: it resolves after 100 ms, or as soon as the page is hidden. A
 * visible page on a starved machine may take far longer than that to draw;
 * it is given `visibleMs` (half the page-answer deadline), since a
 * screenshot taken before the frame misses what the page does in it.
 * Armed: first checks that nothing is under way (no popup asked for, no
 * scrolling or scroll about to start) and arms the change watch (which
 * refuses pages it cannot see, see change-watch.ts), then stores the probe
 * for armedFrame and returns true at once; false if it could not arm. An
 * armed probe that saw no frame counts as changed: it cannot vouch for an
 * early screenshot.
 */
async function probeFrame([expectFrames, armed, key, visibleMs]: readonly [number, boolean, string, number]): Promise<
  FrameProbe | boolean
> {
  const w = window as unknown as ProbedWindow;
  const changes = armed ? w.__cuaChanges?.(key) : undefined;
  if (armed) {
    const busy = (w.__cuaPopups ?? 0) > 0 || w.__cuaScroll?.scrolling(expectFrames) !== false;
    if (!changes || busy || !changes.arm()) return false;
  }
  const probe = new Promise<FrameProbe>((resolve) => {
    // Whichever comes first; the other must not read (and reset) the count later.
    let finished = false;
    const done = (rendered: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(fallback);
      removeEventListener('visibilitychange', hidden);
      const popups = w.__cuaPopups ?? 0;
      w.__cuaPopups = 0;
      const changed = armed && changes ? changes.disarm() || !rendered : false;
      resolve({ popups, scrolling: w.__cuaScroll?.check(expectFrames) ?? false, changed });
    };
    const hidden = () => {
      if (document.visibilityState === 'hidden') done(false);
    };
    const fallback = setTimeout(() => done(false), document.visibilityState === 'visible' ? visibleMs : 100);
    addEventListener('visibilitychange', hidden);
    requestAnimationFrame(() => setTimeout(() => done(true), 0));
  });
  if (!armed || !changes) return probe;
  changes.armedFrame = probe;
  return true;
}

/** How long a visible page may take to draw a frame: half the page-answer deadline, so the page still answers within it. */
const visibleFrameMs = (answerMs: number) => Math.max(100, Math.floor(answerMs / 2));

/**
 * Waits one rendered frame of the page (see probeFrame for a page that
 * draws none) and returns how many tabs it asked to open since the last
 * call, and whether it is scrolling. The frame is long enough for the
 * browser to report the requests and navigations the last input started.
 * A DeadlineError when the page does not answer within `answerMs`, here
 * and in the probes below.
 */
export async function nextFrame(page: Page, answerMs: number): Promise<FrameProbe> {
  try {
    const probe = page.evaluate(probeFrame, [EXPECT_FRAMES, false, '', visibleFrameMs(answerMs)] as const);
    // The page falls back to a timer itself; one whose scripts never run again does not.
    const found = await withDeadline(probe, answerMs, 'waiting for the page to render a frame');
    return typeof found === 'boolean' ? GONE : found;
  } catch (error) {
    if (error instanceof DeadlineError) throw error;
    return GONE;
  }
}

/**
 * Starts nextFrame's probe with the change watch armed, and returns once it
 * is armed: true, or false when the page cannot be watched or something is
 * already under way (then nothing was started). Collect it with armedFrame.
 */
export async function armFrame(page: Page, answerMs: number): Promise<boolean> {
  try {
    return (
      (await withDeadline(
        page.evaluate(probeFrame, [EXPECT_FRAMES, true, WATCH_KEY, visibleFrameMs(answerMs)] as const),
        answerMs,
        'watching the page',
      )) === true
    );
  } catch (error) {
    if (error instanceof DeadlineError) throw error;
    return false;
  }
}

/** What the frame probe armFrame started found; a page that went away counts as changed. */
export async function armedFrame(page: Page, answerMs: number): Promise<FrameProbe> {
  try {
    const probe = page.evaluate((key) => (window as unknown as ProbedWindow).__cuaChanges?.(key)?.armedFrame ?? null, WATCH_KEY);
    return (await withDeadline(probe, answerMs, 'waiting for the page to render a frame')) ?? GONE;
  } catch (error) {
    if (error instanceof DeadlineError) throw error;
    return GONE;
  }
}

/**
 * Resolves when the page's document has loaded (or at the timeout). Asked of
 * the document itself: Playwright may miss the load event of a popup that
 * loaded before it was announced.
 */
export async function documentLoaded(page: Page, timeoutMs: number, answerMs: number): Promise<void> {
  try {
    const loaded = page.evaluate(
      (timeout) =>
        new Promise<void>((resolve) => {
          if (document.readyState === 'complete') return resolve();
          addEventListener('load', () => resolve(), { once: true });
          setTimeout(resolve, timeout);
        }),
      timeoutMs,
    );
    await withDeadline(loaded, timeoutMs + answerMs, 'waiting for the page to load');
  } catch (error) {
    if (error instanceof DeadlineError) throw error;
    // Navigated or closed meanwhile: the caller re-checks.
  }
}
