import type { BrowserContext } from 'playwright';

/** Tabs a session may have open; more (a page opening popups in a loop) are closed at once and reported. */
export const MAX_TABS = 20;

/**
 * A page script that lets one task of a page open at most MAX_TABS
 * windows: past that, window.open returns null as a popup blocker's does.
 * Without it, one click running window.open 150 times keeps the page busy
 * opening tabs that the session then closes. Added after the popup watch
 * (page-probes.ts), so refused windows are not counted as asked for.
 */
const BUDGET_SCRIPT = `(() => {
  if (window.__cuaOpenBudget) return;
  window.__cuaOpenBudget = true;
  const open = window.open;
  let opened = 0;
  window.open = function (...args) {
    if (opened === 0) setTimeout(() => { opened = 0; }, 0);
    if (++opened > ${MAX_TABS}) return null;
    return open.apply(this, args);
  };
})();`;

export async function limitPopups(context: BrowserContext): Promise<void> {
  await context.addInitScript(BUDGET_SCRIPT);
}
