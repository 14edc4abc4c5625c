import { randomBytes } from 'node:crypto';
import type { BrowserContext } from 'playwright';

/**
 * The page cannot read or change the watch: it lives in the script's
 * closure, and `window.__cuaChanges` (fixed, not replaceable) hands it
 * only to a caller with this process's key, which never enters the page
 * except as an argument of our own probes.
 */
export const WATCH_KEY = randomBytes(16).toString('hex');

/**
 * Tells whether the page changed what it shows between two moments: from
 * `arm()` (just after an action) to `disarm()` (after the next frame). A
 * screenshot begun after `arm()` shows the settled screen when nothing
 * changed in between, so it need not wait for that frame (see
 * settleDeferred in settle.ts).
 *
 * Watched: the DOM (attributes, text, nodes) of the document and of its
 * shadow roots: every one a script attaches (open or closed), and open
 * ones declared in HTML (`<template shadowrootmode="open">`), cloned or
 * moved in, found as they enter the document; form state and selections
 * set by script, focus, popovers. A closed root declared in HTML is
 * invisible to every script, ours included.
 * Not watched, so arm() refuses such pages: canvases (scripts draw on them
 * without a trace), fonts still loading. Nor frames: the caller does not
 * arm on pages that have them. Images load through requests, which settle
 * waits for.
 */
const WATCH_SCRIPT = `(() => {
  if (window.__cuaChanges) return;
  const KEY = ${JSON.stringify(WATCH_KEY)};
  const OPTIONS = { subtree: true, childList: true, attributes: true, characterData: true };
  /** Past this many shadow roots, arming would cost more than the frame it saves. */
  const MAX_ROOTS = 500;
  const w = { armed: false, changed: false };
  Object.defineProperty(window, '__cuaChanges', { value: (key) => (key === KEY ? w : undefined) });
  const note = () => { if (w.armed) w.changed = true; };
  const observer = new MutationObserver(note);
  let roots = [];
  const known = new WeakSet();
  // Finds the open shadow roots no script attached (declared in HTML, cloned, moved in) as their hosts enter the document.
  const finder = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) if (node.nodeType === 1) found(node);
  });
  const found = (element) => {
    if (element.shadowRoot) addRoot(element.shadowRoot);
    if (element.firstElementChild) for (const inner of element.querySelectorAll('*')) if (inner.shadowRoot) addRoot(inner.shadowRoot);
  };
  const addRoot = (root) => {
    if (known.has(root)) return;
    known.add(root);
    roots.push(new WeakRef(root));
    finder.observe(root, { childList: true, subtree: true });
    if (w.armed) observer.observe(root, OPTIONS);
    for (const inner of root.querySelectorAll('*')) if (inner.shadowRoot) addRoot(inner.shadowRoot);
  };
  finder.observe(document, { childList: true, subtree: true });
  const attachShadow = Element.prototype.attachShadow;
  if (attachShadow) {
    Element.prototype.attachShadow = function (...args) {
      const root = attachShadow.apply(this, args);
      addRoot(root);
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
