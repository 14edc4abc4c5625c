import type { BrowserContext, Page } from 'playwright';
import { BROWSER_KEYS, type KeyStroke } from '../../computer/keys.js';
import type { SessionEvent } from '../../session/events.js';
import type { AddressBar } from './address-bar.js';
import { clipboardShortcut, type ClipboardKind } from './clipboard.js';
import { withDeadline } from '../deadline.js';
import { normalizeUrl } from '../../urls.js';

/** What the browser's own shortcuts act on: the session's tabs, history and address bar. */
export interface BrowserWindow {
  readonly addressBar: AddressBar;
  page(): Promise<Page>;
  goto(page: Page, url: string): Promise<'loaded' | 'download' | 'blocked'>;
  /** A new tab, blank or at `url`, made current. */
  openTab(url?: string): Promise<Page>;
  closeTab(): Promise<void>;
  selectTab(index: number): Promise<void>;
  /** The current tab's position among `count` tabs. */
  tabPosition(): { index: number; count: number };
  /** The URL of the most recently closed tab, taken off the list; undefined when none was closed. */
  takeClosedTab(): string | undefined;
  /** The session's own clipboard (ctrl+C/X/V): never the browser's, which every session shares. */
  readonly clipboard: { text: string };
  /** How long one round trip to the page may take before it counts as not answering (--page-answer-timeout). */
  readonly pageAnswerMs: number;
  report(event: SessionEvent): void;
}

interface Shortcut {
  /** A browser keeps these for itself: the page never sees the keys. Others reach the page first, which may prevent them. */
  reserved: boolean;
  /** Does it; says what happened, for the event. */
  run(window: BrowserWindow, page: Page, chord: string[]): Promise<string>;
}

/**
 * Copy, cut and paste, against the session's clipboard. Reserved: the
 * real keys would make Chromium copy into (or paste from) the clipboard
 * all sessions share; the page still sees the keydown, and may prevent it
 * (clipboard.ts sends it).
 */
const clipboardKey = (kind: ClipboardKind): Shortcut => ({
  reserved: true,
  run: async (window, page, chord) => {
    const bar = window.addressBar;
    if (bar.focused) {
      if (kind === 'paste') bar.insert(window.clipboard.text);
      else window.clipboard.text = bar.value;
      return kind === 'paste'
        ? `pasted ${window.clipboard.text.length} character(s) into the address bar`
        : `copied the address bar's ${bar.value.length} character(s)`;
    }
    const has = (k: string) => chord.includes(k);
    const key = chord.find((k) => !['Control', 'Meta', 'Shift', 'Alt'].includes(k))!;
    return clipboardShortcut(
      page,
      kind,
      { key, ctrlKey: has('Control'), metaKey: has('Meta'), shiftKey: has('Shift'), altKey: has('Alt') },
      window.clipboard,
      window.pageAnswerMs,
    );
  },
});

const focusAddressBar: Shortcut = {
  reserved: false,
  run: async (window, page) => {
    window.addressBar.focus(page.url());
    return 'the address bar has focus: type a URL and press Enter (Escape leaves it)';
  },
};

/** One step back or forward in the tab's history; says where it went. */
export async function historyStep(page: Page, direction: 'back' | 'forward'): Promise<string> {
  const before = page.url();
  const response = direction === 'back' ? await page.goBack({ waitUntil: 'commit' }) : await page.goForward({ waitUntil: 'commit' });
  // Playwright answers null both when there is no history entry and for a same-document step: the URL tells them apart.
  return response === null && page.url() === before ? `there is no page to go ${direction} to` : `went ${direction} to ${page.url()}`;
}

const history = (direction: 'back' | 'forward'): Shortcut => ({ reserved: false, run: (_window, page) => historyStep(page, direction) });

const reload: Shortcut = {
  reserved: false,
  run: async (_window, page) => {
    await page.reload({ waitUntil: 'commit' });
    return `reloaded ${page.url()}`;
  },
};

const newTab = (what: string): Shortcut => ({
  reserved: true,
  run: async (window) => {
    await window.openTab();
    window.addressBar.focus('');
    return `opened a new ${what}; the address bar has focus`;
  },
});

const closeTab: Shortcut = {
  reserved: true,
  run: async (window, page) => {
    const url = page.url();
    await window.closeTab();
    return `closed the tab at ${url} (ctrl+shift+T reopens it)`;
  },
};

const selectTab = (pick: (position: { index: number; count: number }) => number, reserved: boolean): Shortcut => ({
  reserved,
  run: async (window) => {
    const position = window.tabPosition();
    const index = pick(position);
    if (index < 0 || index >= position.count) return `there is no tab ${index + 1}`;
    await window.selectTab(index);
    return `switched to tab ${index} of ${position.count}`;
  },
});

const reopenTab: Shortcut = {
  reserved: true,
  run: async (window) => {
    const url = window.takeClosedTab();
    if (url === undefined) return 'no closed tab to reopen';
    await window.openTab(url);
    return `reopened ${url}`;
  },
};

