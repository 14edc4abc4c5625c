import type { Page } from 'playwright';
import { withDeadline } from '../deadline.js';

/** What the current document says about itself besides the screenshot, read in one round trip. */
export interface DocumentState {
  title: string;
  /** The HTTP status the document was served with; null when there was none (about:blank) or the browser does not tell (Firefox, WebKit). */
  httpStatus: number | null;
  /** How far the window is scrolled, in CSS pixels. */
  scroll: { x: number; y: number } | null;
  /** The whole document's size in CSS pixels: scrolled to the bottom when scroll.y + viewport height >= height. */
  pageSize: { width: number; height: number } | null;
}

/** Runs in the page. Page scripts can shadow any of these, so the answer is checked on our side. */
function readInPage() {
  const navigation = performance.getEntriesByType('navigation')[0] as (PerformanceEntry & { responseStatus?: number }) | undefined;
  const root = document.scrollingElement ?? document.documentElement;
  return {
    title: document.title,
    status: navigation?.responseStatus,
    x: window.scrollX,
    y: window.scrollY,
    width: Math.max(root?.scrollWidth ?? 0, window.innerWidth),
    height: Math.max(root?.scrollHeight ?? 0, window.innerHeight),
  };
}

const UNREADABLE: DocumentState = { title: '', httpStatus: null, scroll: null, pageSize: null };

const pixels = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;

/** The document's title, HTTP status, scroll position and size; what cannot be read within `ms` (navigating, not answering) is empty. */
export async function readDocument(page: Page, ms: number): Promise<DocumentState> {
  let raw: Partial<Record<keyof ReturnType<typeof readInPage>, unknown>>;
  try {
    raw = (await withDeadline(page.evaluate(readInPage), ms, 'reading the page title and scroll position')) ?? {};
  } catch {
    return UNREADABLE;
  }
  const [x, y, width, height] = [raw.x, raw.y, raw.width, raw.height].map(pixels);
  const status = raw.status;
  return {
    title: typeof raw.title === 'string' ? raw.title : '',
    httpStatus: typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : null,
    scroll: x !== undefined && y !== undefined ? { x, y } : null,
    pageSize: width !== undefined && height !== undefined ? { width, height } : null,
  };
}
