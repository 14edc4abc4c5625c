import type { BrowserContext, Page } from 'playwright';
import { withDeadline } from '../deadline.js';

/**
 * Scrolling that an action set off can end after the action returns:
 * smooth scrolling, scripts that animate scrollTop frame by frame, and
 * keyboard scrolls the browser performs a moment after the keydown. This
 * page script keeps the times of the last scroll event, the last
 * `scrollend`, the last scroll call made by the page's scripts, and the
 * last input that is about to scroll (a scroll key or a wheel turn nobody
 * prevented), so settle can tell whether the page is still scrolling.
 */
const WATCH_SCRIPT = `(() => {
  if (window.__cuaScroll) return;
  const s = window.__cuaScroll = { moved: false, lastScroll: -1, lastEnd: -1, lastCall: -1, expected: -1 };
  const now = () => performance.now();
  const opts = { capture: true, passive: true };
  addEventListener('scroll', () => { s.moved = true; s.lastScroll = now(); }, opts);
  addEventListener('scrollend', () => { s.lastEnd = now(); }, opts);
  const called = () => { s.lastCall = s.expected = now(); };
  const wrap = (target, names) => {
    for (const name of names) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      target[name] = function (...args) { called(); return original.apply(this, args); };
    }
  };
  wrap(Element.prototype, ['scroll', 'scrollTo', 'scrollBy', 'scrollIntoView']);
  wrap(window, ['scroll', 'scrollTo', 'scrollBy']);
  for (const prop of ['scrollTop', 'scrollLeft']) {
    const d = Object.getOwnPropertyDescriptor(Element.prototype, prop);
    if (d && d.set) Object.defineProperty(Element.prototype, prop, { ...d, set(v) { called(); d.set.call(this, v); } });
  }
  const expectUnlessPrevented = (e) => {
    const at = now();
    s.expected = at;
    setTimeout(() => { if (e.defaultPrevented && s.expected === at) s.expected = -1; }, 0);
  };
  const SCROLL_KEYS = new Set([' ', 'PageUp', 'PageDown', 'Home', 'End', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']);
  addEventListener('keydown', (e) => {
    const t = e.target;
    // Keys in a text field move the caret, not the page.
    if (!SCROLL_KEYS.has(e.key) || (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)))) return;
    expectUnlessPrevented(e);
  }, true);
  addEventListener('wheel', expectUnlessPrevented, opts);
  addEventListener('hashchange', () => { s.expected = now(); }, true);
  // About to scroll: asked for, and no scroll event since (given up after \`frames\` frames: there may be nothing to scroll).
  s.pending = (frames) => s.expected > s.lastScroll && now() - s.expected < frames * 17;
  // Still scrolling: about to, or a scroll event since the last check not followed by scrollend, or a script asked for more.
  s.scrolling = (frames) => s.pending(frames) || (s.moved && !(s.lastEnd >= s.lastScroll && s.lastCall <= s.lastScroll));
  // scrolling(), and the next check starts afresh.
  s.check = (frames) => {
    const scrolling = s.scrolling(frames);
    s.moved = false;
    return scrolling;
  };
})();`;

export async function watchScrolling(context: BrowserContext): Promise<void> {
  await context.addInitScript(WATCH_SCRIPT);
}

/** Frames to wait for a scroll that input or a script asked for to start, before deciding there was nothing to scroll. */
export const EXPECT_FRAMES = 6;
/** Frames in a row that must find the page not scrolling: a script animation may skip a frame. */
const QUIET_FRAMES = 2;

export interface ScrollState {
  pending(frames: number): boolean;
  /** Whether the page is still scrolling, or about to, as far as the page knows now. */
  scrolling(frames: number): boolean;
  check(frames: number): boolean;
}

/** Resolves when the page has stopped scrolling (QUIET_FRAMES frames in a row), or at the timeout (`answerMs` later if the page does not answer). */
export async function scrollEnded(page: Page, timeoutMs: number, answerMs: number): Promise<void> {
  try {
    const waited = page.evaluate(
      ([expectFrames, quietFrames, timeout]) =>
        new Promise<void>((resolve) => {
          const s = (window as unknown as { __cuaScroll?: ScrollState }).__cuaScroll;
          if (!s) return resolve();
          const timer = setTimeout(resolve, timeout);
          let quiet = 0;
          const frame = () =>
            requestAnimationFrame(() =>
              setTimeout(() => {
                quiet = s.check(expectFrames) ? 0 : quiet + 1;
                if (quiet >= quietFrames) {
                  clearTimeout(timer);
                  resolve();
                } else frame();
              }, 0),
            );
          frame();
        }),
      [EXPECT_FRAMES, QUIET_FRAMES, timeoutMs] as const,
    );
    // The page times itself out; a page that stopped answering altogether does not.
    await withDeadline(waited, timeoutMs + answerMs, 'waiting for scrolling to end');
  } catch {
    // Navigated, closed or not answering: the caller re-checks.
  }
}