/** The browser shortcut a chord (Playwright key names) stands for, if any. ctrl and cmd both count as the primary modifier. */
function shortcutFor(chord: string[]): Shortcut | undefined {
  const has = (k: string) => chord.includes(k);
  const primary = has('Control') !== has('Meta');
  const shift = has('Shift');
  const alt = has('Alt');
  const keys = chord.filter((k) => !['Control', 'Meta', 'Shift', 'Alt'].includes(k));
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  const only = (mods: { primary?: boolean; shift?: boolean; alt?: boolean }) =>
    primary === Boolean(mods.primary) && shift === Boolean(mods.shift) && alt === Boolean(mods.alt);
  if ((only({ primary: true }) && key === 'l') || (only({ alt: true }) && key === 'd') || (only({}) && key === 'F6'))
    return focusAddressBar;
  if ((only({ alt: true }) && key === 'ArrowLeft') || key === 'BrowserBack' || (only({ primary: true }) && key === '['))
    return history('back');
  if ((only({ alt: true }) && key === 'ArrowRight') || key === 'BrowserForward' || (only({ primary: true }) && key === ']'))
    return history('forward');
  if (
    key === 'BrowserRefresh' ||
    (key === 'F5' && !alt) ||
    ((only({ primary: true }) || only({ primary: true, shift: true })) && key === 'r')
  )
    return reload;
  if (only({ primary: true }) && key === 't') return newTab('tab');
  if (only({ primary: true }) && key === 'n') return newTab('window (a new tab of this session)');
  if (only({ primary: true }) && (key === 'w' || key === 'F4')) return closeTab;
  if (only({ primary: true, shift: true }) && key === 't') return reopenTab;
  if ((only({ primary: true }) && key === 'Tab') || (only({ primary: true }) && key === 'PageDown'))
    return selectTab(({ index, count }) => (index + 1) % count, true);
  if ((only({ primary: true, shift: true }) && key === 'Tab') || (only({ primary: true }) && key === 'PageUp'))
    return selectTab(({ index, count }) => (index - 1 + count) % count, true);
  if (only({ primary: true }) && (key === 'c' || key === 'Insert')) return clipboardKey('copy');
  if ((only({ primary: true }) && key === 'x') || (only({ shift: true }) && key === 'Delete')) return clipboardKey('cut');
  if (((only({ primary: true }) || only({ primary: true, shift: true })) && key === 'v') || (only({ shift: true }) && key === 'Insert'))
    return clipboardKey('paste');
  if (only({ primary: true }) && /^[1-8]$/.test(key)) return selectTab(() => Number(key) - 1, false);
  if (only({ primary: true }) && key === '9') return selectTab(({ count }) => count - 1, false);
  return undefined;
}

/** Remembers each page's last keydown, so the browser can tell whether the page prevented a shortcut it may override. */
const KEY_WATCH_SCRIPT = `addEventListener('keydown', (e) => { window.__cuaLastKeydown = e; }, true);`;

export async function watchKeys(context: BrowserContext): Promise<void> {
  await context.addInitScript(KEY_WATCH_SCRIPT);
}

async function preventedByPage(page: Page, answerMs: number): Promise<boolean> {
  const read = page.evaluate(() => {
    const w = window as unknown as { __cuaLastKeydown?: Event };
    const prevented = w.__cuaLastKeydown?.defaultPrevented ?? false;
    w.__cuaLastKeydown = undefined;
    return prevented;
  });
  return withDeadline(read, answerMs, 'reading the keydown').catch(() => false);
}

/** Enter in the address bar: opens what was typed (through the domain policy, as navigate does). */
async function submitAddressBar(window: BrowserWindow, page: Page): Promise<string> {
  const typed = window.addressBar.value;
  window.addressBar.blur();
  try {
    const url = normalizeUrl(typed);
    const outcome = await window.goto(page, url);
    return outcome === 'loaded'
      ? `opened ${url}`
      : `${url}: ${outcome === 'download' ? 'a download (see the download event)' : 'blocked by the domain policy'}`;
  } catch (error) {
    return `could not open ${JSON.stringify(typed)}: ${(error as Error).message.split('\n')[0]}`;
  }
}

const describeChord = (chord: string[]) => chord.map((k) => (k === ' ' ? 'Space' : k)).join('+');

/**
 * A keypress as a browser handles it: into the address bar while it has
 * focus, or a browser shortcut (emulated, reported as a `shortcut` event;
 * keys a browser lets the page see go to the page first). Returns false
 * when the keypress is the page's alone; `press` sends it to the page.
 */
export async function browserKeypress(window: BrowserWindow, page: Page, stroke: KeyStroke, press: () => Promise<void>): Promise<boolean> {
  const bar = window.addressBar;
  const shortcut = 'chord' in stroke ? shortcutFor(stroke.chord) : undefined;
  const report = async (keys: string, effect: Promise<string>) => window.report({ kind: 'shortcut', keys, effect: await effect });
  if (bar.focused) {
    if ('text' in stroke) bar.insert(stroke.text);
    else if (shortcut) await report(describeChord(stroke.chord), shortcut.run(window, page, stroke.chord));
    else {
      const result = bar.key(stroke.chord);
      if (result === 'enter') await report('Enter', submitAddressBar(window, page));
      else if (result === 'leave') {
        bar.blur();
        window.report({ kind: 'shortcut', keys: describeChord(stroke.chord), effect: 'left the address bar' });
      }
    }
    return true;
  }
  if (!shortcut || !('chord' in stroke)) return false;
  // The browser's own keys (BrowserBack...) have no key event a page could see.
  if (!shortcut.reserved && !stroke.chord.some((k) => BROWSER_KEYS.has(k))) {
    await press();
    if (await preventedByPage(page, window.pageAnswerMs)) return true;
  }
  await report(describeChord(stroke.chord), shortcut.run(window, page, stroke.chord));
  return true;
}

/** Text typed while the address bar has focus goes into it; a newline submits it, as Enter does. */
export async function typeIntoAddressBar(window: BrowserWindow, page: Page, text: string): Promise<void> {
  const [first = '', ...rest] = text.split(/\r?\n/);
  window.addressBar.insert(first);
  for (const line of rest) {
    window.report({ kind: 'shortcut', keys: 'Enter', effect: await submitAddressBar(window, await window.page()) });
    if (!line) continue;
    // Further lines: the page has the focus again after the navigation.
    await (await window.page()).keyboard.type(line);
  }
}
