import type { Page } from 'playwright';
import { withDeadline } from '../deadline.js';

/**
 * Whether typing would go into a password field: the one at `at` (CSS
 * pixels) when the same call clicks there first, else the focused one.
 * True when the page cannot tell within `answerMs` (ask rather than guess).
 */
export function typesIntoPassword(page: () => Promise<Page>, at: { x: number; y: number } | undefined, answerMs: number): Promise<boolean> {
  const check = async () =>
    (await page()).evaluate((p) => {
      // Into same-origin frames and shadow roots, to the element that would take the keys.
      let doc: Document = document;
      let x = p?.x ?? 0;
      let y = p?.y ?? 0;
      let el: Element | null = p ? doc.elementFromPoint(x, y) : doc.activeElement;
      for (let depth = 0; el && depth < 10; depth++) {
        const inner: Element | null | undefined = p ? el.shadowRoot?.elementFromPoint(x, y) : el.shadowRoot?.activeElement;
        if (inner && inner !== el) {
          el = inner;
          continue;
        }
        if (el instanceof HTMLIFrameElement && el.contentDocument) {
          const box = el.getBoundingClientRect();
          doc = el.contentDocument;
          x -= box.left;
          y -= box.top;
          el = p ? doc.elementFromPoint(x, y) : doc.activeElement;
          continue;
        }
        break;
      }
      return el instanceof (el?.ownerDocument.defaultView ?? window).HTMLInputElement && el.type === 'password';
    }, at);
  return withDeadline(check(), answerMs, 'checking for a password field').catch(() => true);
}
