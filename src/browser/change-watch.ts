import type { BrowserContext } from 'playwright';

/**
 * Tells whether the page changed what it shows between two moments: from
 * `arm()` (just after an action) to `disarm()` (after the next frame). A
 * screenshot begun after `arm()` shows the settled screen when nothing
 * changed in between, so it need not wait for that frame (see
 * settleDeferred in settle.ts).
 *
 * Watched: the DOM (attributes, text, nodes) of the document and of every
 * shadow root, form state and selections set by script, focus, popovers.
 * Not watched, so arm() refuses such pages: canvases (scripts draw on them
 * without a trace), fonts still loading. Nor frames: the caller does not
 * arm on pages that have them. Images load through requests, which settle
 * waits for.
 */
const WATCH_SCRIPT = `(() => {
  if (window.__cuaChanges) return;
  const OPTIONS = { subtree: true, childList: true, attributes: true, characterData: true };
  /** Past this many shadow roots, arming would cost more than the frame it saves. */
  const MAX_ROOTS = 500;
  const w = window.__cuaChanges = { armed: false, changed: false };
  const note = () => { if (w.armed) w.changed = true; };
  const observer = new MutationObserver(note);
  let roots = [];
  const attachShadow = Element.prototype.attachShadow;
  if (attachShadow) {
    Element.prototype.attachShadow = function (...args) {
      const root = attachShadow.apply(this, args);
      roots.push(new WeakRef(root));
      if (w.armed) observer.observe(root, OPTIONS);
      return root;
    };
  }
  const forms = [
    [HTMLInputElement.prototype, ['value', 'checked', 'indeterminate', 'selectionStart', 'selectionEnd']],
    [HTMLTextAreaElement.prototype, ['value', 'selectionStart', 'selectionEnd']],
    [HTMLSelectElement.prototype, ['value', 'selectedIndex']],
    [HTMLOptionElement.prototype, ['selected']],
  ];
  for (const [proto, props] of forms) {
    for (const prop of props) {
      const d = Object.getOwnPropertyDescriptor(proto, prop);
      if (d && d.set) Object.defineProperty(proto, prop, { ...d, set(v) { note(); d.set.call(this, v); } });
    }
  }
  // Selections made by script (selectionchange would say so, but it also comes late for selections the action made).
  const selecting = ['select', 'setSelectionRange', 'setRangeText'];
  const selection = ['addRange', 'removeRange', 'removeAllRanges', 'empty', 'collapse', 'setPosition', 'collapseToStart', 'collapseToEnd', 'extend', 'setBaseAndExtent', 'selectAllChildren', 'modify', 'deleteFromDocument'];
  for (const [proto, names] of [[HTMLInputElement.prototype, selecting], [HTMLTextAreaElement.prototype, selecting], [Selection.prototype, selection]]) {
    for (const name of names) {
      const original = proto[name];
      if (typeof original === 'function') proto[name] = function (...args) { note(); return original.apply(this, args); };
    }
  }
  const opts = { capture: true, passive: true };
  for (const type of ['focusin', 'focusout', 'beforetoggle', 'input', 'change']) addEventListener(type, note, opts);
  // What changes the screen with no trace here: drawing on a canvas, a web font still loading.
  const unseen = () =>
    document.getElementsByTagName('canvas').length > 0 ||
    roots.some((ref) => ref.deref()?.querySelector('canvas')) ||
    document.fonts.status !== 'loaded';
  w.arm = () => {
    roots = roots.filter((ref) => ref.deref());
    if (roots.length > MAX_ROOTS || unseen()) return false;
    w.changed = false;
    w.armed = true;
    observer.observe(document, OPTIONS);
    for (const ref of roots) observer.observe(ref.deref(), OPTIONS);
    return true;
  };
  w.disarm = () => {
    if (observer.takeRecords().length) note();
    observer.disconnect();
    w.armed = false;
    return w.changed;
  };
})();`;

export async function watchChanges(context: BrowserContext): Promise<void> {
  await context.addInitScript(WATCH_SCRIPT);
}

/** The page side of the watch, as probes in page-probes.ts call it. */
export interface ChangeWatch {
  /** Starts watching; false when the page shows what the watch cannot see, or has too much to watch (then nothing is armed). */
  arm(): boolean;
  /** Stops watching and says whether anything changed since arm(). */
  disarm(): boolean;
}
