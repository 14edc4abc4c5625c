import type { BrowserContext, Page } from 'playwright';

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
  const newTabTarget = (t) => t && !['_self', '_parent', '_top'].includes(t.toLowerCase());
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

/**
 * Waits one rendered frame of the page (or 100 ms if the page is not
 * rendering) and returns how many tabs it asked to open since the last call.
 * The frame is long enough for the browser to report the requests and
 * navigations the last input started.
 */
export async function nextFrame(page: Page): Promise<number> {
  try {
    return await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const w = window as unknown as { __cuaPopups?: number };
          // Whichever comes first; the other must not read (and reset) the count later.
          let finished = false;
          const done = () => {
            if (finished) return;
            finished = true;
            clearTimeout(fallback);
            const popups = w.__cuaPopups ?? 0;
            w.__cuaPopups = 0;
            resolve(popups);
          };
          const fallback = setTimeout(done, 100);
          requestAnimationFrame(() => setTimeout(done, 0));
        }),
    );
  } catch {
    // The document went away (navigation, close): that is itself the news.
    return 0;
  }
}

/**
 * Resolves when the page's document has loaded (or at the timeout). Asked of
 * the document itself: Playwright may miss the load event of a popup that
 * loaded before it was announced.
 */
export async function documentLoaded(page: Page, timeoutMs: number): Promise<void> {
  try {
    await page.evaluate(
      (timeout) =>
        new Promise<void>((resolve) => {
          if (document.readyState === 'complete') return resolve();
          addEventListener('load', () => resolve(), { once: true });
          setTimeout(resolve, timeout);
        }),
      timeoutMs,
    );
  } catch {
    // Navigated or closed meanwhile: the caller re-checks.
  }
}
