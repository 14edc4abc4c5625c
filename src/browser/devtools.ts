import type { CDPSession, Page } from 'playwright';

const sessions = new WeakMap<Page, Promise<CDPSession | undefined>>();

/**
 * The page's DevTools session beside Playwright's, attached on first use
 * and shared by whatever needs one (stopping a stuck script, download
 * progress). Chromium only: undefined for other engines.
 */
export function pageDevtools(page: Page): Promise<CDPSession | undefined> {
  let session = sessions.get(page);
  if (!session) {
    session = page
      .context()
      .newCDPSession(page)
      .catch(() => undefined);
    sessions.set(page, session);
  }
  return session;
}
