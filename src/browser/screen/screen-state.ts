import type { Page } from 'playwright';
import type { ScreenState, Tab } from '../../session/computer-session.js';
import { withDeadline } from '../deadline.js';
import type { TabList } from '../tabs/tab-list.js';
import { readDocument } from './document-state.js';

/** How long a tab's title may take: a page that does not answer must not hold up a result or list_sessions. */
const TITLE_MS = 2_000;

/** What a browser session's result reports besides the screenshot: `page` (the current tab), every tab, the sizes. */
export async function readScreenState(
  sessionId: string,
  page: Page,
  tabs: TabList,
  sizes: Pick<ScreenState, 'display' | 'viewport'>,
): Promise<ScreenState> {
  // The current tab's title comes in the same round trip as its status, scroll and size; other tabs need only theirs.
  const current = readDocument(page, TITLE_MS);
  const list: Tab[] = await Promise.all(
    tabs.pages.map(async (tab, index) => ({
      index,
      url: tab.url(),
      title: tab === page ? (await current).title : await withDeadline(tab.title(), TITLE_MS, 'the title').catch(() => ''),
      active: tab === tabs.current,
    })),
  );
  const currentDocument = await current;
  return {
    session_id: sessionId,
    url: page.url(),
    title: currentDocument.title,
    display: sizes.display,
    viewport: sizes.viewport,
    tabs: list,
    http_status: currentDocument.httpStatus,
    scroll: currentDocument.scroll,
    page_size: currentDocument.pageSize,
  };
}
